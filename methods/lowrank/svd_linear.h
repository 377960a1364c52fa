// svd: truncated SVD of Linear layers, each replaced by two thinner Linear layers.
//
// W [m = out, n = in] ~ U_r S_r V_r^T becomes two Linear nodes:
//   "<node>.svd_in"  n -> r, no bias, weight sqrt(S_r) V_r^T
//   "<node>"         r -> m, the original bias, weight U_r sqrt(S_r)
// r comes from rank_by/keep (rank_selection.h). A layer where r*(m+n) >= m*n is left
// dense and reported as skipped. The default selection is every Linear but the
// classifier (the graph's last Linear), which include_classifier adds.
// Report: context.report["svd"], see methods/lowrank/README.md.
#pragma once

#include <string>

#include "core/layers/linear.h"
#include "methods/lowrank/factored_graph.h"
#include "methods/lowrank/truncated_svd.h"
#include "methods/method.h"

namespace slim {

Method svd_method();

// The two-node chain for `layer` (named `node`) at `rank`, from the SVD of its weight.
FactorChain factor_linear(const std::string& node, const Linear& layer, const MatrixSvd& svd,
                          int64_t rank);

}  // namespace slim
