#!/usr/bin/python3
"""Independent reference for slimbench's KL (entropy) calibration threshold.

The C++ implementation is methods/quantization/calibration/kl_threshold.cpp; this
script restates the same TensorRT-style search (REFERENCE.md, "KL / entropy
calibration") plainly, so the two can be checked against each other on fixed data:

  kl_reference.py --generate tests/fixtures/kl   # write the fixtures (fixed seeds)
  kl_reference.py --check tests/fixtures/kl      # recompute each; exit 1 on mismatch

A fixture is JSON: {"counts": [2048 ints], "bin_width": w, "bits": b,
"threshold_bin": i, "amax": i * w}. Only the histogram is stored, never raw data.
tests/quant/kl_reference_test.cpp loads the same files and requires the C++ search to
pick exactly threshold_bin.

The search, for a histogram of |x| with `counts` over [0, amax]:
  1. counts[0] = counts[1] (exact zeros, e.g. after ReLU, must not dominate);
  2. for each candidate i in [nq, bins], nq = 2^(bits-1):
     P = counts[:i] with sum(counts[i:]) added to P[i-1];
     Q: bin j < i belongs to group j * nq // i; each group's total over counts[:i] is
        spread evenly over the group's non-zero bins, zero bins stay zero;
     KL = sum over P > 0 of p * log(p / q), p = P / sum(P), q = Q / sum(counts[:i]);
        p > 0 where q == 0 makes KL infinite;
  3. the smallest KL wins, ties to the larger i; threshold = i * bin_width.
The KL terms are summed one by one in increasing bin order with math.log, as the C++
code does, so near-equal candidates compare the same way on both sides.

Exit codes: 0 ok, 1 mismatch, 2 bad usage or no fixtures, 4 numpy missing (skip).
"""

import argparse
import json
import math
import pathlib
import sys

try:
    import numpy as np
except ImportError:
    print("skipped: numpy is not importable by", sys.executable)
    sys.exit(4)

BINS = 2048
FIXTURE_SEED = 20261126


def kl_divergence(counts, i, levels):
    """KL(P || Q) of clipping the (zero-bin-adjusted) histogram `counts` at edge i."""
    kept = counts[:i]
    p_hist = kept.copy()
    p_hist[i - 1] += counts[i:].sum()

    groups = (np.arange(i) * levels) // i
    nonzero = kept > 0
    group_total = np.zeros(levels, dtype=np.int64)
    np.add.at(group_total, groups[nonzero], kept[nonzero])
    group_nonzero = np.bincount(groups[nonzero], minlength=levels)
    q_hist = np.zeros(i, dtype=np.float64)
    q_hist[nonzero] = group_total[groups[nonzero]] / group_nonzero[groups[nonzero]]

    p_total = float(p_hist.sum())
    q_total = float(kept.sum())
    p_list = p_hist.tolist()
    q_list = q_hist.tolist()
    divergence = 0.0
    for j in np.flatnonzero(p_hist).tolist():
        if q_list[j] == 0.0:
            return math.inf
        p = p_list[j] / p_total
        q = q_list[j] / q_total
        divergence += p * math.log(p / q)
    return divergence


def kl_threshold_bin(raw_counts, bits):
    counts = np.array(raw_counts, dtype=np.int64)
    levels = 1 << (bits - 1)
    if len(counts) < max(2, levels) or counts.sum() == 0:
        raise ValueError("need a non-empty histogram with at least max(2, 2^(bits-1)) bins")
    counts[0] = counts[1]
    if counts.sum() == 0:
        return len(counts)  # all data was in bin 0: keep the full range
    best_bin, best = len(counts), math.inf
    for i in range(levels, len(counts) + 1):
        divergence = kl_divergence(counts, i, levels)
        if divergence <= best:  # ties go to the larger threshold
            best_bin, best = i, divergence
    return best_bin


def histogram_of(values):
    magnitudes = np.abs(np.asarray(values, dtype=np.float64))
    amax = float(magnitudes.max())
    counts, _ = np.histogram(magnitudes, bins=BINS, range=(0.0, amax))
    return counts.astype(np.int64).tolist(), amax / BINS


def fixture_cases():
    """Name -> (values, bits); every case drawn from one fixed seed."""
    rng = np.random.default_rng(FIXTURE_SEED)
    gaussian = rng.normal(0.0, 1.0, 200_000)
    laplace = rng.laplace(0.0, 1.0, 200_000)
    outliers = rng.choice([-1.0, 1.0], 12) * rng.uniform(40.0, 60.0, 12)
    relu = np.maximum(rng.normal(0.3, 1.0, 100_000), 0.0)
    # 60 values on a 0.05 grid (so bins hold unequal counts) and one outlier.
    tiny = np.concatenate([np.round(rng.normal(0.0, 1.5, 60) * 20.0) / 20.0, [12.0]])
    return {
        "gaussian": (gaussian, 8),
        "laplace_outliers": (np.concatenate([laplace, outliers]), 8),
        "relu_zeros": (relu, 8),
        "tiny": (tiny, 8),
        "gaussian_4bit": (gaussian[:50_000], 4),
    }


def generate(directory):
    directory.mkdir(parents=True, exist_ok=True)
    for name, (values, bits) in fixture_cases().items():
        counts, bin_width = histogram_of(values)
        threshold_bin = kl_threshold_bin(counts, bits)
        fixture = {
            "generator": "scripts/kl_reference.py",
            "case": name,
            "bits": bits,
            "bin_width": bin_width,
            "threshold_bin": threshold_bin,
            "amax": threshold_bin * bin_width,
            "counts": counts,
        }
        (directory / f"{name}.json").write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
        print(f"{name}: threshold_bin {threshold_bin} amax {threshold_bin * bin_width:.6g}")


def check(directory):
    paths = sorted(directory.glob("*.json"))
    if not paths:
        print(f"no fixtures in {directory}")
        return 2
    failures = 0
    for path in paths:
        fixture = json.loads(path.read_text())
        got = kl_threshold_bin(fixture["counts"], fixture["bits"])
        want = fixture["threshold_bin"]
        status = "ok" if got == want else "MISMATCH"
        failures += got != want
        print(f"{path.name}: threshold_bin fixture {want} recomputed {got} {status}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--generate", metavar="DIR", type=pathlib.Path)
    mode.add_argument("--check", metavar="DIR", type=pathlib.Path)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate)
        return 0
    return check(args.check)


if __name__ == "__main__":
    sys.exit(main())
