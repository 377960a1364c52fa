#include "core/train/recipe.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "core/error.h"

namespace slim {
namespace {

constexpr std::array<std::string_view, 10> kKeys = {
    "epochs",     "batch_size", "lr",       "schedule",     "step_epochs",
    "step_gamma", "momentum",   "nesterov", "weight_decay", "seed"};
constexpr std::array<std::string_view, 3> kSchedules = {"constant", "cosine", "step"};

template <typename T>
T read(const nlohmann::json& json, std::string_view key, T fallback, std::string_view where) {
  auto it = json.find(key);
  if (it == json.end()) return fallback;
  try {
    if constexpr (std::is_same_v<T, bool>) {
      if (!it->is_boolean()) throw std::invalid_argument("not a boolean");
    } else if constexpr (std::is_integral_v<T>) {
      if (!it->is_number_integer()) throw std::invalid_argument("not an integer");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!it->is_number()) throw std::invalid_argument("not a number");
    } else {
      if (!it->is_string()) throw std::invalid_argument("not a string");
    }
    return it->get<T>();
  } catch (const std::exception&) {
    fail("{}/{}: expected {}, got {}", where, key,
         std::is_same_v<T, bool>       ? "true or false"
         : std::is_integral_v<T>       ? "an integer"
         : std::is_floating_point_v<T> ? "a number"
                                       : "a string",
         it->dump());
  }
}

template <typename T>
void require_range(T value, T lo, T hi, std::string_view where, std::string_view key) {
  if (value < lo || value > hi) {
    fail("{}/{}: {} is out of range [{}, {}]", where, key, value, lo, hi);
  }
}

}  // namespace

LrSchedule Recipe::lr_schedule() const {
  return {schedule, lr, 0.0f, step_epochs, step_gamma};
}

nlohmann::json Recipe::to_json() const {
  return {{"epochs", epochs},     {"batch_size", batch_size},   {"lr", lr},
          {"schedule", schedule}, {"step_epochs", step_epochs}, {"step_gamma", step_gamma},
          {"momentum", momentum}, {"nesterov", nesterov},       {"weight_decay", weight_decay},
          {"seed", seed}};
}

Recipe Recipe::from_json(const nlohmann::json& json, const Recipe& base, std::string_view where) {
  if (!json.is_object()) fail("{}: a recipe must be a JSON object, got {}", where, json.dump());
  for (const auto& [key, value] : json.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      fail("{}/{}: unknown recipe key; valid keys: {}", where, key, fmt::join(kKeys, ", "));
    }
  }
  Recipe r = base;
  r.epochs = read(json, "epochs", r.epochs, where);
  r.batch_size = read(json, "batch_size", r.batch_size, where);
  r.lr = read(json, "lr", r.lr, where);
  r.schedule = read(json, "schedule", r.schedule, where);
  r.step_epochs = read(json, "step_epochs", r.step_epochs, where);
  r.step_gamma = read(json, "step_gamma", r.step_gamma, where);
  r.momentum = read(json, "momentum", r.momentum, where);
  r.nesterov = read(json, "nesterov", r.nesterov, where);
  r.weight_decay = read(json, "weight_decay", r.weight_decay, where);
  r.seed = read(json, "seed", r.seed, where);
  require_range(r.epochs, 0, 10000, where, "epochs");
  require_range<int64_t>(r.batch_size, 1, 1 << 20, where, "batch_size");
  require_range(r.lr, 0.0f, 100.0f, where, "lr");
  require_range(r.momentum, 0.0f, 1.0f, where, "momentum");
  require_range(r.weight_decay, 0.0f, 1.0f, where, "weight_decay");
  require_range(r.step_epochs, 1, 10000, where, "step_epochs");
  if (std::find(kSchedules.begin(), kSchedules.end(), r.schedule) == kSchedules.end()) {
    fail("{}/schedule: unknown schedule '{}'; valid choices: {}", where, r.schedule,
         fmt::join(kSchedules, ", "));
  }
  return r;
}

}  // namespace slim
