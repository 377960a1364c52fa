// Peak arithmetic throughput of one core for the instructions the GEMMs are built on, so
// that kernel benchmarks can be quoted as a fraction of a measured peak rather than of a
// datasheet number: FP32 FMA (AVX2, 8 lanes; AVX-512, 16 lanes, where the CPU has it: an
// FP32 library built for AVX2 only reaches half of that) and the int8 dot-product instructions each
// int8 GEMM variant uses (AVX2 vpmaddwd on int16 pairs; AVX-512 VNNI vpdpbusd where the
// CPU has it; AMX tdpbssd where it has AMX-INT8). Each loop keeps 12 independent accumulators,
// enough to cover the latency of one instruction on current x86 cores, and nothing else in flight.
//
//   build/bin/bench_isa_peak
//
// Counters: GFLOP/s (FMA: 2 per lane) or GOP/s (2 per multiply-add: one multiply, one add).
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <string>

#include "bench/bench_context.h"
#include "core/gemm.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/gemm_s8_amx.h"

#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12's AVX-512 headers (see vnni kernel)

namespace {

constexpr int kAccumulators = 12;

// The accumulators start from different values. Started equal, their chains compute equal
// values, and GCC 12 merged them: the loop ran one dependent chain and copied it to all
// twelve, so every rate here was 12 / latency instructions per cycle instead of the
// throughput (until 2026-11-29: 351 GFLOP/s FP32 FMA on a Zen 4 core that issues one
// 16-lane FMA per cycle). objdump of the loops shows 12 independent instructions now.
constexpr int64_t kStepsPerIteration = 1 << 16;

void set_rate(benchmark::State& state, double ops_per_instruction) {
  state.counters["G/s"] = benchmark::Counter(
      static_cast<double>(kStepsPerIteration * kAccumulators) * ops_per_instruction * 1e-9,
      benchmark::Counter::kIsIterationInvariantRate);
}

// Each function spells its loop out: a lambda or template would not inherit the
// function's target attribute, and the intrinsics must be inlined into code compiled for
// that instruction set.
__attribute__((target("avx2,fma"))) void fp32_fma_avx2(benchmark::State& state) {
  const __m256 x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
  for (auto _ : state) {
    __m256 acc[kAccumulators];
    for (int k = 0; k < kAccumulators; ++k)
      acc[k] = _mm256_set1_ps(0.5f + 0.01f * static_cast<float>(k));
    for (int64_t i = 0; i < kStepsPerIteration; ++i) {
#pragma GCC unroll 12
      for (auto& a : acc) a = _mm256_fmadd_ps(a, x, y);
    }
    for (auto& a : acc) benchmark::DoNotOptimize(a);
  }
  set_rate(state, 2.0 * 8);
}

__attribute__((target("avx512f"))) void fp32_fma_avx512(benchmark::State& state) {
  const __m512 x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
  for (auto _ : state) {
    __m512 acc[kAccumulators];
    for (int k = 0; k < kAccumulators; ++k)
      acc[k] = _mm512_set1_ps(0.5f + 0.01f * static_cast<float>(k));
    for (int64_t i = 0; i < kStepsPerIteration; ++i) {
#pragma GCC unroll 12
      for (auto& a : acc) a = _mm512_fmadd_ps(a, x, y);
    }
    for (int k = 0; k < kAccumulators; ++k) benchmark::DoNotOptimize(acc[k]);
  }
  set_rate(state, 2.0 * 16);
}

// vpmaddwd then vpaddd, as the avx2 int8 kernel issues them: 16 multiply-adds. The
// accumulator feeds the multiply, or the compiler would hoist the invariant product.
__attribute__((target("avx2"))) void int8_vpmaddwd_avx2(benchmark::State& state) {
  const __m256i y = _mm256_set1_epi16(5);
  for (auto _ : state) {
    __m256i acc[kAccumulators];
    for (int k = 0; k < kAccumulators; ++k) acc[k] = _mm256_set1_epi32(1 + k);
    for (int64_t i = 0; i < kStepsPerIteration; ++i) {
#pragma GCC unroll 12
      for (auto& a : acc) a = _mm256_add_epi32(a, _mm256_madd_epi16(a, y));
    }
    for (auto& a : acc) benchmark::DoNotOptimize(a);
  }
  set_rate(state, 2.0 * 16);
}

// vpdpbusd: 64 multiply-adds accumulated in place.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void int8_vpdpbusd_avx512(
    benchmark::State& state) {
  const __m512i x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(5);
  for (auto _ : state) {
    __m512i acc[kAccumulators];
    for (int k = 0; k < kAccumulators; ++k) acc[k] = _mm512_set1_epi32(1 + k);
    for (int64_t i = 0; i < kStepsPerIteration; ++i) {
#pragma GCC unroll 12
      for (auto& a : acc) a = _mm512_dpbusd_epi32(a, x, y);
    }
    for (int k = 0; k < kAccumulators; ++k) benchmark::DoNotOptimize(acc[k]);
  }
  set_rate(state, 2.0 * 64);
}

// tdpbssd on operands already in tiles: four independent 16 x 16 accumulators (all that
// eight tiles leave beside two A and two B tiles, as in the GEMM), 16 x 16 x 64
// multiply-adds each.
__attribute__((target("amx-tile,amx-int8"))) void int8_tdpbssd_amx(benchmark::State& state) {
  constexpr int64_t kProducts = int64_t{1} << 14;
  slim::load_amx_tile_config();
  alignas(64) int8_t operand[16 * 64];
  for (int8_t& v : operand) v = 1;
  alignas(64) int32_t out[16 * 16];
  _tile_loadd(4, operand, 64);
  _tile_loadd(5, operand, 64);
  _tile_loadd(6, operand, 64);
  _tile_loadd(7, operand, 64);
  for (auto _ : state) {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int64_t i = 0; i < kProducts; ++i) {
      _tile_dpbssd(0, 4, 6);
      _tile_dpbssd(1, 4, 7);
      _tile_dpbssd(2, 5, 6);
      _tile_dpbssd(3, 5, 7);
    }
    _tile_stored(0, out, 64);
    benchmark::DoNotOptimize(out);
  }
  slim::release_amx_tiles();
  state.counters["G/s"] =
      benchmark::Counter(static_cast<double>(kProducts * 4) * (16.0 * 16 * 64 * 2) * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  slim::set_num_threads(1);
  if (slim::avx2_unavailable_reason().empty()) {
    benchmark::RegisterBenchmark("isa_peak/fp32_fma_avx2", fp32_fma_avx2);
    benchmark::RegisterBenchmark("isa_peak/int8_vpmaddwd_avx2", int8_vpmaddwd_avx2);
  }
  if (slim::avx512_vnni_unavailable_reason().empty()) {
    // Every CPU with AVX-512 VNNI has AVX-512F.
    benchmark::RegisterBenchmark("isa_peak/fp32_fma_avx512", fp32_fma_avx512);
    benchmark::RegisterBenchmark("isa_peak/int8_vpdpbusd_avx512", int8_vpdpbusd_avx512);
  }
  if (slim::amx_int8_unavailable_reason().empty()) {
    benchmark::RegisterBenchmark("isa_peak/int8_tdpbssd_amx", int8_tdpbssd_amx);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  slim::bench::add_bench_context(1);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
