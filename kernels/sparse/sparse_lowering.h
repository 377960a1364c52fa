// Which format the sparse backend gives each Linear layer, decided from the weights'
// exact zeros at lowering time, and a record of that choice the harness can report.
//
// Per Linear layer, in this order:
//   2:4    every group of 4 inputs holds at most 2 nonzeros, unless the layer is so
//          sparse that CSR is faster (sparsity >= csr_over_2_4_sparsity)
//   CSR    sparsity >= csr_min_sparsity (the break-even measured with
//          bench/sparse_gemm_bench.cpp and scripts/sparse-break-even) and in <= 65536
//   dense  otherwise: the openblas backend's LinearOp
// Everything else (convolutions included) runs as on the openblas backend.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/layers/linear.h"
#include "core/model.h"

namespace slim {

enum class SparseFormat { kDense, kCsr, k2of4 };

// "dense", "csr", "2:4"
std::string_view sparse_format_name(SparseFormat format);

struct SparseLoweringPolicy {
  // Unstructured layers at least this sparse run as CSR. Measured on the zoo's fc shapes
  // (scripts/sparse-break-even on results/baselines/bench, one thread, 2-core Zen 3 VM,
  // dense = OpenBLAS with its sgemv path at batch 1): CSR broke even at 57-87% zeros at
  // batch 1 (above 95% on the tiny 100 -> 10) and at 50-71% at batch 256. At 0.85 CSR
  // wins at batch 256 on every shape and at batch 1 on all but the smallest ones.
  double csr_min_sparsity = 0.85;
  // With use_2_4, a valid 2:4 layer at least this sparse runs as CSR instead: CSR at 75%
  // zeros measured faster than 2:4 (which always multiplies half the weights).
  double csr_over_2_4_sparsity = 0.75;
  // 2:4 saves memory but not time on a CPU without sparse tensor cores: it measured
  // 0.44-0.83x of dense on the large fc shapes at both batch sizes (the same table), so
  // valid 2:4 layers run dense unless this asks for the 2:4 kernel (to measure it).
  bool use_2_4 = false;
};

struct LinearLowering {
  std::string node;
  SparseFormat format = SparseFormat::kDense;
  int64_t out_features = 0;
  int64_t in_features = 0;
  int64_t nonzeros = 0;
  double sparsity = 0.0;     // fraction of the weights that are exactly zero
  int64_t weight_bytes = 0;  // stored bytes of the chosen format (dense: 4 per weight)
};

// The node's Linear when its kind is "linear" (the layers this backend lowers), else null.
const Linear* sparse_lowerable_linear(const Node& node);

SparseFormat choose_linear_format(std::span<const float> weight, int64_t out_features,
                                  int64_t in_features, const SparseLoweringPolicy& policy);

LinearLowering plan_linear_lowering(std::string node, const Linear& layer,
                                    const SparseLoweringPolicy& policy);

// One entry per Linear node, in model order.
std::vector<LinearLowering> plan_sparse_lowering(const Model& model,
                                                 const SparseLoweringPolicy& policy = {});

// [{"node": "fc1", "format": "csr", "out": 300, "in": 784, "nonzeros": 23520,
//   "sparsity": 0.9, "weight_bytes": 142324}, ...]
nlohmann::json sparse_lowering_json(std::span<const LinearLowering> lowering);
nlohmann::json describe_sparse_lowering(const Model& model,
                                        const SparseLoweringPolicy& policy = {});

}  // namespace slim
