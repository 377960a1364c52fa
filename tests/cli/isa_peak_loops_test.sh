#!/usr/bin/env bash
# bench_isa_peak must run its twelve accumulator chains as twelve instructions per step.
# Started from equal values, GCC 12 merged them into one chain and the bench reported
# 12 / latency instead of the throughput (3x too high on Zen 4: docs/backends.md §5k).
# The loops are compiled for their ISA whatever the build machine, so this reads the
# disassembly on any x86-64 machine. Skips (exit 4) without objdump.
set -euo pipefail
bench=$1
if ! command -v objdump >/dev/null; then
  echo "skipped: objdump not found"
  exit 4
fi
listing=$(objdump -d --no-show-raw-insn "$bench")
failures=0
check() {  # check FUNCTION INSTRUCTION: at least 12 of INSTRUCTION in FUNCTION's body
  local function=$1 instruction=$2 count
  count=$(awk -v f="$function" '
    $0 ~ "<_ZN[^>]*" f "ERN9benchmark5StateE>:$" { inside = 1; next }
    inside && /^$/ { exit }
    inside && $0 ~ instruction { n++ }
    END { print n + 0 }' instruction="$instruction" <<<"$listing")
  if ((count < 12)); then
    echo "FAIL: $function has $count $instruction instructions, expected at least 12"
    failures=$((failures + 1))
  else
    echo "ok: $function: $count $instruction"
  fi
}
check fp32_fma_avx2 vfmadd
check fp32_fma_avx512 vfmadd
check int8_vpmaddwd_avx2 vpmaddwd
check int8_vpdpbusd_avx512 vpdpbusd
exit $((failures > 0))
