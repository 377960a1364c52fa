// Learning-rate schedules, evaluated per optimisation step.
//   constant: lr
//   cosine:   lr_min + (lr - lr_min) * (1 + cos(pi * step / total)) / 2
//   step:     lr * gamma^floor(epoch / step_epochs)
#pragma once

#include <cstdint>
#include <string>

namespace slim {

struct LrSchedule {
  std::string kind = "cosine";  // constant | cosine | step
  float base_lr = 0.1f;
  float min_lr = 0.0f;
  int step_epochs = 10;
  float gamma = 0.1f;

  float at(int64_t step, int64_t total_steps, int64_t steps_per_epoch) const;
};

}  // namespace slim
