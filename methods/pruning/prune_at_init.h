// prune_at_init: pruning before training. The model is reset to the seed's initial
// weights (the ones its dense baseline started from), pruned once, and the sparse
// network is trained with the baseline's recipe while the masks hold.
//   snip    connection sensitivity |w * dL/dw| on one training batch at initialisation,
//           global top-k (Lee et al. 2019)
//   random  uniform scores: random pruning at the same per-layer or global sparsity
#pragma once

#include "methods/method.h"

namespace slim {

Method prune_at_init_method();

}  // namespace slim
