// channel_svd: the simplest low-rank conv factorization: a k x k conv into r channels, then
// a 1 x 1 conv (the shape of Zhang et al. 2016's channel decomposition, here computed from
// the weights alone by SVD, without their reconstruction of layer responses).
//
// W [Cout, Cin, k, k] seen as m x n = Cout x (Cin*k*k) ~ U_r S_r V_r^T becomes:
//   "<node>.svd_in"  k x k conv Cin -> r, no bias, the original stride and padding,
//                    filters sqrt(S_r) V_r^T reshaped to [r, Cin, k, k]
//   "<node>"         1 x 1 conv r -> Cout, the original bias, weight U_r sqrt(S_r)
// Rank rules, keep and skipping as for svd (r*(m+n) >= m*n stays dense). Works on any conv,
// the first one with Cin = 1 included. Report: context.report["channel_svd"].
#pragma once

#include <string>

#include "core/layers/conv2d.h"
#include "methods/lowrank/factored_graph.h"
#include "methods/lowrank/truncated_svd.h"
#include "methods/method.h"

namespace slim {

Method channel_svd_method();

// The two-conv chain for `layer` (named `node`) at `rank`, from the SVD of its weight
// seen as Cout x (Cin*k*k).
FactorChain factor_conv_channels(const std::string& node, const Conv2d& layer, const MatrixSvd& svd,
                                 int64_t rank);

}  // namespace slim
