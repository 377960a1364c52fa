// int8 GEMM speed of every variant in gemm_s8_kernels() that this CPU can run (AMX,
// AVX-512 VNNI, AVX2, scalar), on one thread, on the zoo's GEMM shapes at batch 1 and 256
// and on squares from 64 to 2048: the same shapes as bench_fp32_gemm, so each int8 row
// has an OpenBLAS SGEMM row to compare with (scripts/int8-speedup prints the ratios).
//
//   build/bin/bench_int8_gemm --benchmark_repetitions=10
//       --benchmark_out=int8.json --benchmark_out_format=json   (one command line)
//
// Names: int8_gemm/<variant>/<shape>/real_time (int32 C); int8_gemm/<variant>+int4/<shape>
// for variants that keep 4-bit weights as nibbles (weights drawn from [-8, 7]); and
// int8_gemm/<variant>+requant/<shape> for multiply_requantize, the form the int8 backend
// runs its Linear layers in: int8 codes out, the per-column requantization timed with the
// product (fused into the stores where the variant does that, gemm_s8_kernel.h); and
// int8_gemm/<variant>+group32/<shape> for multiply_grouped_requantize on variants that have
// it, shapes with K >= 64: 4-bit weights (as nibbles where the variant keeps them so) in
// groups of 32 codes along K, each group's sums scaled apart and rounded once, as static
// per-group W4 Linear layers run. Counters: GOP/s
// (2mnk integer operations per call over wall time), copies and working_set_MiB
// (bench/operand_rotation.h). The weights are packed before timing, as the int8 backend packs them
// once at lowering; widening or shifting A, which every call does, is timed. Variants this CPU
// cannot run are listed on stderr with the reason and not registered.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_context.h"
#include "bench/injected_slowdown.h"
#include "bench/operand_rotation.h"
#include "bench/zoo_gemm_shapes.h"
#include "core/gemm.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/requantize_row.h"

namespace {

using slim::bench::GemmShape;

constexpr int kThreads = 1;
constexpr std::array<int64_t, 2> kZooBatches = {1, 256};
constexpr int64_t kScalarMaxMacs = int64_t{256} * 256 * 256;

// What a benchmark's product reads and writes.
enum class Form { kInt32, kInt4Weights, kRequantized, kGrouped };

constexpr int64_t kBenchGroupSize = 32;

struct Int8Operands {
  std::vector<int8_t> a;      // [m, k]
  slim::PackedS8Weights b;    // [n, k], packed by the variant
  std::vector<int32_t> c;     // [m, n], kInt32 and kInt4Weights
  std::vector<int8_t> codes;  // [m, n], kRequantized
};

// Output constants for kRequantized: the arithmetic does the same work for any values, so
// these only keep the codes off the clamp (exponent for |C| ~ 74^2 sqrt(K), as with
// uniform codes).
slim::RowRequantization bench_output_stage(const GemmShape& shape) {
  slim::RowRequantization r;
  const double typical = 74.0 * 74.0 * std::sqrt(static_cast<double>(shape.k));
  const int exponent = 31 + static_cast<int>(std::lround(std::log2(typical / 64)));
  for (int64_t j = 0; j < shape.n; ++j) {
    r.biases.push_back(j % 7 - 3);
    r.multipliers.push_back((1 << 30) + static_cast<int32_t>(j * 7919 % (1 << 20)));
    r.exponents.push_back(exponent);
  }
  return r;
}

// The per-group output stage for kGrouped, in groups of kBenchGroupSize; as above, the
// values only keep the codes off the clamp (weight sums 0: the same work as any).
slim::GroupedColumnRequantization bench_grouped_output_stage(const GemmShape& shape) {
  slim::GroupedColumnRequantization r;
  r.group_size = kBenchGroupSize;
  const int64_t groups = (shape.k + kBenchGroupSize - 1) / kBenchGroupSize;
  const double typical = 74.0 * 4.6 * std::sqrt(static_cast<double>(shape.k));
  const int shift = 30 + static_cast<int>(std::lround(std::log2(typical / 64)));
  for (int64_t j = 0; j < shape.n; ++j) {
    r.shifts.push_back(shift);
    r.biases.push_back(j % 7 - 3);
  }
  for (int64_t i = 0; i < groups * shape.n; ++i) {
    r.multipliers.push_back((1 << 29) + static_cast<int32_t>(i * 7919 % (1 << 20)));
  }
  r.weight_sums.assign(static_cast<size_t>(groups * shape.n), 0);
  return r;
}

std::vector<int8_t> random_codes(int64_t count, uint64_t seed) {
  std::vector<int8_t> codes(static_cast<size_t>(count));
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (int8_t& code : codes) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    code = static_cast<int8_t>(state >> 56);
  }
  return codes;
}

// The bytes one copy occupies as the kernel reads it: int8 A, packed B, int32 or int8 C.
int64_t int8_operand_bytes(const GemmShape& shape, const Int8Operands& operands) {
  return shape.m * shape.k + operands.b.packed_bytes() +
         static_cast<int64_t>(operands.c.size() * sizeof(int32_t) + operands.codes.size());
}

void gemm_benchmark(benchmark::State& state, const slim::GemmS8Kernel* kernel,
                    const GemmShape& shape, int64_t workload_bytes, Form form) {
  const bool int4 = form == Form::kInt4Weights || form == Form::kGrouped;
  const auto output_elements = static_cast<size_t>(shape.m * shape.n);
  auto make = [&](int64_t copy) {
    const auto seed = static_cast<uint64_t>(copy);
    std::vector<int8_t> b = random_codes(shape.n * shape.k, 2 * seed + 1);
    if (int4) {
      for (int8_t& code : b) code = static_cast<int8_t>(code >> 4);  // [-8, 7]
    }
    Int8Operands operands{random_codes(shape.m * shape.k, 2 * seed),
                          int4 && kernel->pack_int4 != nullptr
                              ? kernel->pack_int4(shape.n, shape.k, b.data())
                              : kernel->pack(shape.n, shape.k, b.data()),
                          {},
                          {}};
    if (form == Form::kRequantized || form == Form::kGrouped) {
      operands.codes.resize(output_elements);
    } else {
      operands.c.resize(output_elements);
    }
    return operands;
  };
  const slim::RowRequantization output_stage = bench_output_stage(shape);
  const slim::GroupedColumnRequantization grouped_stage = bench_grouped_output_stage(shape);
  // The model's FP32 forward bytes stand for its int8 working set scaled by the operands'
  // own ratio, so int8 copies rotate through the cache the way the int8 model would.
  const Int8Operands first = make(0);
  const int64_t copy_bytes = int8_operand_bytes(shape, first);
  const double shrink =
      static_cast<double>(copy_bytes) / static_cast<double>(slim::bench::gemm_operand_bytes(shape));
  const auto int8_workload = static_cast<int64_t>(static_cast<double>(workload_bytes) * shrink);
  const int64_t copies = slim::bench::rotation_copies(copy_bytes, int8_workload,
                                                      slim::bench::last_level_cache_bytes());
  slim::bench::OperandRotation<Int8Operands> rotation(copies, make);
  const double slowdown = slim::bench::injected_slowdown();
  for (auto _ : state) {
    Int8Operands& operands = rotation.next();
    slim::bench::run_with_slowdown(slowdown, [&] {
      if (form == Form::kRequantized) {
        kernel->multiply_requantize(shape.m, operands.a.data(), operands.b, output_stage,
                                    operands.codes.data());
      } else if (form == Form::kGrouped) {
        kernel->multiply_grouped_requantize(shape.m, operands.a.data(), operands.b, grouped_stage,
                                            operands.codes.data());
      } else {
        kernel->multiply(shape.m, operands.a.data(), operands.b, operands.c.data());
      }
    });
    benchmark::DoNotOptimize(operands.c.data());
    benchmark::DoNotOptimize(operands.codes.data());
    benchmark::ClobberMemory();
  }
  state.counters["GOP/s"] = benchmark::Counter(slim::bench::gemm_flops(shape) * 1e-9,
                                               benchmark::Counter::kIsIterationInvariantRate);
  state.counters["copies"] = static_cast<double>(copies);
  state.counters["working_set_MiB"] = static_cast<double>(copies * copy_bytes) / (1 << 20);
}

void register_shape(const GemmShape& shape, int64_t workload_bytes) {
  for (const slim::GemmS8Kernel& kernel : slim::gemm_s8_kernels()) {
    if (!kernel.available()) continue;
    if (kernel.name == "scalar" && shape.m * shape.n * shape.k > kScalarMaxMacs) continue;
    for (const Form form : {Form::kInt32, Form::kInt4Weights, Form::kRequantized, Form::kGrouped}) {
      if (form == Form::kInt4Weights && kernel.pack_int4 == nullptr) continue;
      if (form == Form::kGrouped &&
          (kernel.multiply_grouped_requantize == nullptr || shape.k < 2 * kBenchGroupSize)) {
        continue;
      }
      const char* suffix = form == Form::kInt32         ? "/"
                           : form == Form::kInt4Weights ? "+int4/"
                           : form == Form::kRequantized ? "+requant/"
                                                        : "+group32/";
      const std::string name = "int8_gemm/" + std::string(kernel.name) + suffix + shape.name;
      benchmark::RegisterBenchmark(name.c_str(), gemm_benchmark, &kernel, shape, workload_bytes,
                                   form)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }
}

void register_benchmarks() {
  for (const slim::GemmS8Kernel& kernel : slim::gemm_s8_kernels()) {
    const std::string reason = kernel.unavailable_reason();
    if (!reason.empty())
      std::cerr << "int8 variant " << kernel.name << " not run: " << reason << '\n';
  }
  for (const int64_t batch : kZooBatches) {
    for (const slim::bench::ZooGemm& gemm : slim::bench::zoo_gemms(batch)) {
      register_shape(gemm.shape, gemm.model_forward_bytes);
    }
  }
  for (const GemmShape& shape : slim::bench::square_gemm_shapes()) register_shape(shape, 0);
}

}  // namespace

int main(int argc, char** argv) {
  slim::set_num_threads(kThreads);
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  slim::bench::add_bench_context(kThreads);
  benchmark::AddCustomContext("int8_selected_variant",
                              std::string(slim::selected_gemm_s8_kernel().name));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
