// Steady-state int8 runs allocate nothing: the global operator new is replaced here by a
// counting wrapper around malloc (for the whole test_quant binary, where it changes no
// behaviour), and the count is read around a repeated run of an all-integer model.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#include "core/layers/flatten.h"
#include "core/layers/pooling.h"
#include "core/quant/quantize_layer.h"
#include "core/quant/quantized_conv2d.h"
#include "core/quant/quantized_linear.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/int8/int8_executor.h"
#include "tests/quant/int8_test_support.h"

namespace {

std::atomic<int64_t> g_allocations{0};

void* counted_allocation(std::size_t size, std::size_t alignment) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(size);
  } else {
    // aligned_alloc wants a size that is a multiple of the alignment.
    p = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  }
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t size) {
  return counted_allocation(size, alignof(std::max_align_t));
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return counted_allocation(size, static_cast<std::size_t>(alignment));
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace slim {
namespace {

using namespace int8_testing;

TEST_CASE("steady-state int8 runs allocate nothing", "[int8]") {
  Rng rng(71);
  Model model("int8-only", {2, 8, 8}, 5);
  const ActivationQuant input = grid(0.03f, 3);
  const ActivationQuant conv_out = grid(0.05f, -2).with_relu();
  const ActivationQuant fc_out = grid(0.2f, 0);
  model.add("quant", std::make_unique<QuantizeLayer>(input));
  model.add(
      "conv",
      std::make_unique<QuantizedConv2d>(
          Conv2dOptions{.in_channels = 2, .out_channels = 3, .kernel_size = 3, .padding = 1},
          random_weight({.rows = 3, .cols = 18, .group_size = 9}, rng), random_bias(3, 0.1f, rng),
          QuantScheme{.fixed = StaticScheme{input, conv_out, true}}));
  model.add("pool", std::make_unique<MaxPool2d>(PoolOptions{2, 2, 0}));
  model.add("flat", std::make_unique<Flatten>());
  model.add("fc", std::make_unique<QuantizedLinear>(
                      random_weight({.rows = 5, .cols = 48, .asymmetric = true}, rng),
                      random_bias(5, 0.1f, rng),
                      QuantScheme{.fixed = StaticScheme{conv_out, fc_out, false}}));
  const auto plan = slim::lower_int8(model, gemm_openblas);
  Tensor x({4, 2, 8, 8});
  for (float& v : x.values()) v = rng.normal();
  plan->run(x);  // the first run sizes every buffer
  const int64_t before = g_allocations.load();
  for (int i = 0; i < 3; ++i) plan->run(x);
  const int64_t during = g_allocations.load() - before;
  CHECK(during == 0);
}

}  // namespace
}  // namespace slim
