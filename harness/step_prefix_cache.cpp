#include "harness/step_prefix_cache.h"

namespace slim {

std::optional<PrefixResult> StepPrefixCache::find(const std::string& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first != key) continue;
    entries_.splice(entries_.begin(), entries_, it);
    return entries_.front().second;
  }
  return std::nullopt;
}

void StepPrefixCache::store(const std::string& key, const Model& model,
                            const nlohmann::json& report) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) {
      entries_.erase(it);
      break;
    }
  }
  entries_.emplace_front(key, PrefixResult{model, report});
  while (entries_.size() > capacity_) entries_.pop_back();
}

}  // namespace slim
