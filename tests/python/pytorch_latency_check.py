#!/usr/bin/env python3
"""Runs scripts/pytorch-latency briefly and checks its record and its bad-input errors.

Exit codes: 0 passed, 1 a check failed, 4 skipped (no torch/numpy, or no dataset).
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "pytorch-latency")
DATASET = os.environ.get("SLIMBENCH_FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"


def run(*arguments):
    return subprocess.run([sys.executable, SCRIPT, *arguments], capture_output=True, text=True)


def check(condition, message, failures):
    if not condition:
        failures.append(message)


def main():
    try:
        import numpy  # noqa: F401
        import torch
    except ImportError as error:
        print(f"skipped: {error}")
        return 4
    if not os.path.isdir(DATASET):
        print(f"skipped: no dataset at {DATASET}")
        return 4

    failures = []
    offered = [e for e in torch.backends.quantized.supported_engines if e != "none"]
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "record.json")
        result = run("--batch-sizes", "1,3", "--warmup", "1", "--min-time", "0.01",
                     "--min-runs", "3", "--calibration", "16", "--json", out)
        if result.returncode != 0:
            print(result.stdout, result.stderr)
            print(f"FAIL: exit code {result.returncode}")
            return 1
        record = json.load(open(out))

        expected = {("fp32", b) for b in (1, 3)} | {(f"int8 {e}", b) for e in offered
                                                     for b in (1, 3)}
        got = {(row["variant"], row["batch"]) for row in record["rows"]}
        check(got == expected, f"rows {sorted(got)}, expected {sorted(expected)}", failures)
        for row in record["rows"]:
            t = row["latency"]
            label = f"{row['variant']} b{row['batch']}"
            check(t["runs"] >= 3 and t["minimums_met"], f"{label}: {t['runs']} runs", failures)
            check(0 < t["min_us"] <= t["p50_us"] <= t["p90_us"] <= t["p99_us"] <= t["max_us"],
                  f"{label}: percentiles out of order {t}", failures)
            check(t["min_us"] <= t["mean_us"] <= t["max_us"], f"{label}: mean {t}", failures)
            # A converted model holds quantized modules; the FP32 one none.
            quantized = row["quantized_modules"]
            check(quantized > 0 if row["engine"] else quantized == 0,
                  f"{label}: {quantized} quantized modules", failures)
            check(row["top1"] is None, f"{label}: top-1 without a checkpoint", failures)
        for key in ("torch_version", "cpu", "git_commit", "dataset_sha256", "method"):
            check(record.get(key), f"record lacks {key}", failures)
        check(len(record["dataset_sha256"]) == 4, "expected 4 IDX checksums", failures)
        check(record["threads"] == 1 and len(record["pinned_cpus"]) == 1, "threads", failures)

        # Bad input: exit 2, one line naming the option and the valid choices.
        garbage = os.path.join(work, "garbage.safetensors")
        with open(garbage, "w") as handle:
            handle.write("junk")  # shorter than the 8-byte header length
        for arguments, needle in ((["--checkpoint", garbage], "garbage.safetensors"),
                                  (["--model", "alexnet"], "lenet-5"),
                                  (["--engines", "fbgemm"], offered[0] if offered else ""),
                                  (["--batch-sizes", "one"], "--batch-sizes"),
                                  (["--checkpoint", os.path.join(work, "missing.safetensors")],
                                   "missing.safetensors")):
            bad = run(*arguments, "--min-runs", "1", "--min-time", "0", "--warmup", "0")
            lines = bad.stderr.strip().splitlines()
            check(bad.returncode == 2 and len(lines) == 1 and needle in lines[0],
                  f"{arguments}: exit {bad.returncode}, stderr {bad.stderr!r}", failures)

    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print(f"passed: {len(record['rows'])} rows, engines {offered}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
