// tucker2: Tucker-2 decomposition of Conv2d layers over their channel modes (the layer
// shape of Kim et al. 2016; factors by truncated HOSVD, tucker2_decomposition.h; ranks by
// rank/energy rules, not their VBMF).
//
// W ~ G x_0 U_out x_1 U_in becomes up to three convs:
//   "<node>.tucker_in"    1 x 1 conv Cin -> r_in, no bias, weight U_in^T
//   "<node>.tucker_core"  k x k conv r_in -> r_out, no bias, the original stride/padding, G
//   "<node>"              1 x 1 conv r_out -> Cout, the original bias, weight U_out
// A mode whose rank is its full channel count would get a square orthogonal 1 x 1 conv
// that saves nothing; it is folded into the core instead (G x_1 U_in or G x_0 U_out, the
// same function), and the core then takes that side's channels (and, on the output side,
// the node's name and bias). So a first conv with Cin = 1 factors only its output mode.
// Each mode's rank comes from rank_by ("rank" or "energy") and keep applied to its own
// unfolding's singular values. A layer whose chain would not hold fewer parameters is left
// dense and reported as skipped. Report: context.report["tucker2"].
#pragma once

#include <string>

#include "core/layers/conv2d.h"
#include "methods/lowrank/factored_graph.h"
#include "methods/lowrank/tucker2_decomposition.h"
#include "methods/method.h"

namespace slim {

Method tucker2_method();

// The chain for `layer` (named `node`) from its Tucker-2 factors, full-rank modes folded.
FactorChain tucker2_chain(const std::string& node, const Conv2d& layer,
                          const Tucker2Factors& factors);

}  // namespace slim
