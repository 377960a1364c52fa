#include "kernels/sparse/sparse_executor.h"

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "core/error.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/ops/linear_op.h"
#include "kernels/ops/op_table.h"
#include "kernels/sparse/csr_matmul.h"
#include "kernels/sparse/sparse24_matmul.h"
#include "kernels/sparse/sparse_linear_op.h"

namespace slim {
namespace {

constexpr std::string_view kSparseBackend = "sparse";

std::unique_ptr<Op> make_sparse_linear_op(const Linear& layer, const LinearLowering& plan) {
  const float* weight = layer.weight().value.data();
  const Tensor bias = layer.has_bias() ? layer.bias().value : Tensor();
  switch (plan.format) {
    case SparseFormat::kCsr:
      return std::make_unique<SparseLinearOp<CsrMatrix>>(
          csr_from_dense(weight, plan.out_features, plan.in_features), bias, csr_matmul_best());
    case SparseFormat::k2of4:
      return std::make_unique<SparseLinearOp<Sparse24Matrix>>(
          sparse24_from_dense(weight, plan.out_features, plan.in_features), bias,
          sparse24_matmul_best());
    case SparseFormat::kDense:
      break;
  }
  return std::make_unique<LinearOp>(layer, gemm_openblas);
}

std::unique_ptr<Op> make_openblas_op(const Node& node) {
  const std::string kind = node.layer->kind();
  const OpFactory make_op = find_op_factory(kind);
  if (!make_op) {
    fail("backend '{}' cannot run node '{}' (layer kind '{}')", kSparseBackend, node.name, kind);
  }
  return make_op(*node.layer, gemm_openblas);
}

}  // namespace

std::string sparse_kernels_name() {
  return csr_matmul_best() == csr_matmul_avx2 ? "avx2" : "reference";
}

SparseExecutable::SparseExecutable(Shape sample_shape, std::vector<SparseStep> steps,
                                   std::vector<LinearLowering> lowering)
    : sample_shape_(std::move(sample_shape)),
      steps_(std::move(steps)),
      lowering_(std::move(lowering)),
      activations_(steps_.size()) {}

const Tensor& SparseExecutable::run(const Tensor& input) {
  check_batch_shape(sample_shape_, input);
  for (size_t i = 0; i < steps_.size(); ++i) {
    args_.clear();  // keeps its capacity: steady runs allocate nothing here
    for (int producer : steps_[i].inputs) {
      args_.push_back(producer < 0 ? &input : &activations_[static_cast<size_t>(producer)]);
    }
    steps_[i].op->run(args_, activations_[i]);
  }
  return activations_.back();
}

std::unique_ptr<SparseExecutable> lower_sparse(const Model& model,
                                               const SparseLoweringPolicy& policy) {
  if (model.nodes().empty()) {
    fail("backend '{}' cannot run model {}: it has no layers", kSparseBackend,
         model.architecture());
  }
  std::vector<SparseStep> steps;
  std::vector<LinearLowering> lowering;
  for (const Node& node : model.nodes()) {
    std::unique_ptr<Op> op;
    if (const Linear* linear = sparse_lowerable_linear(node)) {
      lowering.push_back(plan_linear_lowering(node.name, *linear, policy));
      op = make_sparse_linear_op(*linear, lowering.back());
    } else {
      op = make_openblas_op(node);
    }
    steps.push_back({node.name, std::move(op), node.inputs});
  }
  return std::make_unique<SparseExecutable>(model.sample_shape(), std::move(steps),
                                            std::move(lowering));
}

}  // namespace slim
