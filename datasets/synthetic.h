// "synthetic": a small generated dataset for fast, deterministic tests.
//
// 10 classes of 1x28x28 uint8 images, 2000 train and 500 test, class-balanced. Each
// class is three soft blobs on a 3x3 grid, chosen as lines of the 3x3 affine plane so
// two classes share at most one blob: no single pixel identifies a class, yet a small
// model separates them within an epoch or two. Per sample the blobs shift, change
// brightness, gain a fainter distractor blob, and get pixel noise, all from slim::Rng
// (the pixel math is in double, so fused multiply-adds on one CPU and not another
// cannot move a rounded byte in practice).
#pragma once

#include <cstdint>

#include "datasets/dataset.h"

namespace slim {

inline constexpr uint64_t kSyntheticDefaultSeed = 1;
inline constexpr int64_t kSyntheticTrainCount = 2000;
inline constexpr int64_t kSyntheticTestCount = 500;

// Same seed, same bytes. The class prototypes do not depend on the seed; only the
// per-sample variation and the order of samples do.
Dataset make_synthetic(uint64_t seed = kSyntheticDefaultSeed);

}  // namespace slim
