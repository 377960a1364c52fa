#include "harness/work_counts.h"

#include "core/model_size.h"

namespace slim {
namespace {

constexpr double kFp32Bytes = 4.0;

double activation_bytes(const Model& model) {
  double elements = static_cast<double>(shape_numel(model.sample_shape()));
  for (const Shape& shape : model.output_shapes(1))
    elements += static_cast<double>(shape_numel(shape));
  return elements * kFp32Bytes;
}

}  // namespace

WorkCounts count_work(Model& model, const std::string& /*backend*/) {
  WorkCounts counts;
  counts.fp32_macs = static_cast<double>(model.macs_per_sample());
  counts.dram_bytes = static_cast<double>(fp32_bytes(model));
  counts.sram_bytes = 2.0 * activation_bytes(model);  // written once, read once
  return counts;
}

}  // namespace slim
