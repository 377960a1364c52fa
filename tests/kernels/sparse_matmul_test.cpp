// The sparse kernels (CSR and 2:4; reference and AVX2) against the exact product and
// against the dense reference GEMM, on edge and random shapes at 0, 50, 90 and 100%
// zeros. Each comparison prints its max|diff|.
//
// Tolerance: every kernel sums the same n <= in products in some order (one at a time,
// 8 lanes then a horizontal sum, FMA or not). For any such order the float result is
// within gamma(n + 1) * sum_i |w_i x_i| of the exact sum, gamma(k) = k u / (1 - k u),
// u = 2^-24 (Higham, Accuracy and Stability, sec. 3.1): a rigorous bound, so a failure
// is a wrong product, not unlucky rounding. The exact sum is computed in double.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/gemm.h"
#include "core/rng.h"
#include "kernels/reference/gemm_reference.h"
#include "kernels/sparse/cpu_features.h"
#include "kernels/sparse/csr_matmul.h"
#include "kernels/sparse/sparse24_matmul.h"
#include "tests/cuda/skip.h"
#include "tests/kernels/sparse_test_weights.h"
#include "tests/kernels/test_tensors.h"

namespace slim::testing {
namespace {

struct Problem {
  int64_t batch, out, in;
  float sparsity;
};

struct Weights {
  std::vector<float> dense;  // [out, in] with exact zeros
  CsrMatrix csr;
  Sparse24Matrix sparse24;
  bool is_2_4 = false;
};

// Runs a sparse kernel on x: Y [batch, out].
using SparseKernel = std::function<void(const Weights&, const std::vector<float>& x, int64_t batch,
                                        std::vector<float>& y)>;

struct NamedKernel {
  std::string name;
  SparseKernel run;
};

NamedKernel csr_kernel(std::string name, CsrMatmulFunction f) {
  return {std::move(name),
          [f](const Weights& w, const std::vector<float>& x, int64_t batch, std::vector<float>& y) {
            SparseScratch scratch;
            f(w.csr, x.data(), batch, y.data(), scratch);
          }};
}

NamedKernel sparse24_kernel(std::string name, Sparse24MatmulFunction f) {
  return {std::move(name),
          [f](const Weights& w, const std::vector<float>& x, int64_t batch, std::vector<float>& y) {
            SparseScratch scratch;
            f(w.sparse24, x.data(), batch, y.data(), scratch);
          }};
}

Weights make_weights(const Problem& p, bool structured, uint64_t seed) {
  Weights w;
  w.dense = random_sparse(p.out, p.in, p.sparsity, seed);
  if (structured) prune_2_4(w.dense, p.out, p.in);
  w.csr = csr_from_dense(w.dense.data(), p.out, p.in);
  w.is_2_4 = is_2_4_sparse(w.dense.data(), p.out, p.in);
  if (w.is_2_4) w.sparse24 = sparse24_from_dense(w.dense.data(), p.out, p.in);
  return w;
}

// The exact product in double and, per output, the error bound of a float sum.
struct Exact {
  std::vector<double> y;
  std::vector<double> bound;
};

Exact exact_product(const Weights& w, const std::vector<float>& x, const Problem& p) {
  constexpr double kUnitRoundoff = 0x1p-24;
  const double terms = static_cast<double>(p.in + 1);
  const double gamma = terms * kUnitRoundoff / (1.0 - terms * kUnitRoundoff);
  Exact exact{std::vector<double>(static_cast<size_t>(p.batch * p.out)),
              std::vector<double>(static_cast<size_t>(p.batch * p.out))};
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t o = 0; o < p.out; ++o) {
      double sum = 0.0;
      double magnitude = 0.0;
      for (int64_t i = 0; i < p.in; ++i) {
        const double product = static_cast<double>(w.dense[static_cast<size_t>(o * p.in + i)]) *
                               static_cast<double>(x[static_cast<size_t>(b * p.in + i)]);
        sum += product;
        magnitude += std::abs(product);
      }
      exact.y[static_cast<size_t>(b * p.out + o)] = sum;
      exact.bound[static_cast<size_t>(b * p.out + o)] = gamma * magnitude;
    }
  }
  return exact;
}

// The dense reference GEMM in the Linear orientation: X [batch, in] x W^T [in, out].
std::vector<float> dense_product(const Weights& w, const std::vector<float>& x, const Problem& p) {
  std::vector<float> w_t(static_cast<size_t>(p.in * p.out));
  for (int64_t o = 0; o < p.out; ++o) {
    for (int64_t i = 0; i < p.in; ++i) {
      w_t[static_cast<size_t>(i * p.out + o)] = w.dense[static_cast<size_t>(o * p.in + i)];
    }
  }
  std::vector<float> y(static_cast<size_t>(p.batch * p.out));
  gemm_reference(p.batch, p.out, p.in, x.data(), w_t.data(), y.data());
  return y;
}

// Every output within its bound of the exact value; returns max|diff| to it.
double check_against_exact(const std::vector<float>& got, const Exact& exact) {
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double diff = std::abs(static_cast<double>(got[i]) - exact.y[i]);
    worst = std::max(worst, diff);
    if (!(diff <= exact.bound[i])) {
      INFO("output " << i << ": got " << got[i] << ", exact " << exact.y[i] << ", bound "
                     << exact.bound[i]);
      CHECK(diff <= exact.bound[i]);
    }
  }
  return worst;
}

std::vector<Problem> edge_problems() {
  std::vector<Problem> problems;
  // batch, out, in (sparsity set below); batch 1-7 run the AVX2 kernels' per-row forms,
  // 6 and more 2:4's transposed form, 8 and more CSR's.
  const std::vector<Problem> shapes = {
      {1, 1, 1, 0},
      {1, 1, 7, 0},
      {1, 1, 300, 0},
      {1, 10, 100, 0},
      {2, 3, 5, 0},
      {3, 17, 13, 0},
      {4, 9, 16, 0},
      {5, 6, 17, 0},
      {8, 1, 33, 0},
      {9, 11, 2, 0},
      {64, 20, 64, 0},
      {65, 7, 30, 0},
      {130, 5, 51, 0},
      {1, 300, 784, 0},
      {256, 10, 100, 0},
      {7, 33, 1, 0},
      {1, 5, 3, 0},
      {17, 1, 6, 0},
      // Several column blocks of the transposed form at every density (64 to 256 columns
      // per block), with a short last block and a short last 2:4 group.
      {9, 13, 700, 0},
      {70, 20, 517, 0},
      {6, 4, 1201, 0}};
  for (const float sparsity : {0.0f, 0.5f, 0.9f, 1.0f}) {
    for (Problem p : shapes) {
      p.sparsity = sparsity;
      problems.push_back(p);
    }
  }
  return problems;
}

std::vector<Problem> random_problems() {
  Rng rng(2024);
  const std::vector<int64_t> batches = {1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64, 65, 100};
  const std::vector<float> sparsities = {0.0f, 0.5f, 0.9f, 1.0f};
  std::vector<Problem> problems;
  for (int i = 0; i < 48; ++i) {
    problems.push_back({batches[rng.below(batches.size())], 1 + static_cast<int64_t>(rng.below(70)),
                        1 + static_cast<int64_t>(rng.below(300)),
                        sparsities[rng.below(sparsities.size())]});
  }
  return problems;
}

// Runs every kernel on every problem: each against the exact product (the bound), and
// the max|diff| to the dense reference GEMM and to the first kernel (the reference).
void check_kernels(const std::vector<NamedKernel>& kernels, const std::vector<Problem>& problems,
                   bool structured) {
  std::vector<double> worst_exact(kernels.size(), 0.0);
  std::vector<float> worst_dense(kernels.size(), 0.0f);
  std::vector<float> worst_reference(kernels.size(), 0.0f);
  uint64_t seed = 500;
  for (const Problem& p : problems) {
    const Weights w = make_weights(p, structured, seed++);
    const std::vector<float> x = random_values(p.batch * p.in, seed++);
    INFO("batch " << p.batch << ", out " << p.out << ", in " << p.in << ", sparsity "
                  << p.sparsity);
    const Exact exact = exact_product(w, x, p);
    const std::vector<float> dense = dense_product(w, x, p);
    std::vector<float> reference;
    for (size_t k = 0; k < kernels.size(); ++k) {
      INFO(kernels[k].name);
      // Pre-filled with garbage: a kernel must overwrite Y, not accumulate into it.
      std::vector<float> y(static_cast<size_t>(p.batch * p.out), 7.0f);
      kernels[k].run(w, x, p.batch, y);
      worst_exact[k] = std::max(worst_exact[k], check_against_exact(y, exact));
      worst_dense[k] = std::max(worst_dense[k], compare(dense, y, 0.0f, 0.0f).max_abs_diff);
      if (k == 0) reference = y;
      worst_reference[k] =
          std::max(worst_reference[k], compare(reference, y, 0.0f, 0.0f).max_abs_diff);
      if (p.sparsity == 1.0f) CHECK(y == std::vector<float>(y.size(), 0.0f));
    }
  }
  for (size_t k = 0; k < kernels.size(); ++k) {
    WARN(kernels[k].name << " over " << problems.size() << " problems: max|diff| vs exact "
                         << worst_exact[k] << ", vs dense reference GEMM " << worst_dense[k]
                         << ", vs " << kernels[0].name << " " << worst_reference[k]);
  }
}

void require_avx2() {
  if (!cpu_has_avx2_fma()) test::skip_test("AVX2 sparse kernels", "this CPU lacks AVX2 or FMA");
}

// The optimized kernel on 1 and 2 threads: outputs are split between threads, never a
// sum, so the bits must agree.
template <typename Run>
void check_thread_invariance(const Run& run, int64_t batch, int64_t out, int64_t in) {
  const std::vector<float> x = random_values(batch * in, 77);
  const int threads = num_threads();
  set_num_threads(1);
  std::vector<float> one(static_cast<size_t>(batch * out));
  run(x, one);
  set_num_threads(2);
  std::vector<float> two(one.size());
  run(x, two);
  set_num_threads(threads);
  INFO("batch " << batch << ", out " << out << ", in " << in);
  CHECK(one == two);
}

}  // namespace

TEST_CASE("CSR reference kernel matches the exact product", "[sparse]") {
  const std::vector<NamedKernel> kernels = {csr_kernel("csr reference", csr_matmul_reference)};
  check_kernels(kernels, edge_problems(), false);
  check_kernels(kernels, random_problems(), false);
}

TEST_CASE("2:4 reference kernel matches the exact product", "[sparse]") {
  const std::vector<NamedKernel> kernels = {
      sparse24_kernel("2:4 reference", sparse24_matmul_reference)};
  check_kernels(kernels, edge_problems(), true);
  check_kernels(kernels, random_problems(), true);
}

TEST_CASE("CSR AVX2 kernel matches the reference and the exact product", "[sparse]") {
  require_avx2();
  const std::vector<NamedKernel> kernels = {csr_kernel("csr reference", csr_matmul_reference),
                                            csr_kernel("csr avx2", csr_matmul_avx2)};
  check_kernels(kernels, edge_problems(), false);
  check_kernels(kernels, random_problems(), false);
}

TEST_CASE("2:4 AVX2 kernel matches the reference and the exact product", "[sparse]") {
  require_avx2();
  const std::vector<NamedKernel> kernels = {
      sparse24_kernel("2:4 reference", sparse24_matmul_reference),
      sparse24_kernel("2:4 avx2", sparse24_matmul_avx2)};
  check_kernels(kernels, edge_problems(), true);
  check_kernels(kernels, random_problems(), true);
}

TEST_CASE("AVX2 sparse kernels give the same bits on one and two threads", "[sparse]") {
  require_avx2();
  // Big enough for the OpenMP path (at least 2^16 multiply-adds), in both regimes.
  for (const auto& [batch, out, in] :
       {std::tuple<int64_t, int64_t, int64_t>{1, 1200, 1200}, {3, 500, 800}, {100, 300, 784}}) {
    const std::vector<float> dense = random_sparse(out, in, 0.5f, 5);
    const CsrMatrix csr = csr_from_dense(dense.data(), out, in);
    check_thread_invariance(
        [&](const std::vector<float>& x, std::vector<float>& y) {
          SparseScratch scratch;
          csr_matmul_avx2(csr, x.data(), batch, y.data(), scratch);
        },
        batch, out, in);
    std::vector<float> pruned = dense;
    prune_2_4(pruned, out, in);
    const Sparse24Matrix sparse24 = sparse24_from_dense(pruned.data(), out, in);
    check_thread_invariance(
        [&](const std::vector<float>& x, std::vector<float>& y) {
          SparseScratch scratch;
          sparse24_matmul_avx2(sparse24, x.data(), batch, y.data(), scratch);
        },
        batch, out, in);
  }
}

TEST_CASE("the best sparse kernels are the AVX2 ones exactly when the CPU has AVX2", "[sparse]") {
  const bool avx2 = cpu_has_avx2_fma();
  CHECK((csr_matmul_best() == csr_matmul_avx2) == avx2);
  CHECK((sparse24_matmul_best() == sparse24_matmul_avx2) == avx2);
}

}  // namespace slim::testing
