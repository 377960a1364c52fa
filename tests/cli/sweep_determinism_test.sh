#!/usr/bin/env bash
# The same sweep run twice (separate results directories, so nothing is cached between
# them) gives the same jobs and the same accuracy, size, parameter and MAC numbers, both
# in runs.jsonl (matched by job_id) and in table.csv (matched by group_id).
#   sweep_determinism_test.sh SLIMBENCH
set -euo pipefail
slimbench=$1
here=$(cd "$(dirname "$0")" && pwd)
sweep=$here/sweeps/tiny.json
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"

for attempt in a b; do
  echo "== run $attempt of $(basename "$sweep")"
  "$slimbench" run "$sweep" --results-dir "$work/$attempt" >"$work/out.$attempt" 2>"$work/err.$attempt" ||
    { tail -20 "$work/err.$attempt"; fail "run $attempt failed"; }
done
run_a=$(ls -d "$work"/a/tiny/*/)
run_b=$(ls -d "$work"/b/tiny/*/)
echo "runs: $run_a $run_b"

$python - "$run_a" "$run_b" <<'EOF' || fail "the two runs differ"
import csv, json, os, sys
a, b = sys.argv[1], sys.argv[2]

def records(run):
    by_id = {}
    with open(os.path.join(run, "runs.jsonl")) as f:
        for line in f:
            record = json.loads(line)
            assert record["status"] == "ok", (run, record["job_id"], record.get("error"))
            assert record["job_id"] not in by_id, ("job_id twice", run, record["job_id"])
            by_id[record["job_id"]] = record
    return by_id

ra, rb = records(a), records(b)
if set(ra) != set(rb):
    sys.exit(f"job_ids differ: only in a {sorted(set(ra) - set(rb))}, only in b {sorted(set(rb) - set(ra))}")
print(f"{len(ra)} job_ids, identical sets")
fields = ["accuracy", "size_bytes", "compression_ratio", "parameters", "macs"]
bad = 0
for job, record in ra.items():
    for field in fields:
        va, vb = record["metrics"].get(field), rb[job]["metrics"].get(field)
        if va is None or va != vb:
            print(f"job {job} ({record['labels']}): metrics.{field} {va!r} vs {vb!r}")
            bad += 1
if bad:
    sys.exit(f"{bad} metric value(s) differ or are missing")
print(f"metrics {', '.join(fields)} identical for every job")

# Energy provenance: a measured figure names its counter; a modelled one says why no
# counter was read (on these VMs: no /sys/class/powercap).
for job, record in ra.items():
    metrics = record["metrics"]
    source, why = metrics.get("energy_source"), metrics.get("energy_meter_unavailable")
    if "energy_j" not in metrics or source is None:
        sys.exit(f"job {job}: no energy_j or energy_source in {sorted(metrics)}")
    if source == "model-horowitz45" and not why:
        sys.exit(f"job {job}: modelled energy without energy_meter_unavailable")
    if source != "model-horowitz45" and why is not None:
        sys.exit(f"job {job}: measured energy ({source}) yet energy_meter_unavailable {why!r}")
print(f"energy provenance stated for every job ({source}{': ' + why if why else ''})")

def table(run):
    with open(os.path.join(run, "table.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    return {row["group_id"]: row for row in rows}

columns = ["top1_pct_mean", "top1_pct_std", "delta_top1_pt_mean", "delta_top1_pt_std",
           "size_kib_mean", "size_kib_std", "ratio_mean", "ratio_std", "macs_mean"]
ta, tb = table(a), table(b)
if set(ta) != set(tb):
    sys.exit(f"table.csv groups differ: {sorted(set(ta) ^ set(tb))}")
for group, row in ta.items():
    for column in columns:
        if column not in row:
            sys.exit(f"table.csv has no column {column}")
        if row[column] == "" or row[column] != tb[group][column]:
            sys.exit(f"table.csv group {group} {column}: {row[column]!r} vs {tb[group][column]!r}")
print(f"table.csv: {len(ta)} rows, columns {', '.join(columns)} identical")
EOF
echo "PASS"
