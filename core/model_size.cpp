#include "core/model_size.h"

namespace slim {
namespace {

constexpr int64_t kFp32Bytes = 4;

int64_t buffer_bytes(Model& model) {
  int64_t bytes = 0;
  for (const auto& [name, buffer] : model.buffers()) bytes += buffer->numel() * kFp32Bytes;
  return bytes;
}

}  // namespace

int64_t stored_bytes(Model& model) {
  int64_t bytes = buffer_bytes(model);
  for (const auto& [name, parameter] : model.parameters()) {
    bytes += parameter->storage ? parameter->storage->stored_bytes()
                                : parameter->value.numel() * kFp32Bytes;
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

}  // namespace slim
