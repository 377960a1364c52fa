// Per-layer sparsities from per-layer sensitivity curves, for a target overall sparsity.
//
// Input: for each layer its weight count n_i and a curve of top-1 accuracy against the
// sparsity of that layer alone (every other layer dense), starting at sparsity 0; and
// the unpruned model's accuracy. A layer's drop at a measured point is
//   D_i(s_j) = max(0, reference - accuracy at s_k for k <= j)
// (a running max: an accuracy that rises again at a higher sparsity is noise, not a
// reason to prune more).
//
// Rule: choose the sparsities s_i that minimise the predicted total drop sum_i D_i(s_i)
// subject to sum_i n_i s_i = target * sum_i n_i, with each D_i replaced by the lower
// convex hull of its measured points (linear between hull vertices, ending at the
// largest measured sparsity). It assumes the drops of different layers add, which is
// what the one-layer-at-a-time curves can support. On convex curves the optimum is the
// classical one for separable convex allocation: remove weights where the drop per
// removed weight, D_i'(s) / n_i, is smallest. So the hull segments of all layers are
// taken in increasing order of that slope until the target's weights are removed, the
// last group of equal slope only partly, in proportion to the segments' lengths
// (layers whose curves are flat are therefore pruned alike, and no layer is favoured
// by its position). A large layer pays little accuracy per removed weight and is pruned
// harder than a small one with the same curve: the same preference a global magnitude
// threshold shows, here informed by measured accuracy.
//
// The real kept counts n_i (1 - s_i) are rounded by largest remainders: the total is
// exactly round((1 - target) * sum n_i), each layer within one weight of its share.
//
// An equal drop per layer (minimax over layers) was the first rule tried. It ignores
// layer size and pruned lenet-300-100's three layers to 0.90/0.90/0.77 where this rule
// gives 0.92/0.80/0 (overall 0.9, synthetic data): 81.2% top-1 after two epochs of
// fine-tuning against 87.0% here and 88.2% for one global magnitude threshold (one
// seed, 500 test images, so about +-1.5 points).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace slim {

struct SensitivityPoint {
  double sparsity = 0.0;
  double accuracy = 0.0;
};

struct SensitivityCurve {
  std::string name;                     // "fc1.weight"
  int64_t weights = 0;                  // n_i
  std::vector<SensitivityPoint> curve;  // sparsity ascending, the first at 0
};

struct SparsityAllocation {
  std::vector<int64_t> kept;     // per layer, in the order of the curves
  std::vector<double> sparsity;  // 1 - kept / weights
  // The slope of the last hull segments taken: predicted accuracy drop per removed
  // weight at the margin (0 when the target was reached on flat curves).
  double marginal_drop_per_weight = 0.0;
  double predicted_drop = 0.0;  // sum_i D_i(s_i) on the hulls, before rounding
};

// Throws a UserError when the target lies above what the largest measured points allow,
// or when a curve does not start at 0 or is not ascending.
SparsityAllocation allocate_sparsity(std::span<const SensitivityCurve> layers,
                                     double reference_accuracy, double target);

}  // namespace slim
