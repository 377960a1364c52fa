#!/usr/bin/env bash
# `slimbench bench-compare` on a real benchmark: the same benchmark run twice from the same
# build is not a regression (exit 0); the same with SLIMBENCH_BENCH_INJECT_SLOWDOWN=0.2
# (every timed GEMM call spins for another 20% of its own time) is one (exit 1); bad
# input exits 2 with one line.
#   bench_compare_test.sh SLIMBENCH BENCH_FP32_GEMM
#
# One small case (OpenBLAS 128^3, ~0.07 ms a call), 10 repetitions a side of >= 0.05 s
# each: about 3 seconds in all.
#
# Noise: on a shared 2-core VM, whole processes of this benchmark measured 59 us or 71 us
# depending on what ran on the other core, so two runs made one after the other can
# differ by 20% even though each is steady within itself. The three sides therefore run
# interleaved, in 5 rounds of (base, rerun, slowed) processes of 2 repetitions each, and
# each side's files are merged into one (the JSON stays Google Benchmark's own, with its
# aggregates, which bench-compare must ignore). Load then hits all three sides alike.
# --min-change 0.10 sits halfway between the few percent that interleaved reruns differ
# by and the injected 20%. A load spike can still fool one attempt, so an attempt is
# repeated (up to 3) when a check fails; a broken comparison fails all three.
set -euo pipefail
slimbench=$1
bench=$2
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

filter='^fp32_gemm/openblas/square/128/'
# run_bench OUT.json [VAR=VALUE...]: two repetitions of the benchmark, JSON into OUT.json.
run_bench() {
  local out=$1; shift
  env "$@" "$bench" --benchmark_filter="$filter" --benchmark_repetitions=2 \
    --benchmark_min_time=0.05 --benchmark_out="$out" --benchmark_out_format=json \
    >"$out.console" 2>"$out.err" || { cat "$out.err"; fail "$bench failed"; }
}

# merge OUT.json IN.json...: IN's benchmark entries concatenated under the first's context.
merge() {
  $python - "$@" <<'PY'
import json, sys
out, *inputs = sys.argv[1:]
documents = [json.load(open(path)) for path in inputs]
merged = documents[0]
merged["benchmarks"] = [entry for d in documents for entry in d["benchmarks"]]
json.dump(merged, open(out, "w"), indent=1)
PY
}

# compare BASE CURRENT [flags...]: prints the output, leaves the exit code in $rc.
compare() {
  rc=0
  "$slimbench" bench-compare "$@" >"$work/cmp.out" 2>"$work/cmp.err" || rc=$?
  sed 's/^/   /' "$work/cmp.out" "$work/cmp.err"
}

measure_interleaved() {
  rm -f "$work"/round*.json
  for round in 1 2 3 4 5; do
    run_bench "$work/round$round-base.json"
    run_bench "$work/round$round-rerun.json"
    run_bench "$work/round$round-slow.json" SLIMBENCH_BENCH_INJECT_SLOWDOWN=0.2
  done
  for side in base rerun slow; do merge "$work/$side.json" "$work"/round*-"$side".json; done
  grep -q '"run_type": "aggregate"' "$work/base.json" || fail "expected aggregates in the JSON"
}

passed=0
for attempt in 1 2 3; do
  echo "== attempt $attempt"
  measure_interleaved
  echo "-- a rerun of the same build (expect exit 0)"
  compare "$work/base.json" "$work/rerun.json" --min-change 0.10
  rerun_rc=$rc
  grep -q "warning" "$work/cmp.out" && fail "unexpected warning for 10 repetitions of one machine"
  echo "-- a run with a 20% injected slowdown (expect exit 1)"
  compare "$work/base.json" "$work/slow.json" --min-change 0.10
  slow_rc=$rc
  slow_flagged=no
  grep -q 'fp32_gemm/openblas/square/128/real_time *10/10 .*REGRESSION' "$work/cmp.out" &&
    slow_flagged=yes
  if [[ $rerun_rc -eq 0 && $slow_rc -eq 1 && $slow_flagged == yes ]]; then
    passed=1
    break
  fi
  echo "attempt $attempt: rerun exit $rerun_rc (want 0), slowed exit $slow_rc (want 1)"
done
((passed)) || fail "bench-compare did not separate a rerun from a 20% slowdown in 3 attempts"

# Bad input: exit 2 and one line on stderr naming the file.
echo "-- a missing file (expect exit 2)"
compare "$work/base.json" "$work/missing.json"
[[ $rc -eq 2 ]] || fail "a missing file: expected exit 2, got $rc"
[[ $(wc -l <"$work/cmp.err") -eq 1 ]] || fail "expected one line on stderr"
grep -qF "$work/missing.json" "$work/cmp.err" || fail "the error does not name the missing file"

echo "-- a JSON file that is not Google Benchmark output (expect exit 2)"
echo '{"job_id": "x"}' >"$work/other.json"
compare "$work/base.json" "$work/other.json"
[[ $rc -eq 2 ]] || fail "not Google Benchmark JSON: expected exit 2, got $rc"
grep -qF "$work/other.json: /benchmarks:" "$work/cmp.err" ||
  fail "the error does not name FILE: /benchmarks"
echo "PASS"
