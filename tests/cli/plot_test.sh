#!/usr/bin/env bash
# scripts/plot on a real sweep's results: four files, real PNG and SVG content.
set -euo pipefail
slimbench=$1
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
if ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  echo "skipped: /usr/bin/python3 has no matplotlib (apt-get install python3-matplotlib)"
  exit 4
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$slimbench" run "$source_dir/tests/cli/sweeps/tiny.json" --results-dir "$tmp/results" >/dev/null 2>&1
run_dir=$(ls -d "$tmp"/results/tiny/*/)
"$source_dir/scripts/plot" "$run_dir"
for kind in size latency; do
  png="$run_dir/pareto_$kind.png" svg="$run_dir/pareto_$kind.svg"
  [[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] ||
    { echo "FAIL: $png is not a PNG"; exit 1; }
  grep -q "<svg" "$svg" || { echo "FAIL: $svg is not an SVG"; exit 1; }
  echo "ok: pareto_$kind.png ($(stat -c %s "$png") bytes) and .svg"
done
# A missing input is one line on stderr and exit 2.
set +e
message=$("$source_dir/scripts/plot" "$tmp/nope" 2>&1 >/dev/null)
code=$?
set -e
[[ $code == 2 && $(printf '%s\n' "$message" | wc -l) == 1 ]] ||
  { echo "FAIL: missing input gave exit $code: $message"; exit 1; }
echo "ok: missing input -> exit 2: $message"
