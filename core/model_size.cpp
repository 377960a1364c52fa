#include "core/model_size.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/storage/sparse_encoding.h"

namespace slim {
namespace {

constexpr int64_t kFp32Bytes = 4;
constexpr int kFp32Bits = 32;

int64_t buffer_bytes(Model& model) {
  int64_t bytes = 0;
  for (const auto& [name, buffer] : model.buffers()) bytes += buffer->numel() * kFp32Bytes;
  return bytes;
}

// A sparse format stores nothing at a pruned position, so the value there must be 0.
void check_pruned_values_are_zero(const std::string& name, const Parameter& parameter) {
  if (parameter.mask.shape() != parameter.value.shape()) {
    throw std::logic_error(
        fmt::format("parameter {}: its mask's shape differs from its value's", name));
  }
  const auto values = parameter.value.values();
  const auto mask = parameter.mask.values();
  for (size_t i = 0; i < values.size(); ++i) {
    if (mask[i] == 0.0f && values[i] != 0.0f) {
      throw std::logic_error(fmt::format(
          "parameter {}: element {} is pruned by its mask but holds {}", name, i, values[i]));
    }
  }
}

std::string value_encoding(const Parameter& parameter) {
  if (!parameter.storage) return "fp32";
  const nlohmann::json description = parameter.storage->describe();
  return description.value("format", std::string("encoded"));
}

nlohmann::json dense_size(const Parameter& parameter) {
  const bool fp32 = !parameter.storage;
  return {
      {"numel", parameter.value.numel()},
      {"nonzeros", parameter.value.numel()},
      {"format", value_encoding(parameter)},
      {"bytes", fp32 ? parameter.value.numel() * kFp32Bytes : parameter.storage->stored_bytes()},
      {"value_bits", fp32 ? kFp32Bits : parameter.storage->value_bits()}};
}

// The cheapest sparse format for the mask's kept elements at the value width, plus the
// storage's per-tensor metadata.
nlohmann::json masked_size(const std::string& name, const Parameter& parameter) {
  check_pruned_values_are_zero(name, parameter);
  const int bits = parameter.storage ? parameter.storage->value_bits() : kFp32Bits;
  const int64_t metadata = parameter.storage ? parameter.storage->metadata_bytes() : 0;
  const std::vector<uint8_t> keep = keep_pattern(parameter.mask);
  const SparseEncoding encoding =
      cheapest_encoding(keep, matrix_view(parameter.value.shape()), bits);
  nlohmann::json size = describe(encoding);
  size["numel"] = parameter.value.numel();
  size["bytes"] = encoding.bytes + metadata;
  size["value_bits"] = bits;
  size["values"] = value_encoding(parameter);
  size["metadata_bytes"] = metadata;
  return size;
}

nlohmann::json parameter_size(const std::string& name, const Parameter& parameter) {
  // A storage that is not one code per element (value_bits 0) is counted whole.
  const bool sparse =
      parameter.has_mask() && (!parameter.storage || parameter.storage->value_bits() > 0);
  nlohmann::json size = sparse ? masked_size(name, parameter) : dense_size(parameter);
  size["name"] = name;
  return size;
}

}  // namespace

int64_t stored_bytes(Model& model) {
  int64_t bytes = buffer_bytes(model);
  for (const auto& [name, parameter] : model.parameters()) {
    bytes += parameter_size(name, *parameter).at("bytes").get<int64_t>();
  }
  return bytes;
}

int64_t fp32_bytes(Model& model) {
  int64_t bytes = buffer_bytes(model);
  for (const auto& [name, parameter] : model.parameters()) {
    bytes += parameter->value.numel() * kFp32Bytes;
  }
  return bytes;
}

nlohmann::json describe_stored_sizes(Model& model) {
  nlohmann::json parameters = nlohmann::json::array();
  const int64_t buffers = buffer_bytes(model);
  int64_t total = buffers;
  for (const auto& [name, parameter] : model.parameters()) {
    nlohmann::json size = parameter_size(name, *parameter);
    total += size.at("bytes").get<int64_t>();
    parameters.push_back(std::move(size));
  }
  return {{"parameters", std::move(parameters)}, {"buffer_bytes", buffers}, {"total_bytes", total}};
}

}  // namespace slim
