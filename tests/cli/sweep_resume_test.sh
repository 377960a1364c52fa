#!/usr/bin/env bash
# A sweep killed with SIGKILL half way (and left with a torn last line in runs.jsonl) is
# finished by `run --resume`: same run directory, every job recorded exactly once, the
# records from before the kill kept byte for byte. `--resume` with no earlier run is an
# error (exit 2). Resuming after an edit of the sweep runs only the new jobs and leaves
# the records of removed jobs in runs.jsonl but out of the tables.
#   sweep_resume_test.sh SLIMBENCH
set -euo pipefail
slimbench=$1
here=$(cd "$(dirname "$0")" && pwd)
sweep=$here/sweeps/resume.json
python=/usr/bin/python3
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
results=$work/results
cd "$work"

echo "== --resume with no earlier run must fail with exit 2 and write nothing"
rc=0
"$slimbench" run "$sweep" --resume --results-dir "$results" >"$work/out0" 2>"$work/err0" || rc=$?
cat "$work/err0"
[[ $rc -eq 2 ]] || fail "--resume without an earlier run: expected exit 2, got $rc"
[[ $(wc -l <"$work/err0") -eq 1 ]] || fail "--resume without an earlier run: expected one stderr line"
grep -qF -- "--resume: no earlier run of 'resume'" "$work/err0" || fail "unexpected message"
[[ ! -e $results/resume ]] || fail "--resume without an earlier run created $results/resume"

"$slimbench" run "$sweep" --dry-run --results-dir "$results" >"$work/dry"
jobs=$(head -1 "$work/dry" | awk '{print $1}')
echo "== the sweep has $jobs jobs"
[[ $jobs -ge 8 ]] || fail "expected a sweep of about 12 jobs, got '$jobs'"

echo "== start it, SIGKILL it once runs.jsonl holds >= 2 records"
"$slimbench" run "$sweep" --results-dir "$results" >"$work/out1" 2>"$work/err1" &
pid=$!
runs_file=""
for _ in $(seq 1 600); do  # 60 s at most
  if [[ -z $runs_file ]]; then
    runs_file=$(ls -d "$results"/resume/*/runs.jsonl 2>/dev/null | head -1 || true)
  fi
  if [[ -n $runs_file ]] && [[ $(wc -l <"$runs_file") -ge 2 ]]; then break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null || { cat "$work/err1"; fail "the run ended before it could be killed (jobs too fast?)"; }
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=""
[[ -n $runs_file ]] || fail "no runs.jsonl appeared"
run_dir=$(dirname "$runs_file")
complete=$(grep -c '' "$runs_file" || true)
echo "killed with $complete record(s) in $runs_file"
[[ $complete -ge 2 && $complete -lt $jobs ]] || fail "expected a run killed mid-way, got $complete of $jobs records"

# Keep the complete lines, then simulate a write torn by the kill: half a record, no '\n'.
$python - "$runs_file" "$work/before.jsonl" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
complete = data[: data.rfind(b"\n") + 1]
open(sys.argv[2], "wb").write(complete)
EOF
complete=$(grep -c '' "$work/before.jsonl")
head -c 150 "$work/before.jsonl" | tr -d '\n' >>"$runs_file"
echo "appended a torn partial record; kept $complete complete line(s) to compare against"

echo "== resume"
rc=0
"$slimbench" run "$sweep" --resume --results-dir "$results" >"$work/out2" 2>"$work/err2" || rc=$?
[[ $rc -eq 0 ]] || { cat "$work/err2"; fail "--resume exited $rc"; }
grep -qF "resuming $run_dir" "$work/err2" || { cat "$work/err2"; fail "--resume did not say it resumes $run_dir"; }
grep -qF "$jobs job(s), $complete already recorded" "$work/err2" ||
  { cat "$work/err2"; fail "--resume did not report $complete jobs already recorded"; }

run_dirs=$(find "$results/resume" -mindepth 1 -maxdepth 1 -type d | wc -l)
[[ $run_dirs -eq 1 ]] || fail "expected the one run directory to be reused, found $run_dirs"
lines=$(grep -c '' "$runs_file")
echo "runs.jsonl: $lines line(s) for $jobs job(s)"
[[ $lines -eq $jobs ]] || fail "runs.jsonl holds $lines lines, expected $jobs"
[[ $(tail -c 1 "$runs_file" | od -An -c | tr -d ' ') == '\n' ]] || fail "runs.jsonl does not end in a newline"
cmp -n "$(stat -c %s "$work/before.jsonl")" "$work/before.jsonl" "$runs_file" ||
  fail "the records written before the kill changed"
$python - "$runs_file" "$jobs" "$work/dry" <<'EOF' || fail "runs.jsonl check failed"
import json, sys
path, jobs = sys.argv[1], int(sys.argv[2])
ids = []
with open(path) as f:
    for number, line in enumerate(f, 1):
        try:
            record = json.loads(line)
        except ValueError as e:
            sys.exit(f"line {number} is not JSON: {e}")
        if record.get("status") != "ok":
            sys.exit(f"line {number}: status {record.get('status')!r}, error {record.get('error')!r}")
        ids.append(record["job_id"])
if len(set(ids)) != len(ids):
    sys.exit(f"job_ids repeat: {sorted(i for i in ids if ids.count(i) > 1)}")
planned = [line.split()[0] for line in open(sys.argv[3]).readlines()[1:] if line.strip()]
if len(planned) != jobs:
    sys.exit(f"--dry-run listed {len(planned)} jobs, its first line says {jobs}")
if set(ids) != set(planned):
    sys.exit(f"recorded ids differ from the planned ones: {set(ids) ^ set(planned)}")
print(f"{len(ids)} unique job_ids, all ok, all planned")
EOF
[[ -s $run_dir/table.md ]] || fail "table.md missing after the resume"
[[ -s $run_dir/env.resumed.json ]] || fail "env.resumed.json missing after the resume"

echo "== resuming a finished run runs nothing and keeps runs.jsonl"
cp "$runs_file" "$work/finished.jsonl"
"$slimbench" run "$sweep" --resume --results-dir "$results" >/dev/null 2>"$work/err3" ||
  { cat "$work/err3"; fail "second --resume failed"; }
grep -qF "$jobs job(s), $jobs already recorded" "$work/err3" || { cat "$work/err3"; fail "second --resume reran jobs"; }
cmp "$work/finished.jsonl" "$runs_file" || fail "second --resume changed runs.jsonl"

echo "== resuming after an edit: runs the new jobs, keeps the old records, tables show the sweep as it is"
# bits 3 leaves the sweep and bits 2 joins it: two jobs (one per backend) each way.
$python - "$sweep" "$work/resume.json" <<'EOF'
import json, sys
sweep = json.load(open(sys.argv[1]))
params = sweep["pipelines"][1]["steps"][0]["params"]
params["bits"] = [2 if bits == 3 else bits for bits in params["bits"]]
json.dump(sweep, open(sys.argv[2], "w"))
EOF
"$slimbench" run "$work/resume.json" --resume --results-dir "$results" >/dev/null 2>"$work/err4" ||
  { cat "$work/err4"; fail "--resume of the edited sweep failed"; }
cat "$work/err4"
grep -qF "$jobs job(s), $((jobs - 2)) already recorded" "$work/err4" ||
  fail "the edited sweep should have $((jobs - 2)) of its $jobs jobs recorded already"
grep -qF "the sweep file changed" "$work/err4" || fail "no warning that the sweep changed"
grep -qF "2 record(s) in runs.jsonl belong to jobs the edited sweep no longer has" "$work/err4" ||
  fail "no note about the two stale records"
cmp -n "$(stat -c %s "$work/finished.jsonl")" "$work/finished.jsonl" "$runs_file" ||
  fail "the edited resume changed earlier records"
[[ $(grep -c '' "$runs_file") -eq $((jobs + 2)) ]] || fail "runs.jsonl should hold $((jobs + 2)) lines"
[[ -s $run_dir/sweep.resumed.json ]] || fail "sweep.resumed.json missing after the edited resume"
grep -qE 'bits=2' "$run_dir/table.md" || { cat "$run_dir/table.md"; fail "table.md lacks the new bits=2 rows"; }
if grep -qE 'bits=3' "$run_dir/table.md"; then
  cat "$run_dir/table.md"
  fail "table.md still shows the bits=3 rows the edit removed"
fi
echo "PASS"
