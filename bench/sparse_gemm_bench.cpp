// Sparse vs dense Linear-layer products on the zoo's fully connected shapes:
// Y [batch, out] = X [batch, in] * W^T, at batch 1 and 256.
//
//   build/bin/bench_sparse_gemm [--threads=N] --benchmark_out=sparse.json
//       --benchmark_out_format=json
//   scripts/sparse-break-even sparse.json      # speedup and break-even table (Markdown)
//
// Per shape and batch: dense OpenBLAS (kernels/cpu/gemm_openblas.h on W^T pre-transposed,
// as LinearOp runs it), CSR at 50/75/90/95% zeros and 2:4 (50%), each through the kernel
// the sparse backend would pick on this CPU (csr_matmul_best, sparse24_matmul_best). The
// bias add is left out of every variant. Weights are N(0, 1), pruned by magnitude
// (unstructured: the smallest |w| of the whole matrix; 2:4: the 2 largest of every 4).
//
// Counters: gflops = dense FLOPs (2 * batch * in * out) per second, whatever the format
// actually computes, so a format's gflops over dense's is its speedup; batch, in, out,
// sparsity and weight_bytes (stored bytes of the format) for the script. The label is
// the format. Shapes are read from the zoo models' Linear layers, not typed in.
// Default one thread (the sparse issue's protocol); operands stay in cache between
// iterations, as in a model whose sparse weights fit in L2/L3.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_context.h"
#include "core/gemm.h"
#include "core/layers/linear.h"
#include "core/rng.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/sparse/csr_matmul.h"
#include "kernels/sparse/sparse24_matmul.h"
#include "models/zoo.h"

namespace {

struct FcShape {
  std::string model;
  int64_t in, out;
};

// Every distinct (in, out) of the Linear layers of these zoo models, built for
// Fashion-MNIST, in model and node order.
std::vector<FcShape> zoo_fc_shapes() {
  std::vector<FcShape> shapes;
  for (const char* name : {"lenet-300-100", "lenet-5", "mlp-1200"}) {
    const slim::Model model = slim::find_model(name).build({1, 28, 28}, 10);
    for (const slim::Node& node : model.nodes()) {
      const auto* linear = dynamic_cast<const slim::Linear*>(node.layer.get());
      if (!linear) continue;
      const bool seen = std::any_of(shapes.begin(), shapes.end(), [&](const FcShape& s) {
        return s.in == linear->in_features() && s.out == linear->out_features();
      });
      if (!seen) shapes.push_back({name, linear->in_features(), linear->out_features()});
    }
  }
  return shapes;
}

std::vector<float> normal_values(int64_t count, uint64_t seed) {
  slim::Rng rng(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = rng.normal();
  return values;
}

// Zeroes exactly round(fraction * size) weights, the smallest |w| first.
void prune_unstructured(std::vector<float>& w, double fraction) {
  const auto pruned = static_cast<size_t>(std::lround(fraction * static_cast<double>(w.size())));
  std::vector<size_t> order(w.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(pruned), order.end(),
                   [&](size_t a, size_t b) { return std::abs(w[a]) < std::abs(w[b]); });
  for (size_t i = 0; i < pruned; ++i) w[order[i]] = 0.0f;
}

void prune_two_of_four(std::vector<float>& w, int64_t out, int64_t in) {
  for (int64_t r = 0; r < out; ++r) {
    for (int64_t first = 0; first < in; first += 4) {
      float* group = w.data() + r * in + first;
      const int64_t width = std::min<int64_t>(4, in - first);
      for (int64_t drop = 0; drop + 2 < width; ++drop) {
        int64_t smallest = -1;
        for (int64_t c = 0; c < width; ++c) {
          if (group[c] == 0.0f) continue;
          if (smallest < 0 || std::abs(group[c]) < std::abs(group[smallest])) smallest = c;
        }
        if (smallest >= 0) group[smallest] = 0.0f;
      }
    }
  }
}

void set_counters(benchmark::State& state, const FcShape& s, int64_t batch, double sparsity,
                  int64_t weight_bytes) {
  const double flops = 2.0 * static_cast<double>(batch * s.in * s.out);
  state.counters["gflops"] = benchmark::Counter(
      1e-9 * flops * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["batch"] = static_cast<double>(batch);
  state.counters["in"] = static_cast<double>(s.in);
  state.counters["out"] = static_cast<double>(s.out);
  state.counters["sparsity"] = sparsity;
  state.counters["weight_bytes"] = static_cast<double>(weight_bytes);
  state.counters["threads"] = slim::num_threads();
}

void dense_product(benchmark::State& state, FcShape s, int64_t batch) {
  const std::vector<float> w = normal_values(s.out * s.in, 1);
  std::vector<float> w_t(w.size());
  for (int64_t o = 0; o < s.out; ++o) {
    for (int64_t i = 0; i < s.in; ++i) w_t[i * s.out + o] = w[o * s.in + i];
  }
  const std::vector<float> x = normal_values(batch * s.in, 2);
  std::vector<float> y(static_cast<size_t>(batch * s.out));
  for (auto _ : state) {
    slim::gemm_openblas(batch, s.out, s.in, x.data(), w_t.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, s, batch, 0.0, s.out * s.in * 4);
  state.SetLabel("dense:openblas-" + slim::openblas_core_name());
}

void csr_product(benchmark::State& state, FcShape s, int64_t batch, double sparsity) {
  std::vector<float> w = normal_values(s.out * s.in, 1);
  prune_unstructured(w, sparsity);
  const slim::CsrMatrix csr = slim::csr_from_dense(w.data(), s.out, s.in);
  const slim::CsrMatmulFunction kernel = slim::csr_matmul_best();
  const std::vector<float> x = normal_values(batch * s.in, 2);
  std::vector<float> y(static_cast<size_t>(batch * s.out));
  slim::SparseScratch scratch;
  for (auto _ : state) {
    kernel(csr, x.data(), batch, y.data(), scratch);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, s, batch, sparsity, csr.stored_bytes());
  state.SetLabel(kernel == slim::csr_matmul_avx2 ? "csr:avx2" : "csr:reference");
}

void sparse24_product(benchmark::State& state, FcShape s, int64_t batch) {
  std::vector<float> w = normal_values(s.out * s.in, 1);
  prune_two_of_four(w, s.out, s.in);
  const slim::Sparse24Matrix m = slim::sparse24_from_dense(w.data(), s.out, s.in);
  const slim::Sparse24MatmulFunction kernel = slim::sparse24_matmul_best();
  const std::vector<float> x = normal_values(batch * s.in, 2);
  std::vector<float> y(static_cast<size_t>(batch * s.out));
  slim::SparseScratch scratch;
  for (auto _ : state) {
    kernel(m, x.data(), batch, y.data(), scratch);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, s, batch, 0.5, m.stored_bytes());
  state.SetLabel(kernel == slim::sparse24_matmul_avx2 ? "2:4:avx2" : "2:4:reference");
}

void configure(benchmark::internal::Benchmark* bench) {
  bench->Unit(benchmark::kMicrosecond)->UseRealTime();
}

void register_benchmarks() {
  for (const FcShape& s : zoo_fc_shapes()) {
    for (const int64_t batch : {int64_t{1}, int64_t{256}}) {
      const std::string prefix = "sparse_gemm/" + std::to_string(s.in) + "x" +
                                 std::to_string(s.out) + "/b" + std::to_string(batch) + "/";
      configure(benchmark::RegisterBenchmark((prefix + "dense").c_str(), dense_product, s, batch));
      for (const int percent : {50, 75, 90, 95}) {
        configure(benchmark::RegisterBenchmark((prefix + "csr_" + std::to_string(percent)).c_str(),
                                               csr_product, s, batch, percent / 100.0));
      }
      configure(benchmark::RegisterBenchmark((prefix + "2:4").c_str(), sparse24_product, s, batch));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  // --threads=N is ours; everything else goes to Google Benchmark.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threads = std::atoi(argv[i] + 10);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  slim::set_num_threads(std::max(1, threads));
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  slim::bench::add_bench_context(slim::num_threads());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
