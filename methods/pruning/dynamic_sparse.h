// dynamic_sparse: dynamic sparse training at a fixed sparsity. Connections are dropped
// and regrown during training, so the sparse topology is learned rather than fixed.
//
// The masks start by magnitude at `sparsity`: by default the same fraction in every
// layer (RigL's "uniform" distribution), or with scope "global" one threshold over all
// selected weights, which leaves small layers denser (RigL's ERK distribution is not
// implemented); weights an earlier step pruned stay pruned at this point. Each layer's
// kept count is then fixed for the whole run. Every `update_every` steps until
// t_end = end * steps, each layer exchanges
//   k = floor(f(t) * kept),  f(t) = f0 / 2 * (1 + cos(pi * t / t_end))
// connections (Evci et al. 2020's cosine decay of the drop fraction f0):
//  * drop: the k kept weights with the smallest |w| after the step just taken;
//  * regrow: k positions that were pruned before this update (never one just dropped),
//      random    uniformly at random: SET (Mocanu et al. 2018);
//      gradient  the largest |dL/dw| of the step just taken: RigL (Evci et al. 2020).
//    Pruned weights still receive a dense gradient (layers compute dL/dw for every
//    position; only the optimizer's mask keeps them at zero), which is what RigL reads.
// Regrown weights start at exactly 0.0 (RigL's choice: the new connection does not
// change the function until trained) and are marked kept; dropped ones are zeroed and
// masked. Every layer's kept count is therefore the same after each update.
//
// Momentum: Sgd (core/train/optimizer.h) updates the velocity of every position, masked
// or not, and only then multiplies the value by the mask. A pruned position's velocity
// thus keeps integrating its gradient (its weight-decay term is zero since w = 0), and a
// regrown weight starts from that velocity instead of from zero: its first steps follow
// the recent gradient history of the position, which for RigL is the direction it was
// chosen for. A dropped weight's velocity stays in the buffer, unused while masked.
// Ports that mask pruned gradients and reset momentum start regrown weights at zero
// velocity instead; we keep the optimizer as it is and accept the difference.
//
// It starts from the trained model, or with from_init from the seed's initial weights
// (sparse training from scratch: then use lr_scale 1 and the baseline's epochs).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/layer.h"
#include "methods/method.h"

namespace slim {

enum class Regrowth { kRandom, kGradient };

const std::vector<std::string>& regrowth_names();  // "random", "gradient"
Regrowth parse_regrowth(std::string_view name);

// f(t) above: f0 at t = 0, 0 from t_end on.
double drop_fraction_at(double initial, int64_t t, int64_t t_end);

// One layer's exchange, as positions in the flattened weight.
struct MaskExchange {
  std::vector<int64_t> dropped;  // kept before, pruned after
  std::vector<int64_t> regrown;  // pruned before, kept after
};

// Drops the `count` kept positions of smallest |value| and regrows the `count` positions
// pruned before this update with the largest `regrow_score`; ties go to the lower
// position, so the same inputs always give the same exchange. `count` is capped by the
// kept and the pruned counts, so both lists have the same length. Both come sorted.
MaskExchange choose_exchange(std::span<const float> values, std::span<const float> mask,
                             std::span<const float> regrow_score, int64_t count);

// Dropped: mask 0, value 0. Regrown: mask 1, value exactly 0.
void apply_exchange(Parameter& parameter, const MaskExchange& exchange);

Method dynamic_sparse_method();

}  // namespace slim
