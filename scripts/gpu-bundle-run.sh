#!/usr/bin/env bash
# Runs on the GPU machine, from .gpu-bundle/ (made by scripts/gpu-bundle), what has been
# verified least first, because a lease may end before the script does:
#   1. the CPU int8 GEMM variant tests, one process each (a variant this CPU lacks exits as
#      skipped with its reason): AMX and VNNI are checked nowhere else;
#   2. the instruction peaks of this CPU, and the int8 and FP32 GEMM and the convolution
#      benchmarks;
#   3. every CUDA test case, one process each (a missing GPU fails here rather than skips),
#      and the CUDA GEMM benchmark;
#   4. the sweep experiments/gpu.json on the bundled Fashion-MNIST and baselines, with a
#      check that every cuda record's energy came from NVML or says why not, and its int8
#      jobs again with the VNNI GEMM forced.
# Then a summary. Usage: run.sh [OUT_DIR]; logs, the sweep's records and benchmark JSON
# go to OUT_DIR, and all of it once more, with the sweeps' run directories, into
# OUT_DIR/results.tar.gz, which is also written when the script fails part way.
#   SLIMBENCH_BUNDLE_BUDGET_S  seconds the whole script may take (default 1800). Each step's
#       own time limit is cut to what is left of it, less a margin for the archive, and a
#       step with too little left is skipped and named in the summary: a lease's command
#       limit then never cuts the script off before it packs what it measured. (A signal
#       would not do: bash runs its trap only after the running benchmark ends.)
#   SLIMBENCH_BUNDLE_OPENBLAS_CORETYPE  OPENBLAS_CORETYPE for the sweeps and benchmarks only
#       (never the tests): Debian 12's OpenBLAS takes some Xeons for a Prescott, and an
#       FP32 baseline at a fifth of its speed would flatter every ratio against it. Records
#       name the core that ran (openblas_get_corename).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
mkdir -p "$out"
# cuBLAS is loaded at run time (kernels/cuda/cublas_library.h) from the machine's toolkit.
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [[ -d $dir ]] && export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
# Else cuBLAS from wherever else it is installed (e.g. a Python environment's wheels).
if ! compgen -G '/usr/local/cuda/lib64/libcublas.so.*' >/dev/null; then
  for dir in $(find /usr/local /opt -name 'libcublas.so.*' -printf '%h\n' 2>/dev/null | sort -u); do
    export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  done
fi
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export SLIMBENCH_REQUIRE_GPU=1
# Results name the commit the bundle was built from (harness/measure/git_state.h).
SLIMBENCH_GIT_COMMIT=$(sed -n '1s/^commit //p' "$here/BUILD_INFO")
export SLIMBENCH_GIT_COMMIT
summary=()
note() { summary+=("$1"); }
budget=${SLIMBENCH_BUNDLE_BUDGET_S:-1800}
started=$(date +%s)
# Seconds a step may take: its own limit or what is left of the budget less 30 s for the
# archive, whichever is less; 0 when under 10 s are left.
step_limit() {
  local left=$((budget - ($(date +%s) - started) - 30))
  ((left < 10)) && { echo 0; return; }
  echo $((left < $1 ? left : $1))
}

echo "==== machine"
cat "$here/BUILD_INFO"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,power.limit --format=csv || true
grep -m1 'model name' /proc/cpuinfo
echo "cores: $(nproc); int8 ISA: $(grep -o -w -E 'avx512_vnni|avx_vnni|amx_int8|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"

# One process per test case: a test that skips ends its process (tests/cuda/skip.h).
# Prints "pass|skipped|FAIL (exit): name" and the case's own output, indented.
run_cases() {
  local program=$1 tag=$2 log=$3
  "$here/bin/$program" $tag --list-test-names-only | grep -v -E '^$|matching test case' |
    while read -r name; do
      local limit
      limit=$(step_limit 120)
      if ((limit == 0)); then
        echo "not run (out of time): $name"
        continue
      fi
      # Catch reads a comma in a test spec as "or": escape it.
      timeout "$limit" "$here/bin/$program" "${name//,/\\,}" >"$out/case.log" 2>&1
      local code=$? verdict=FAIL
      # A name that matched nothing must not pass.
      grep -q '^No test cases matched' "$out/case.log" && code=1
      [[ $code == 0 ]] && verdict=pass
      [[ $code == 4 ]] && verdict=skipped
      echo "$verdict ($code): $name"
      if [[ $verdict == FAIL ]]; then
        tail -n 25 "$out/case.log" | sed 's/^/    /'
      else
        grep -v -E '^(=+|-+|~+|All tests passed.*|test cases:.*|Filters:.*|Randomness seeded.*)$' \
          "$out/case.log" | grep -v '^$' | head -n 12 | sed 's/^/    /'
      fi
    done | tee "$out/$log"
  note "$program $tag: $(grep -c '^pass' "$out/$log") pass, $(grep -c '^skipped' "$out/$log") skipped, $(grep -c '^FAIL' "$out/$log") failed, $(grep -c '^not run' "$out/$log") not run (out of time)"
}

# Everything in one archive too: the sweeps' run directories (without model weights) and
# every log and JSON, for a transport that brings back only a few files. On every exit,
# so that a run cut short still returns what it measured.
pack() {
  trap - EXIT
  echo "==== summary"
  printf '%s\n' "${summary[@]}"
  for dir in "$work"/runs/gpu/*/ "$work"/vnni/gpu/*/; do
    [[ -d $dir ]] && mkdir -p "$out/sweep-runs" && cp -r "$dir" "$out/sweep-runs/$(basename "$(dirname "$(dirname "$dir")")")-$(basename "$dir")"
  done
  tar -czf "$here/results.tar.gz" -C "$out" . && mv "$here/results.tar.gz" "$out/"
  echo "everything: $out/results.tar.gz"
}
work=$(mktemp -d)
trap pack EXIT

echo "==== int8 GEMM variants on this CPU (one process per test case)"
run_cases test_kernels "[int8_dispatch]" int8_dispatch.log
rm -f "$out/case.log"

if [[ -n ${SLIMBENCH_BUNDLE_OPENBLAS_CORETYPE:-} ]]; then
  export OPENBLAS_CORETYPE=$SLIMBENCH_BUNDLE_OPENBLAS_CORETYPE
  note "sweeps and benchmarks ran with OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
fi

# The console rows go to OUT_DIR/<json>.txt as they come: a benchmark stopped by its time
# limit leaves its JSON unfinished, but every row it completed is there.
run_bench() {
  local name=$1 filter=$2 json=${3:-$1} limit
  limit=$(step_limit "${4:-150}")
  echo "==== $json"
  ((limit == 0)) && { note "$json: not run (out of time)"; return; }
  timeout "$limit" "$here/bin/$name" --benchmark_filter="$filter" --benchmark_min_time=0.1 \
    --benchmark_out="$out/$json.json" --benchmark_out_format=json 2>&1 | tee "$out/$json.txt" |
    grep -v '^\*\*\*' | tail -n 80
  note "$json: exit ${PIPESTATUS[0]}"
}
run_bench bench_isa_peak '.'
# Every zoo shape at batch 1 and 256, and squares. The scalar variant is left out (minutes
# on 2048^3), and so is avx2, which this CPU would not select. +requant: the same products
# with the requantization to int8 codes fused (the backend's Linear layers); +int4: 4-bit
# weights as nibbles; +group32: 4-bit weights in groups of 32 with the per-group output
# stage fused (avx512_vnni only). Several forms of two variants: a longer limit.
run_bench bench_int8_gemm 'int8_gemm/(amx|avx512_vnni)(\+requant|\+int4|\+group32)?/(.*@b(1|256)|square/(256|1024|2048))/' \
  bench_int8_gemm 300
run_bench bench_fp32_gemm 'openblas/(.*@b(1|256)|square/(256|1024|2048))'
# Whole zoo convolutions: the direct VNNI path, im2row + the selected GEMM (AMX where the
# CPU has it) and FP32; then im2row + the VNNI GEMM, the third way an AMX CPU could run them.
run_bench bench_int8_conv 'conv/'
SLIMBENCH_INT8_KERNEL=avx512_vnni run_bench bench_int8_conv 'conv/int8_im2row_avx512_vnni/' \
  bench_int8_conv_vnni

run_bench bench_cuda_gemm '.'
echo "==== test_cuda (one process per test case)"
run_cases test_cuda "" test_cuda.log
rm -f "$out/case.log"

echo "==== sweep experiments/gpu.json"
mkdir -p "$work/runs/cache"
cp "$here"/cache/*.safetensors "$work/runs/cache/" 2>/dev/null
limit=$(step_limit 300)
if ((limit > 0)); then
  SLIMBENCH_FASHION_MNIST_DIR="$here/data" timeout "$limit" "$here/bin/slimbench" run \
    "$here/experiments/gpu.json" --results-dir "$work/runs" 2>"$out/sweep.log"
  note "sweep gpu.json: exit $?"
else
  note "sweep gpu.json: not run (out of time)"
fi
run_dir=$(ls -d "$work"/runs/gpu/*/ 2>/dev/null | head -n 1)
if [[ -n $run_dir ]]; then
  cp "$run_dir"/runs.jsonl "$run_dir"/env.json "$run_dir"/table.md "$out/" 2>/dev/null
  python3 - "$run_dir/runs.jsonl" <<'PY' || note "sweep gpu.json: energy check FAILED"
import json, sys
bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    m = r.get("metrics", {})
    lat = {e["batch_size"]: e for e in m.get("latency", [])}
    def p50(b):
        return f"{lat[b]['latency_us']['p50']:.1f}" if b in lat else "-"
    print(f"{r['labels'].get('model', '?'):14} {r['labels'].get('pipeline', '?'):12} "
          f"{r.get('backend_used', '?'):9} {r['status']:6} top1 {m.get('accuracy', float('nan')):.4f} "
          f"p50 b1 {p50(1)} us, b256 {p50(256)} us; energy {m.get('energy_j', float('nan')):.3g} J "
          f"({m.get('energy_source', '?')}{'; ' + m['energy_meter_unavailable'] if 'energy_meter_unavailable' in m else ''})"
          f"  [{r.get('backend_variant', '')[:60]}]")
    if r.get("backend_used") == "cuda" and m.get("energy_source") != "nvml" and not m.get("energy_meter_unavailable"):
        bad += 1
sys.exit(1 if bad else 0)
PY
else
  tail -n 20 "$out/sweep.log"
fi

# On an AMX CPU the int8 backend runs Linear layers on AMX and convolutions on the direct
# VNNI path; forcing the VNNI GEMM shows what AMX adds to the Linear layers.
echo "==== sweep experiments/gpu.json, int8 jobs with SLIMBENCH_INT8_KERNEL=avx512_vnni"
mkdir -p "$work/vnni" && ln -s "$work/runs/cache" "$work/vnni/cache"
limit=$(step_limit 200)
if ((limit > 0)); then
  SLIMBENCH_INT8_KERNEL=avx512_vnni SLIMBENCH_FASHION_MNIST_DIR="$here/data" timeout "$limit" \
    "$here/bin/slimbench" run "$here/experiments/gpu.json" --filter 'int8' \
    --results-dir "$work/vnni" 2>"$out/sweep-vnni.log"
  note "sweep gpu.json int8 on avx512_vnni: exit $?"
else
  note "sweep gpu.json int8 on avx512_vnni: not run (out of time)"
fi
vnni_dir=$(ls -d "$work"/vnni/gpu/*/ 2>/dev/null | head -n 1)
if [[ -n $vnni_dir ]]; then
  cp "$vnni_dir"/runs.jsonl "$out/runs-vnni.jsonl"
  cat "$vnni_dir"/table.md
else
  tail -n 20 "$out/sweep-vnni.log"
fi

