#!/usr/bin/env bash
# scripts/int8-speedup on small hand-made benchmark files: speedups, each variant's rate
# as a fraction of its own instruction's peak from bench_isa_peak's JSON, and the count
# of shapes at or above the target.
set -euo pipefail
script=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def entries(rows, counter):
    return {"benchmarks": [{"name": f"{n}/real_time", "run_name": f"{n}/real_time",
                            "run_type": "iteration", counter: v}
                           for n, values in rows.items() for v in values]}
json.dump(entries({"int8_gemm/avx512_vnni/a": [200, 210, 190],
                   "int8_gemm/avx512_vnni/b": [50],
                   "int8_gemm/avx512_vnni+requant/a": [100],
                   "int8_gemm/avx2/a": [150]}, "GOP/s"), open(f"{work}/int8.json", "w"))
json.dump(entries({"fp32_gemm/openblas/a": [100], "fp32_gemm/openblas/b": [50]},
                  "GFLOP/s"), open(f"{work}/fp32.json", "w"))
json.dump(entries({"isa_peak/fp32_fma_avx2": [100], "isa_peak/fp32_fma_avx512": [125],
                   "isa_peak/int8_vpdpbusd_avx512": [400],
                   "isa_peak/int8_vpmaddwd_avx2": [300]}, "G/s"), open(f"{work}/peak.json", "w"))
PY
out=$(python3 "$script" "$work/int8.json" "$work/fp32.json" --peaks "$work/peak.json")
echo "$out"
expect() {
  if ! grep -qF -- "$1" <<<"$out"; then
    echo "FAIL: missing: $1"
    exit 1
  fi
}
# Median 200 against 100: 2.00x; SGEMM 100 of the faster FMA peak 125; vpdpbusd 400.
expect "| a | avx512_vnni | 100.0 | 200.0 | 2.00x | 80% | 50% |"
expect "| b | avx512_vnni | 50.0 | 50.0 | 1.00x | 40% | 12% |"
# +requant shares vpdpbusd's peak; avx2 is measured against vpmaddwd's.
expect "| a | avx512_vnni+requant | 100.0 | 100.0 | 1.00x | 80% | 25% |"
expect "| a | avx2 | 100.0 | 150.0 | 1.50x | 80% | 50% |"
expect "avx512_vnni: 1 of 2 shapes at or above 1.7x; below: b 1.00x"
expect "avx2: 0 of 1 shapes at or above 1.7x; below: a 1.50x"
echo "passed"
