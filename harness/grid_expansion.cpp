#include "harness/grid_expansion.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace slim {
namespace {

// One axis of the product: the keys it sets and, per position, their values.
struct Axis {
  std::vector<std::string> keys;
  size_t length = 1;
};

bool in_any_group(const ZipGroups& zip, const std::string& key) {
  for (const auto& group : zip) {
    if (std::find(group.begin(), group.end(), key) != group.end()) return true;
  }
  return false;
}

std::vector<Axis> build_axes(const nlohmann::json& object, const ZipGroups& zip,
                             const JsonPath& at) {
  std::vector<Axis> axes;
  for (const auto& group : zip) {
    axes.push_back({group, object.at(group.front()).size()});
  }
  for (const auto& [key, value] : object.items()) {
    if (!value.is_array() || in_any_group(zip, key)) continue;
    if (value.empty()) (at / key).fail("an empty list expands to no jobs; give at least one value");
    axes.push_back({{key}, value.size()});
  }
  return axes;
}

nlohmann::json combination(const nlohmann::json& object, const std::vector<Axis>& axes,
                           const std::vector<size_t>& position) {
  nlohmann::json result = object;
  for (size_t a = 0; a < axes.size(); ++a) {
    for (const std::string& key : axes[a].keys) result[key] = object.at(key).at(position[a]);
  }
  return result;
}

// Advances an odometer whose last digit moves fastest; false once it wraps around.
bool advance(std::vector<size_t>& position, const std::vector<Axis>& axes) {
  for (size_t a = axes.size(); a-- > 0;) {
    if (++position[a] < axes[a].length) return true;
    position[a] = 0;
  }
  return false;
}

}  // namespace

ZipGroups parse_zip_groups(const nlohmann::json& zip, const nlohmann::json& object,
                           const JsonPath& zip_at) {
  if (!zip.is_array()) {
    zip_at.fail("expected a list of key groups like [[\"bits\", \"group_size\"]], got {}",
                json_type_name(zip));
  }
  ZipGroups groups;
  std::set<std::string> seen;
  for (size_t g = 0; g < zip.size(); ++g) {
    const JsonPath group_at = zip_at / g;
    if (!zip[g].is_array() || zip[g].size() < 2) {
      group_at.fail("a zip group is a list of at least two key names");
    }
    std::vector<std::string> group;
    size_t length = 0;
    for (size_t k = 0; k < zip[g].size(); ++k) {
      const JsonPath key_at = group_at / k;
      if (!zip[g][k].is_string())
        key_at.fail("expected a key name, got {}", json_type_name(zip[g][k]));
      const auto key = zip[g][k].get<std::string>();
      if (!object.contains(key)) {
        std::vector<std::string> keys;
        for (const auto& [name, value] : object.items()) keys.push_back(name);
        key_at.fail("zip names '{}', which is not set here; keys set: {}", key,
                    fmt::join(keys, ", "));
      }
      if (!object.at(key).is_array()) key_at.fail("zip key '{}' must hold a list", key);
      if (!seen.insert(key).second) key_at.fail("key '{}' is in more than one zip group", key);
      const size_t size = object.at(key).size();
      if (k > 0 && size != length) {
        key_at.fail("zip lists must have equal lengths: '{}' has {}, '{}' has {}", group.front(),
                    length, key, size);
      }
      if (size == 0) key_at.fail("an empty list expands to no jobs; give at least one value");
      length = size;
      group.push_back(key);
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<nlohmann::json> expand_grid(const nlohmann::json& object, const ZipGroups& zip,
                                        const JsonPath& at) {
  const std::vector<Axis> axes = build_axes(object, zip, at);
  std::vector<size_t> position(axes.size(), 0);
  std::vector<nlohmann::json> combinations;
  do {
    combinations.push_back(combination(object, axes, position));
  } while (advance(position, axes));
  return combinations;
}

}  // namespace slim
