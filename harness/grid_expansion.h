// Grid expansion: any value written as a list becomes one axis of a cartesian product;
// a zip group makes several lists advance together instead.
//
//   {"bits": [4, 8], "granularity": ["per_tensor", "per_channel"]}
//     -> 4 combinations
//   the same with "zip": [["bits", "granularity"]]
//     -> 2: (4, per_tensor) and (8, per_channel)
//
// Axes are taken in key order (nlohmann::json objects are sorted), the last varying
// fastest, so the expansion order, and with it the job order, is deterministic.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/json_path.h"

namespace slim {

using ZipGroups = std::vector<std::vector<std::string>>;

// Reads a "zip" value: a list of lists of key names. Names must exist in `object`,
// hold lists of one common length, and appear in at most one group.
ZipGroups parse_zip_groups(const nlohmann::json& zip, const nlohmann::json& object,
                           const JsonPath& zip_at);

// Every combination, as objects of scalar values. An empty list is an error at its
// pointer: it would silently expand to nothing.
std::vector<nlohmann::json> expand_grid(const nlohmann::json& object, const ZipGroups& zip,
                                        const JsonPath& at);

}  // namespace slim
