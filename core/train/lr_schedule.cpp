#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace slim {

float LrSchedule::at(int64_t step, int64_t total_steps, int64_t steps_per_epoch) const {
  if (kind == "constant") return base_lr;
  if (kind == "cosine") {
    const double progress =
        total_steps > 0 ? static_cast<double>(step) / static_cast<double>(total_steps) : 0.0;
    return static_cast<float>(min_lr + (base_lr - min_lr) *
                                           (1.0 + std::cos(std::numbers::pi * progress)) / 2.0);
  }
  if (kind == "step") {
    const int64_t epoch = steps_per_epoch > 0 ? step / steps_per_epoch : 0;
    return base_lr * std::pow(gamma, static_cast<float>(epoch / std::max(1, step_epochs)));
  }
  throw std::logic_error("unknown learning-rate schedule " + kind);
}

}  // namespace slim
