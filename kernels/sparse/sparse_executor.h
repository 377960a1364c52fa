// The sparse backend's executor: every Linear layer whose weights are sparse runs
// through a sparse kernel (sparse_lowering.h says which format each gets), everything
// else as on the openblas backend (the shared operators of kernels/ops/ with OpenBLAS's
// GEMM). Convolutions stay dense.
//
// The plan copies the weights (in their chosen format), so the Model may change after
// lowering; lowering() records the per-layer choice for the harness.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/model.h"
#include "kernels/backend.h"
#include "kernels/ops/op.h"
#include "kernels/sparse/sparse_lowering.h"

namespace slim {

struct SparseStep {
  std::string name;  // the model node's, for error messages
  std::unique_ptr<Op> op;
  std::vector<int> inputs;  // producer steps; -1 is the model input
};

class SparseExecutable final : public Executable {
 public:
  SparseExecutable(Shape sample_shape, std::vector<SparseStep> steps,
                   std::vector<LinearLowering> lowering);

  const Tensor& run(const Tensor& input) override;

  // One entry per Linear node, in model order: the format it runs in and why.
  const std::vector<LinearLowering>& lowering() const { return lowering_; }
  nlohmann::json describe_lowering() const { return sparse_lowering_json(lowering_); }

 private:
  Shape sample_shape_;
  std::vector<SparseStep> steps_;
  std::vector<LinearLowering> lowering_;
  std::vector<Tensor> activations_;
  std::vector<const Tensor*> args_;
};

// Which sparse kernels lowering picks on this CPU: "avx2" or "reference".
std::string sparse_kernels_name();

// Throws UserError naming the node and its kind when a node has no operator.
std::unique_ptr<SparseExecutable> lower_sparse(const Model& model,
                                               const SparseLoweringPolicy& policy = {});

}  // namespace slim
