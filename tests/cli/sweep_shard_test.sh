#!/usr/bin/env bash
# --shard i/N splits a sweep into disjoint slices that cover it, `merge` joins the slices'
# run directories, --filter selects jobs by regex; bad --shard/--filter values exit 2.
#   sweep_shard_test.sh SLIMBENCH [main|empty_shard]
set -euo pipefail
slimbench=$1
mode=${2:-main}
here=$(cd "$(dirname "$0")" && pwd)
sweep=$here/sweeps/small.json
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
results=$work/results
cd "$work"

# dry_ids OUT ARGS...: the IDs a --dry-run lists, one per line, into OUT; checks that the
# count on its first line matches.
dry_ids() {
  local out=$1; shift
  "$slimbench" run "$sweep" --dry-run --results-dir "$results" "$@" >"$work/dry.txt"
  tail -n +2 "$work/dry.txt" | awk '{print $1}' >"$out"
  local said listed
  said=$(head -1 "$work/dry.txt" | awk '{print $1}')
  listed=$(grep -c '' "$out" || true)
  [[ $said -eq $listed ]] || fail "--dry-run $* says $said jobs but lists $listed"
}

# expect_bad DESCRIPTION PHRASE ARGS...: `run` must exit 2 with one stderr line holding PHRASE.
expect_bad() {
  local what=$1 phrase=$2; shift 2
  local rc=0
  "$slimbench" run "$sweep" --results-dir "$results" "$@" >"$work/out" 2>"$work/err" || rc=$?
  echo "== $what: exit $rc: $(cat "$work/err")"
  [[ $rc -eq 2 ]] || fail "$what: expected exit 2, got $rc"
  [[ $(wc -l <"$work/err") -eq 1 ]] || fail "$what: expected one line on stderr"
  grep -qF -- "$phrase" "$work/err" || fail "$what: stderr lacks '$phrase'"
}

# check_run_ids RUNS_FILE EXPECTED_IDS_FILE: every line JSON, status ok, job_ids unique
# and exactly the expected set.
check_run_ids() {
  $python - "$1" "$2" <<'EOF'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
ids = [r["job_id"] for r in records]
expected = set(open(sys.argv[2]).read().split())
bad = [r["job_id"] for r in records if r["status"] != "ok"]
if bad: sys.exit(f"{sys.argv[1]}: jobs not ok: {bad}")
if len(set(ids)) != len(ids): sys.exit(f"{sys.argv[1]}: job_ids repeat")
if set(ids) != expected: sys.exit(f"{sys.argv[1]}: job_ids differ from the expected: {set(ids) ^ expected}")
print(f"{sys.argv[1]}: {len(ids)} unique job_ids, as expected")
EOF
}

if [[ $mode == empty_shard ]]; then
  # More shards than jobs: some shards are empty. Their run directories must still merge
  # (a job array does not know in advance which of its tasks get no jobs).
  dry_ids "$work/all" 
  n=$(grep -c '' "$work/all")
  count=$((n + 2))
  dirs=()
  for i in 0 $((n + 1)); do
    "$slimbench" run "$sweep" --shard "$i/$count" --results-dir "$results" >/dev/null 2>"$work/err" ||
      { cat "$work/err"; fail "shard $i/$count failed"; }
    dirs+=("$(ls -d "$results"/small/*-shard"${i}"of"${count}")")
  done
  "$slimbench" merge "${dirs[@]}" --out "$work/merged" >"$work/out" 2>"$work/err" ||
    { cat "$work/err"; fail "merging a non-empty shard with an empty one failed"; }
  dry_ids "$work/expected" --shard "0/$count"
  check_run_ids "$work/merged/runs.jsonl" "$work/expected"
  echo "PASS"
  exit 0
fi

echo "== --dry-run lists every job"
dry_ids "$work/all"
n=$(grep -c '' "$work/all")
echo "$n jobs"
[[ $n -eq 6 ]] || fail "expected 6 jobs in $(basename "$sweep"), got $n"
[[ $(sort -u "$work/all" | grep -c '') -eq $n ]] || fail "--dry-run lists a job_id twice"

echo "== --shard 0/2 and 1/2 partition them"
dry_ids "$work/s0" --shard 0/2
dry_ids "$work/s1" --shard 1/2
echo "shard 0: $(grep -c '' "$work/s0") jobs, shard 1: $(grep -c '' "$work/s1") jobs"
[[ -s $work/s0 && -s $work/s1 ]] || fail "a shard of a 6-job sweep is empty"
[[ -z $(comm -12 <(sort "$work/s0") <(sort "$work/s1")) ]] || fail "the shards overlap"
diff <(sort "$work/all") <(sort -u "$work/s0" "$work/s1") || fail "the shards do not cover the sweep"
[[ -z "$(ls -A "$work" | grep -v '^dry.txt$\|^all$\|^s[01]$' || true)" ]] || fail "--dry-run wrote files"

echo "== run both shards, merge them"
for i in 0 1; do
  "$slimbench" run "$sweep" --shard "$i/2" --results-dir "$results" >/dev/null 2>"$work/err" ||
    { cat "$work/err"; fail "shard $i/2 failed"; }
done
dir0=$(ls -d "$results"/small/*-shard0of2)
dir1=$(ls -d "$results"/small/*-shard1of2)
check_run_ids "$dir0/runs.jsonl" "$work/s0"
check_run_ids "$dir1/runs.jsonl" "$work/s1"
"$slimbench" merge "$dir0" "$dir1" --out "$work/merged" >"$work/merge.out" 2>"$work/err" ||
  { cat "$work/err"; fail "merge failed"; }
tail -1 "$work/merge.out"
check_run_ids "$work/merged/runs.jsonl" "$work/all"
for f in table.md table.csv sweep.json env.json; do
  [[ -s $work/merged/$f ]] || fail "merged $f missing"
done
$python - "$work/merged/sweep.json" "$dir0" "$dir1" <<'EOF' || fail "merged sweep.json lacks merged_from"
import json, sys
sweep = json.load(open(sys.argv[1]))
assert sweep["name"] == "small", sweep["name"]
assert sweep["merged_from"] == sys.argv[2:], sweep["merged_from"]
EOF

echo "== merging a shard with itself keeps each job once"
"$slimbench" merge "$dir0" "$dir0" "$dir1" --out "$work/merged2" >/dev/null 2>"$work/err" ||
  { cat "$work/err"; fail "merge with a repeated input failed"; }
check_run_ids "$work/merged2/runs.jsonl" "$work/all"

echo "== merge errors exit 2"
rc=0; "$slimbench" merge "$dir0" "$dir1" --out "$work/merged" >/dev/null 2>"$work/err" || rc=$?
echo "into a directory that holds results: exit $rc: $(cat "$work/err")"
[[ $rc -eq 2 ]] || fail "merge into an existing merge: expected exit 2, got $rc"
cp -r "$dir1" "$work/other"
$python - "$work/other/sweep.json" <<'EOF'
import json, sys
sweep = json.load(open(sys.argv[1])); sweep["name"] = "another-sweep"
json.dump(sweep, open(sys.argv[1], "w"))
EOF
rc=0; "$slimbench" merge "$dir0" "$work/other" --out "$work/merged3" >/dev/null 2>"$work/err" || rc=$?
echo "runs of two sweeps: exit $rc: $(cat "$work/err")"
[[ $rc -eq 2 ]] || fail "merging two sweeps: expected exit 2, got $rc"
grep -qF "another-sweep" "$work/err" || fail "the error does not name the other sweep"
[[ ! -e $work/merged3 ]] || fail "a refused merge created its output directory"

echo "== --filter"
dry_ids "$work/ref" --filter 'reference'
grep -c '' "$work/ref" | xargs echo "jobs matching 'reference':"
[[ $(grep -c '' "$work/ref") -eq 3 ]] || fail "--filter reference should select 3 jobs"
grep -q ' | reference | ' <(tail -n +2 "$work/dry.txt") || fail "no reference job listed"
! grep -q ' | openblas | ' <(tail -n +2 "$work/dry.txt") || fail "--filter reference listed an openblas job"
dry_ids "$work/ref_shard" --filter 'reference' --shard 1/2
[[ -z $(comm -23 <(sort "$work/ref_shard") <(sort "$work/ref")) ]] ||
  fail "--filter with --shard selected a job outside the filter"
first=$(head -1 "$work/all")
dry_ids "$work/by_id" --filter "^$first"
[[ $(cat "$work/by_id") == "$first" ]] || fail "--filter by job_id should select exactly that job"

expect_bad "--filter matching nothing" "matches none of the $n jobs" --filter 'no-such-job'
expect_bad "--filter matching nothing, --dry-run" "matches none" --filter 'no-such-job' --dry-run
expect_bad "--filter that is not a regex" "not a valid regular expression" --filter '(' --dry-run
expect_bad "--shard 2/2" "--shard: expected i/N with 0 <= i < N" --shard 2/2 --dry-run
expect_bad "--shard 0/0" "--shard" --shard 0/0 --dry-run
expect_bad "--shard -1/2" "--shard" --shard -1/2 --dry-run
expect_bad "--shard 1" "--shard" --shard 1 --dry-run
[[ $(ls "$results"/small | grep -c '') -eq 2 ]] || fail "a refused run created a run directory"
echo "PASS"
