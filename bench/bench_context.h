// What every slimbench benchmark program adds to Google Benchmark's JSON "context" block,
// so that `slimbench bench-compare` can tell when two files come from different machines,
// builds or thread counts (a comparison across them is meaningless).
#pragma once

namespace slim::bench {

// Adds cpu_model, threads, openblas_core (plus openblas_warning when OpenBLAS fell back
// to a generic core, whose SGEMM is about 7x slower), build_type, git_commit and
// git_dirty. Call after benchmark::Initialize and before RunSpecifiedBenchmarks.
void add_bench_context(int threads);

}  // namespace slim::bench
