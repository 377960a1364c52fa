#include "methods/pruning/sparsity_allocation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace slim {
namespace {

struct DropPoint {
  double sparsity;
  double drop;
};

// One straight piece of a layer's hull, from sparsity `from` to `to`.
struct HullSegment {
  size_t layer;
  double from, to;
  double drop_per_sparsity;
  double drop_per_weight;
};

void check_curve(const SensitivityCurve& layer) {
  if (layer.weights <= 0) fail("sparsity allocation: {} has no weights", layer.name);
  if (layer.curve.empty() || layer.curve.front().sparsity != 0.0) {
    fail("sparsity allocation: the curve of {} must start at sparsity 0", layer.name);
  }
  for (size_t j = 1; j < layer.curve.size(); ++j) {
    if (!(layer.curve[j].sparsity > layer.curve[j - 1].sparsity)) {
      fail("sparsity allocation: the curve of {} is not in ascending sparsity", layer.name);
    }
  }
}

std::vector<DropPoint> running_max_drops(const SensitivityCurve& layer, double reference) {
  std::vector<DropPoint> points;
  double worst = 0.0;
  for (const SensitivityPoint& point : layer.curve) {
    worst = std::max(worst, reference - point.accuracy);
    points.push_back({point.sparsity, worst});
  }
  return points;
}

// True when b lies on or above the line from a to c (so b is not a lower-hull vertex).
bool not_below(const DropPoint& a, const DropPoint& b, const DropPoint& c) {
  const double cross =
      (b.sparsity - a.sparsity) * (c.drop - a.drop) - (b.drop - a.drop) * (c.sparsity - a.sparsity);
  return cross <= 0.0;
}

// Andrew's monotone chain, lower half: the points are already sorted by sparsity.
std::vector<DropPoint> lower_hull(const std::vector<DropPoint>& points) {
  std::vector<DropPoint> hull;
  for (const DropPoint& point : points) {
    while (hull.size() >= 2 && not_below(hull[hull.size() - 2], hull.back(), point)) {
      hull.pop_back();
    }
    hull.push_back(point);
  }
  return hull;
}

std::vector<HullSegment> hull_segments(std::span<const SensitivityCurve> layers, double reference) {
  std::vector<HullSegment> segments;
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::vector<DropPoint> hull = lower_hull(running_max_drops(layers[i], reference));
    for (size_t k = 0; k + 1 < hull.size(); ++k) {
      const double slope =
          (hull[k + 1].drop - hull[k].drop) / (hull[k + 1].sparsity - hull[k].sparsity);
      segments.push_back({i, hull[k].sparsity, hull[k + 1].sparsity, slope,
                          slope / static_cast<double>(layers[i].weights)});
    }
  }
  // Within a layer the hull's slopes increase, so this order also takes each layer's
  // segments from low to high sparsity.
  std::stable_sort(segments.begin(), segments.end(),
                   [](const HullSegment& a, const HullSegment& b) {
                     return a.drop_per_weight < b.drop_per_weight;
                   });
  return segments;
}

// Rounds real shares to integers summing to `total` by largest remainders, keeping each
// count in [0, limit].
std::vector<int64_t> round_to_total(const std::vector<double>& shares,
                                    const std::vector<int64_t>& limits, int64_t total) {
  std::vector<int64_t> counts(shares.size());
  int64_t assigned = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    counts[i] = std::clamp<int64_t>(static_cast<int64_t>(std::floor(shares[i])), 0, limits[i]);
    assigned += counts[i];
  }
  std::vector<size_t> order(shares.size());
  std::iota(order.begin(), order.end(), 0);
  const auto remainder = [&](size_t i) { return shares[i] - static_cast<double>(counts[i]); };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder(a) > remainder(b); });
  // One pass at most in practice; the loops guard against shares that summed slightly
  // off the total in floating point.
  for (bool moved = true; assigned < total && moved;) {
    moved = false;
    for (size_t i : order) {
      if (assigned == total) break;
      if (counts[i] < limits[i]) {
        ++counts[i];
        ++assigned;
        moved = true;
      }
    }
  }
  for (bool moved = true; assigned > total && moved;) {
    moved = false;
    for (auto it = order.rbegin(); it != order.rend() && assigned > total; ++it) {
      if (counts[*it] > 0) {
        --counts[*it];
        --assigned;
        moved = true;
      }
    }
  }
  return counts;
}

}  // namespace

SparsityAllocation allocate_sparsity(std::span<const SensitivityCurve> layers,
                                     double reference_accuracy, double target) {
  if (layers.empty()) fail("sparsity allocation: no layers");
  int64_t total = 0;
  double reachable = 0.0;  // weights removable within the measured points
  for (const SensitivityCurve& layer : layers) {
    check_curve(layer);
    total += layer.weights;
    reachable += static_cast<double>(layer.weights) * layer.curve.back().sparsity;
  }
  const auto kept_total =
      static_cast<int64_t>(std::llround((1.0 - target) * static_cast<double>(total)));
  double to_remove = static_cast<double>(total - kept_total);
  if (to_remove > reachable + 0.5) {
    fail(
        "sparsity allocation: target sparsity {} is above the {:.4f} that the largest "
        "measured points allow; add a larger point",
        target, reachable / static_cast<double>(total));
  }

  SparsityAllocation allocation;
  std::vector<double> sparsity(layers.size(), 0.0);
  const std::vector<HullSegment> segments = hull_segments(layers, reference_accuracy);
  for (size_t first = 0; first < segments.size() && to_remove > 0.0;) {
    // The group of segments with this slope, taken together.
    size_t last = first;
    double group_weights = 0.0;
    for (; last < segments.size() &&
           segments[last].drop_per_weight == segments[first].drop_per_weight;
         ++last) {
      const HullSegment& segment = segments[last];
      group_weights +=
          static_cast<double>(layers[segment.layer].weights) * (segment.to - segment.from);
    }
    const double taken = std::min(1.0, to_remove / group_weights);
    for (size_t k = first; k < last; ++k) {
      const HullSegment& segment = segments[k];
      sparsity[segment.layer] = segment.from + taken * (segment.to - segment.from);
      allocation.predicted_drop +=
          segment.drop_per_sparsity * (sparsity[segment.layer] - segment.from);
    }
    allocation.marginal_drop_per_weight = segments[first].drop_per_weight;
    to_remove -= taken * group_weights;
    first = last;
  }
  // The hulls count the drop above each curve's first point: add that first drop (0
  // unless the model scored below the reference at sparsity 0).
  for (size_t i = 0; i < layers.size(); ++i) {
    allocation.predicted_drop += running_max_drops(layers[i], reference_accuracy).front().drop;
  }

  std::vector<double> shares;
  std::vector<int64_t> limits;
  for (size_t i = 0; i < layers.size(); ++i) {
    shares.push_back(static_cast<double>(layers[i].weights) * (1.0 - sparsity[i]));
    limits.push_back(layers[i].weights);
  }
  allocation.kept = round_to_total(shares, limits, kept_total);
  for (size_t i = 0; i < layers.size(); ++i) {
    allocation.sparsity.push_back(1.0 - static_cast<double>(allocation.kept[i]) /
                                            static_cast<double>(layers[i].weights));
  }
  return allocation;
}

}  // namespace slim
