#include "core/io/safetensors_header.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "core/error.h"
#include "core/io/safetensors_dtype.h"

namespace slim {
namespace {

using nlohmann::json;

constexpr std::string_view kMetadataKey = "__metadata__";

// Names come from the file and may contain anything; quoting them as JSON keeps every
// error message on one line.
std::string json_quoted(const std::string& name) {
  return json(name).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return std::nullopt;
  return a * b;
}

// Parses the header text as a JSON object. nlohmann keeps the last of two equal keys, so
// duplicates are caught during parsing: a duplicated tensor name would otherwise silently
// hide one entry (and let two names alias the same bytes).
json parse_object(std::string_view text) {
  std::set<std::string> keys;
  std::optional<std::string> duplicate;
  const json::parser_callback_t track_keys = [&](int depth, json::parse_event_t event,
                                                 json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 &&
        !keys.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json root;
  try {
    root = json::parse(text, track_keys);
  } catch (const json::parse_error& e) {
    fail("header is not valid JSON (error at byte {} of the header)", e.byte);
  }
  if (!root.is_object()) fail("header is not a JSON object");
  if (duplicate) fail("header has the key {} twice", json_quoted(*duplicate));
  return root;
}

std::map<std::string, std::string> parse_metadata(const json& value) {
  if (!value.is_object()) fail("\"{}\" is not a JSON object", kMetadataKey);
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string())
      fail("\"{}\" value for {} is not a string", kMetadataKey, json_quoted(key));
    metadata.emplace(key, item.get<std::string>());
  }
  return metadata;
}

// A JSON number that is a non-negative integer; anything else (negative, fractional,
// a string) is a corrupt header.
uint64_t parse_count(const json& value, const std::string& where, std::string_view what) {
  if (!value.is_number_unsigned()) fail("{}: {} must be non-negative integers", where, what);
  return value.get<uint64_t>();
}

std::string parse_dtype(const json& entry, const std::string& where) {
  if (!entry.contains("dtype") || !entry["dtype"].is_string()) {
    fail("{}: missing or non-string \"dtype\"", where);
  }
  const auto dtype = entry["dtype"].get<std::string>();
  if (!safetensors_dtype_size(dtype)) fail("{}: unknown dtype {}", where, json_quoted(dtype));
  return dtype;
}

Shape parse_shape(const json& entry, const std::string& where) {
  if (!entry.contains("shape") || !entry["shape"].is_array()) {
    fail("{}: missing or non-array \"shape\"", where);
  }
  Shape shape;
  for (const json& dim : entry["shape"]) {
    const uint64_t d = parse_count(dim, where, "shape dimensions");
    if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail("{}: shape dimension {} is too large", where, d);
    }
    shape.push_back(static_cast<int64_t>(d));
  }
  return shape;
}

// Bytes that `shape` of `dtype` occupies, or nullopt if that does not fit in 64 bits.
// No shortcut for zero dimensions: every partial product must stay within int64, because
// Tensor and shape_numel multiply the dimensions in the same order in int64.
std::optional<uint64_t> byte_size(const Shape& shape, const std::string& dtype) {
  constexpr auto kMaxCount = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  std::optional<uint64_t> count = 1;
  for (int64_t d : shape) {
    if (count) count = checked_mul(*count, static_cast<uint64_t>(d));
    if (count && *count > kMaxCount) count = std::nullopt;
  }
  if (!count) return std::nullopt;
  return checked_mul(*count, *safetensors_dtype_size(dtype));
}

SafetensorsEntry parse_entry(const std::string& name, const json& value, uint64_t data_size) {
  const std::string where = "tensor " + json_quoted(name);
  if (!value.is_object()) fail("{}: entry is not a JSON object", where);
  for (const auto& [key, unused] : value.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      fail("{}: unexpected field {}", where, json_quoted(key));
    }
  }
  SafetensorsEntry entry{name, parse_dtype(value, where), parse_shape(value, where), 0, 0};

  if (!value.contains("data_offsets") || !value["data_offsets"].is_array() ||
      value["data_offsets"].size() != 2) {
    fail("{}: \"data_offsets\" must be an array [begin, end]", where);
  }
  entry.begin = parse_count(value["data_offsets"][0], where, "data_offsets");
  entry.end = parse_count(value["data_offsets"][1], where, "data_offsets");
  if (entry.begin > entry.end) {
    fail("{}: data_offsets [{}, {}] end before they begin", where, entry.begin, entry.end);
  }
  if (entry.end > data_size) {
    fail("{}: data_offsets [{}, {}] reach past the {} data bytes in the file (truncated?)", where,
         entry.begin, entry.end, data_size);
  }
  const auto needed = byte_size(entry.shape, entry.dtype);
  if (!needed || *needed != entry.end - entry.begin) {
    fail("{}: shape {} of {} does not fit data_offsets [{}, {}] ({} bytes)", where,
         shape_to_string(entry.shape), entry.dtype, entry.begin, entry.end,
         entry.end - entry.begin);
  }
  return entry;
}

// The tensors must tile [0, data_size) exactly. Overlaps would let two names alias the same
// bytes; gaps and trailing bytes are data no tensor accounts for (a damaged file).
void check_tiling(const std::vector<SafetensorsEntry>& sorted, uint64_t data_size) {
  uint64_t covered = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const SafetensorsEntry& entry : sorted) {
    if (entry.begin < covered) {
      fail("tensors {} and {} overlap in the data buffer", json_quoted(previous->name),
           json_quoted(entry.name));
    }
    if (entry.begin > covered) {
      fail("data bytes [{}, {}) belong to no tensor", covered, entry.begin);
    }
    covered = entry.end;
    previous = &entry;
  }
  if (covered != data_size) {
    fail("{} bytes of trailing data after the last tensor", data_size - covered);
  }
}

}  // namespace

SafetensorsHeader parse_safetensors_header(std::string_view json_text, uint64_t data_size) {
  const json root = parse_object(json_text);
  SafetensorsHeader header;
  for (const auto& [key, value] : root.items()) {
    if (key == kMetadataKey) {
      header.metadata = parse_metadata(value);
    } else {
      header.entries.push_back(parse_entry(key, value, data_size));
    }
  }
  // Stable: equal offsets (empty tensors) keep name order, so messages are deterministic.
  std::stable_sort(header.entries.begin(), header.entries.end(),
                   [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
                     return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
                   });
  check_tiling(header.entries, data_size);
  return header;
}

std::string format_safetensors_header(const SafetensorsHeader& header) {
  // nlohmann::json objects are std::maps, so keys come out sorted: deterministic bytes.
  json root = json::object();
  if (!header.metadata.empty()) root[std::string(kMetadataKey)] = header.metadata;
  for (const SafetensorsEntry& entry : header.entries) {
    root[entry.name] = {{"dtype", entry.dtype},
                        {"shape", entry.shape},
                        {"data_offsets", json::array({entry.begin, entry.end})}};
  }
  std::string text = root.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

}  // namespace slim
