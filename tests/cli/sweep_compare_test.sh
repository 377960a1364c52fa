#!/usr/bin/env bash
# `slimbench compare BASE CURRENT`: 0 without a regression, 1 with one (accuracy drop, size
# growth), 2 on bad input.
#   sweep_compare_test.sh SLIMBENCH
set -euo pipefail
slimbench=$1
here=$(cd "$(dirname "$0")" && pwd)
sweep=$here/sweeps/small.json
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"

# compare_expect RC DESCRIPTION ARGS...: runs compare, checks its exit code.
compare_expect() {
  local expected=$1 what=$2; shift 2
  local rc=0
  "$slimbench" compare "$@" >"$work/cmp.out" 2>"$work/cmp.err" || rc=$?
  echo "== $what: exit $rc (expected $expected)"
  sed 's/^/   /' "$work/cmp.out" "$work/cmp.err"
  [[ $rc -eq $expected ]] || fail "$what: expected exit $expected, got $rc"
}

# edit_copy SRC DST PYTHON-EXPR: DST is SRC with `record` (the first ok one) changed.
edit_copy() {
  $python - "$1" "$2" "$3" <<'EOF'
import json, sys
src, dst, expression = sys.argv[1:]
records = [json.loads(line) for line in open(src)]
record = next(r for r in records if r["status"] == "ok")
exec(expression)
with open(dst, "w") as f:
    for r in records:
        f.write(json.dumps(r) + "\n")
print(f"edited job {record['job_id']}: {expression}")
EOF
}

for attempt in a b; do
  "$slimbench" run "$sweep" --results-dir "$work/$attempt" >/dev/null 2>"$work/err.$attempt" ||
    { tail -20 "$work/err.$attempt"; fail "run $attempt failed"; }
done
run_a=$(ls -d "$work"/a/small/*/)
run_b=$(ls -d "$work"/b/small/*/)

compare_expect 0 "a run against itself" "$run_a" "$run_a"
grep -q "verdict: no regression in 6 matched job(s)" "$work/cmp.out" || fail "verdict should count 6 matched jobs"
compare_expect 0 "a run against itself, given as runs.jsonl files" "$run_a/runs.jsonl" "$run_a/runs.jsonl"
compare_expect 0 "two runs of the same sweep, --no-latency" --no-latency "$run_a" "$run_b"

edit_copy "$run_a/runs.jsonl" "$work/accuracy.jsonl" 'record["metrics"]["accuracy"] -= 0.02'
compare_expect 1 "accuracy lowered by 0.02" --no-latency "$run_a" "$work/accuracy.jsonl"
grep -q "REGRESSION (accuracy)" "$work/cmp.out" || fail "no 'REGRESSION (accuracy)' row"
grep -q "verdict: REGRESSION in 1 of 6" "$work/cmp.out" || fail "the verdict should count 1 regression of 6"
compare_expect 0 "accuracy lowered by 0.02, --max-accuracy-drop 0.03" \
  --no-latency --max-accuracy-drop 0.03 "$run_a" "$work/accuracy.jsonl"
compare_expect 0 "accuracy raised by 0.02 (the other direction)" --no-latency "$work/accuracy.jsonl" "$run_a"

edit_copy "$run_a/runs.jsonl" "$work/size.jsonl" 'record["metrics"]["size_bytes"] += 1000'
compare_expect 1 "size_bytes grown by 1000" --no-latency "$run_a" "$work/size.jsonl"
grep -q "REGRESSION (size)" "$work/cmp.out" || fail "no 'REGRESSION (size)' row"

edit_copy "$run_a/runs.jsonl" "$work/failed.jsonl" 'record["status"] = "failed"; record["error"] = "injected"'
compare_expect 1 "a job ok in base, failed in current" --no-latency "$run_a" "$work/failed.jsonl"
grep -q "REGRESSION (failed)" "$work/cmp.out" || fail "no 'REGRESSION (failed)' row"

# Every latency sample doubled: a significant, large slowdown; ignored with --no-latency.
edit_copy "$run_a/runs.jsonl" "$work/slow.jsonl" '
for entry in record["metrics"]["latency"]:
    entry["samples_us"] = [2 * x for x in entry["samples_us"]]
    entry["latency_us"] = {k: 2 * v for k, v in entry["latency_us"].items()}
    entry["per_sample_us"] *= 2'
compare_expect 1 "latency samples doubled" "$run_a" "$work/slow.jsonl"
grep -q "REGRESSION (latency b=1)" "$work/cmp.out" || fail "no 'REGRESSION (latency b=1)' row"
compare_expect 0 "latency samples doubled, --no-latency" --no-latency "$run_a" "$work/slow.jsonl"

# A torn last line (an interrupted append) is noted and ignored, not an error.
cp "$run_a/runs.jsonl" "$work/torn.jsonl"
head -c 100 "$run_a/runs.jsonl" | tr -d '\n' >>"$work/torn.jsonl"
compare_expect 0 "current has a torn last line" --no-latency "$run_a" "$work/torn.jsonl"
grep -q "note: ignored the incomplete last line" "$work/cmp.out" || fail "the torn line was not noted"

# Bad input: exit 2, one line on stderr.
compare_expect 2 "a nonexistent path" "$run_a" "$work/nonexistent"
[[ $(wc -l <"$work/cmp.err") -eq 1 ]] || fail "expected one line on stderr"
grep -qF "$work/nonexistent" "$work/cmp.err" || fail "the error does not name the missing path"
: >"$work/empty.jsonl"
compare_expect 2 "no job in common (an empty runs.jsonl)" "$run_a" "$work/empty.jsonl"
grep -q "no job of" "$work/cmp.err" || fail "expected a 'no job of ... matches' error"
echo '{"job_id": "x"' >"$work/garbage.jsonl"
compare_expect 2 "a runs.jsonl line that is not JSON" "$run_a" "$work/garbage.jsonl"
grep -qF "$work/garbage.jsonl:1:" "$work/cmp.err" || fail "the error does not name FILE:LINE"
echo "PASS"
