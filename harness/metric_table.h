// The metrics a sweep can ask for: an explicit, listable table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace slim {

struct MetricInfo {
  std::string name;
  std::string description;
};

const std::vector<MetricInfo>& metric_table();
std::vector<std::string> metric_names();

}  // namespace slim
