#!/usr/bin/env bash
# Runs on the GPU machine, from .gpu-bundle/ (made by scripts/gpu-bundle): every CUDA test
# (a missing GPU fails here rather than skips), the CPU int8 GEMM variant tests one test
# case per process (a variant this CPU lacks exits as skipped with its reason), then the
# GEMM benchmarks. Usage: run.sh [OUT_DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
mkdir -p "$out"
# cuBLAS is loaded at run time (kernels/cuda/cublas_library.h) from the machine's toolkit.
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [[ -d $dir ]] && export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export SLIMBENCH_REQUIRE_GPU=1
summary=()
note() { summary+=("$1"); }

echo "==== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv || true
grep -m1 'model name' /proc/cpuinfo
grep -m1 -o -w -E 'avx512_vnni|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' '; echo

echo "==== test_cuda"
"$here/bin/test_cuda" --durations yes >"$out/test_cuda.log" 2>&1
status=$?
grep -E 'max\||ratio|skipped|reason|FAILED|test cases|assertions|All tests' "$out/test_cuda.log" | head -80
note "test_cuda: exit $status"

echo "==== int8 GEMM variants on this CPU (one process per test case)"
"$here/bin/test_kernels" "[int8_dispatch]" --list-test-names-only | grep -v '^$' |
  while read -r name; do
    "$here/bin/test_kernels" "$name" >"$out/int8_case.log" 2>&1
    code=$?
    verdict=$([[ $code == 0 ]] && echo pass || ([[ $code == 4 ]] && echo skipped || echo FAIL))
    echo "$verdict ($code): $name $(grep -h 'reason' "$out/int8_case.log" | head -1)"
    [[ $code != 0 && $code != 4 ]] && cat "$out/int8_case.log" | tail -20
  done | tee "$out/int8_dispatch.log"
note "int8 variants: $(grep -c '^pass' "$out/int8_dispatch.log") pass, $(grep -c '^skipped' "$out/int8_dispatch.log") skipped, $(grep -c '^FAIL' "$out/int8_dispatch.log") failed"

run_bench() {
  local name=$1 filter=$2
  echo "==== $name"
  timeout 150 "$here/bin/$name" --benchmark_filter="$filter" --benchmark_min_time=0.1 \
    --benchmark_out="$out/$name.json" --benchmark_out_format=json 2>&1 | grep -v '^\*\*\*' |
    tail -n 80
  note "$name: exit ${PIPESTATUS[0]}"
}
run_bench bench_cuda_gemm '.'
run_bench bench_int8_gemm '(lenet-5|lenet-300-100|mlp-1200)/.*@b(1|256)|square/(256|1024|2048)'
run_bench bench_fp32_gemm 'openblas/((lenet-5|lenet-300-100|mlp-1200)/.*@b(1|256)|square/(256|1024|2048))'

echo "==== summary"
printf '%s\n' "${summary[@]}"
