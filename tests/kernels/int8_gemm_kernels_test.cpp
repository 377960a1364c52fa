// Every int8 GEMM variant in gemm_s8_kernels() against gemm_s8s8s32_reference, bit for
// bit: random shapes, the awkward edges (M, N or K of 1; K not a multiple of 2, 4 or 64;
// N not a multiple of 16 or 32; M not a multiple of the micro-kernel's rows), products big
// enough to take the OpenMP path, and every code at -128 or 127. The same products through
// multiply_requantize against the reference product requantized by requantize_channel.
//
// One test case per variant, so that ctest shows a variant this CPU cannot run as Skipped
// with the reason (scripts/gpu-check runs these on the GPU machine's CPU, which may have
// AVX-512 VNNI or AMX).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/int8/gemm_s8.h"
#include "kernels/int8/gemm_s8_amx.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/requantize_row.h"
#include "tests/cuda/skip.h"

namespace slim {
namespace {

struct Dims {
  int64_t m, n, k;
};

std::vector<int8_t> random_codes(int64_t count, Rng& rng) {
  std::vector<int8_t> codes(static_cast<size_t>(count));
  for (int8_t& c : codes) c = static_cast<int8_t>(static_cast<int>(rng.below(256)) - 128);
  return codes;
}

// Elements of `kernel`'s product that differ from the reference's.
int64_t mismatches(const GemmS8Kernel& kernel, const Dims& d, const std::vector<int8_t>& a,
                   const std::vector<int8_t>& b) {
  std::vector<int32_t> want(static_cast<size_t>(d.m * d.n));
  gemm_s8s8s32_reference(d.m, d.n, d.k, a.data(), b.data(), want.data());
  std::vector<int32_t> got(want.size(), -7);  // stale values must be overwritten
  const PackedS8Weights packed = kernel.pack(d.n, d.k, b.data());
  kernel.multiply(d.m, a.data(), packed, got.data());
  int64_t count = 0;
  for (size_t i = 0; i < got.size(); ++i) count += got[i] != want[i];
  return count;
}

// kMixed: per-column output constants for an accumulator of about `typical` magnitude:
// half the columns scaled so that codes spread over the int8 range (exponent near
// 31 + log2(typical / 64)), the others anything from 0 to 62; biases small or up to the
// int32 extremes (|acc + bias| < 2^32 holds for |acc| < 2^31). Such constants take the
// 64-bit-lane output stage. kNarrow: every column spreads, as a trained layer's do, so
// that the 32-bit-lane stage applies (narrow_requantization_applies).
enum class OutputStage { kMixed, kNarrow };

RowRequantization random_output_stage(int64_t n, double typical, Rng& rng, OutputStage stage) {
  const int spread = 31 + static_cast<int>(std::lround(std::log2(std::max(typical, 1.0) / 64)));
  RowRequantization r;
  for (int64_t j = 0; j < n; ++j) {
    const bool spreads = stage == OutputStage::kNarrow || rng.below(2) == 0;
    r.biases.push_back(spreads ? static_cast<int64_t>(rng.below(2001)) - 1000
                               : static_cast<int64_t>(static_cast<int32_t>(rng.next_u64())));
    r.multipliers.push_back(static_cast<int32_t>((1u << 30) + rng.below(1u << 30)));
    r.exponents.push_back(spreads ? std::clamp(spread + static_cast<int>(rng.below(5)) - 2, 0, 62)
                                  : static_cast<int32_t>(rng.below(63)));
  }
  r.zero_point = static_cast<int32_t>(rng.below(256)) - 128;
  r.qmin = rng.below(2) == 0 ? -128 : r.zero_point;  // plain, or with a fused ReLU
  return r;
}

struct RequantizedCheck {
  int64_t mismatches = 0;
  int64_t interior = 0;  // codes strictly inside (qmin, qmax): not decided by the clamp
  bool guard_intact = true;
};

RequantizedCheck check_requantized(const GemmS8Kernel& kernel, const PackedS8Weights& packed,
                                   const Dims& d, const std::vector<int8_t>& a,
                                   const std::vector<int8_t>& b, Rng& rng,
                                   OutputStage stage = OutputStage::kMixed) {
  std::vector<int32_t> acc(static_cast<size_t>(d.m * d.n));
  gemm_s8s8s32_reference(d.m, d.n, d.k, a.data(), b.data(), acc.data());
  const RowRequantization r =
      random_output_stage(d.n, 74.0 * std::sqrt(static_cast<double>(d.k)) * 74.0, rng, stage);
  if (stage == OutputStage::kNarrow) REQUIRE(narrow_requantization_applies(r, d.k));
  // A guard of 64 bytes after C: a masked store must not write past it.
  constexpr int8_t kGuard = 99;
  std::vector<int8_t> got(acc.size() + 64, kGuard);
  kernel.multiply_requantize(d.m, a.data(), packed, r, got.data());
  RequantizedCheck result;
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t column = static_cast<int64_t>(i) % d.n;
    const int8_t want = requantize_channel(r, column, acc[i]);
    result.mismatches += got[i] != want;
    result.interior += want > r.qmin && want < r.qmax;
  }
  for (size_t i = acc.size(); i < got.size(); ++i) result.guard_intact &= got[i] == kGuard;
  return result;
}

std::vector<Dims> test_shapes(Rng& rng) {
  std::vector<Dims> shapes = {{1, 1, 1},   {1, 1, 300},  {1, 120, 400}, {7, 1, 65},   {6, 16, 2},
                              {8, 32, 4},  {32, 32, 64}, {33, 33, 65},  {5, 17, 3},   {13, 31, 63},
                              {1, 10, 84}, {256, 6, 25}, {64, 96, 130}, {97, 70, 577}};
  for (int i = 0; i < 30; ++i) {
    shapes.push_back({1 + static_cast<int64_t>(rng.below(40)),
                      1 + static_cast<int64_t>(rng.below(70)),
                      1 + static_cast<int64_t>(rng.below(260))});
  }
  return shapes;
}

void check_kernel(const GemmS8Kernel& kernel) {
  const std::string_view name = kernel.name;
  Rng rng(2024);
  int64_t requantized = 0, interior = 0;
  for (const Dims& d : test_shapes(rng)) {
    const std::vector<int8_t> a = random_codes(d.m * d.k, rng);
    const std::vector<int8_t> b = random_codes(d.n * d.k, rng);
    INFO(name << ": M=" << d.m << " N=" << d.n << " K=" << d.k);
    CHECK(mismatches(kernel, d, a, b) == 0);
    const PackedS8Weights packed = kernel.pack(d.n, d.k, b.data());
    for (const OutputStage stage : {OutputStage::kMixed, OutputStage::kNarrow}) {
      INFO((stage == OutputStage::kNarrow ? "narrow" : "mixed") << " output constants");
      const RequantizedCheck check = check_requantized(kernel, packed, d, a, b, rng, stage);
      CHECK(check.mismatches == 0);
      CHECK(check.guard_intact);
      requantized += d.m * d.n;
      interior += check.interior;
    }
  }
  // The constants must leave most codes to the arithmetic, not to the clamp.
  CHECK(interior > requantized / 4);
  // The extremes: (-128)(-128) = 2^14 is the product that breaks saturating instructions,
  // and K = 4099 of them (not a multiple of any vector width) sum to 2^26 per element.
  const Dims extreme{9, 35, 4099};
  for (const int8_t a_code : {int8_t{-128}, int8_t{127}}) {
    for (const int8_t b_code : {int8_t{-128}, int8_t{127}}) {
      const std::vector<int8_t> a(static_cast<size_t>(extreme.m * extreme.k), a_code);
      const std::vector<int8_t> b(static_cast<size_t>(extreme.n * extreme.k), b_code);
      INFO(name << ": every code " << int{a_code} << " times " << int{b_code});
      CHECK(mismatches(kernel, extreme, a, b) == 0);
      const PackedS8Weights packed = kernel.pack(extreme.n, extreme.k, b.data());
      for (const OutputStage stage : {OutputStage::kMixed, OutputStage::kNarrow}) {
        const RequantizedCheck check = check_requantized(kernel, packed, extreme, a, b, rng, stage);
        CHECK(check.mismatches == 0);
        CHECK(check.guard_intact);
      }
    }
  }
}

void check_variant(std::string_view name) {
  const GemmS8Kernel& kernel = find_gemm_s8_kernel(name);
  const std::string reason = kernel.unavailable_reason();
  if (!reason.empty()) test::skip_test("int8 GEMM variant " + std::string(name), reason);
  check_kernel(kernel);
}

TEST_CASE("int8 GEMM variant amx equals the reference", "[int8_dispatch]") {
  check_variant("amx");
}

// Runs everywhere: the AMX variant's packing, K chunks, row groups and edges on emulated
// tiles, so a CPU without AMX (CI) still catches a blocking bug. The shapes above reach
// more than one K chunk (577, 4099) and one row group (97 rows > 4 x 32) only in part, so
// two larger products are added.
TEST_CASE("int8 GEMM variant amx's blocking on emulated tiles equals the reference",
          "[int8_dispatch]") {
  const GemmS8Kernel kernel = amx_emulated_gemm_s8_kernel();
  check_kernel(kernel);
  Rng rng(7);
  // Products of fewer than 16 rows, at most 16 columns or K at most 32 go to VNNI when this
  // CPU has it: the packing carries a VNNI copy exactly then.
  const std::vector<int8_t> weights(static_cast<size_t>(40 * 70), int8_t{3});
  const PackedS8Weights packed = kernel.pack(40, 70, weights.data());
  CHECK((packed.handoff != nullptr) == find_gemm_s8_kernel("avx512_vnni").available());
  if (packed.handoff) CHECK(packed.handoff->kernel == "avx512_vnni");
  // And the tiles themselves on such shapes, with the VNNI copy taken away.
  for (const Dims& d :
       {Dims{1, 70, 300}, Dims{13, 33, 65}, Dims{40, 10, 500}, Dims{70, 16, 9}, Dims{33, 40, 32}}) {
    const std::vector<int8_t> a = random_codes(d.m * d.k, rng);
    const std::vector<int8_t> b = random_codes(d.n * d.k, rng);
    std::vector<int32_t> want(static_cast<size_t>(d.m * d.n));
    gemm_s8s8s32_reference(d.m, d.n, d.k, a.data(), b.data(), want.data());
    PackedS8Weights tiles_only = kernel.pack(d.n, d.k, b.data());
    tiles_only.handoff.reset();
    std::vector<int32_t> got(want.size(), -7);
    kernel.multiply(d.m, a.data(), tiles_only, got.data());
    INFO("emulated amx tiles: M=" << d.m << " N=" << d.n << " K=" << d.k);
    CHECK(got == want);
    const RequantizedCheck check = check_requantized(kernel, tiles_only, d, a, b, rng);
    CHECK(check.mismatches == 0);
    CHECK(check.guard_intact);
  }
  // 4-bit weights as nibbles: the tiles unpack each column block once per thread (several
  // blocks, row groups and threads here), and the VNNI copy holds nibbles too.
  for (const Dims& d : {Dims{161, 70, 1100}, Dims{40, 10, 500}, Dims{33, 40, 32}, Dims{97, 96, 130},
                        Dims{5, 33, 65}}) {
    const std::vector<int8_t> a = random_codes(d.m * d.k, rng);
    std::vector<int8_t> b(static_cast<size_t>(d.n * d.k));
    for (int8_t& code : b) code = static_cast<int8_t>(static_cast<int>(rng.below(16)) - 8);
    std::vector<int32_t> want(static_cast<size_t>(d.m * d.n));
    gemm_s8s8s32_reference(d.m, d.n, d.k, a.data(), b.data(), want.data());
    PackedS8Weights nibbles = kernel.pack_int4(d.n, d.k, b.data());
    CHECK(nibbles.int4);
    if (nibbles.handoff) CHECK(nibbles.handoff->int4);
    INFO("emulated amx int4: M=" << d.m << " N=" << d.n << " K=" << d.k);
    std::vector<int32_t> got(want.size(), -7);
    kernel.multiply(d.m, a.data(), nibbles, got.data());
    CHECK(got == want);
    nibbles.handoff.reset();
    std::fill(got.begin(), got.end(), -7);
    kernel.multiply(d.m, a.data(), nibbles, got.data());
    CHECK(got == want);
    const RequantizedCheck check = check_requantized(kernel, nibbles, d, a, b, rng);
    CHECK(check.mismatches == 0);
  }
  for (const Dims& d : {Dims{161, 70, 1100}, Dims{300, 65, 1030}}) {
    const std::vector<int8_t> a = random_codes(d.m * d.k, rng);
    const std::vector<int8_t> b = random_codes(d.n * d.k, rng);
    INFO("emulated amx: M=" << d.m << " N=" << d.n << " K=" << d.k);
    CHECK(mismatches(kernel, d, a, b) == 0);
    const RequantizedCheck check =
        check_requantized(kernel, kernel.pack(d.n, d.k, b.data()), d, a, b, rng);
    CHECK(check.mismatches == 0);
  }
}

TEST_CASE("int8 GEMM variant avx512_vnni equals the reference", "[int8_dispatch]") {
  check_variant("avx512_vnni");
}

TEST_CASE("int8 GEMM variant avx2 equals the reference", "[int8_dispatch]") {
  check_variant("avx2");
}

TEST_CASE("int8 GEMM variant scalar equals the reference", "[int8_dispatch]") {
  check_variant("scalar");
}

TEST_CASE("the int8 GEMM table lists every tested variant and selects the first available",
          "[int8_dispatch]") {
  std::vector<std::string> names;
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) names.emplace_back(kernel.name);
  // Adding a variant without a test case above fails here.
  CHECK(names == std::vector<std::string>{"amx", "avx512_vnni", "avx2", "scalar"});
  CHECK(find_gemm_s8_kernel("scalar").available());
  CHECK_THROWS_AS(find_gemm_s8_kernel("sse9"), UserError);
  CHECK_THROWS_WITH(find_gemm_s8_kernel("sse9"),
                    Catch::Contains("valid choices: amx, avx512_vnni, avx2, scalar"));
  const GemmS8Kernel& selected = selected_gemm_s8_kernel();
  CHECK(selected.available());
  // The selection is the first available variant in table order (unless forced).
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) {
    if (kernel.available()) {
      CHECK(selected.name == kernel.name);
      break;
    }
  }
}

// 4-bit weights held as nibbles (pack_int4): the same product as the reference on the
// unpacked codes, for every variant that has the path and can run here.
TEST_CASE("int8 GEMM variants with an int4 weight path equal the reference", "[int8_dispatch]") {
  int variants_checked = 0;
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) {
    if (kernel.pack_int4 == nullptr || !kernel.available()) continue;
    ++variants_checked;
    Rng rng(404);
    for (const Dims& d : test_shapes(rng)) {
      const std::vector<int8_t> a = random_codes(d.m * d.k, rng);
      std::vector<int8_t> b(static_cast<size_t>(d.n * d.k));
      for (int8_t& code : b) code = static_cast<int8_t>(static_cast<int>(rng.below(16)) - 8);
      std::vector<int32_t> want(static_cast<size_t>(d.m * d.n));
      gemm_s8s8s32_reference(d.m, d.n, d.k, a.data(), b.data(), want.data());
      std::vector<int32_t> got(want.size(), -7);
      const PackedS8Weights packed = kernel.pack_int4(d.n, d.k, b.data());
      CHECK(packed.int4);
      // Half a byte per code, padded at most to AMX's whole tiles (32 columns, 64 k); a
      // copy for another variant (handoff) is not counted.
      CHECK(static_cast<int64_t>(packed.data.size()) * 2 <=
            (d.n + 31) / 32 * 32 * ((d.k + 63) / 64 * 64));
      kernel.multiply(d.m, a.data(), packed, got.data());
      INFO(kernel.name << " int4: M=" << d.m << " N=" << d.n << " K=" << d.k);
      CHECK(got == want);
      const RequantizedCheck check = check_requantized(kernel, packed, d, a, b, rng);
      CHECK(check.mismatches == 0);
      CHECK(check.guard_intact);
    }
    const std::vector<int8_t> out_of_range = {0, 8, -1, 3};
    CHECK_THROWS_AS(kernel.pack_int4(2, 2, out_of_range.data()), std::invalid_argument);
  }
  // avx2 and avx512_vnni have the path; any x86-64 CPU this project supports runs avx2.
  CHECK(variants_checked >= (find_gemm_s8_kernel("avx512_vnni").available() ? 2 : 1));
}

TEST_CASE("an int8 GEMM variant refuses weights another variant packed", "[int8_dispatch]") {
  const std::vector<int8_t> b(12, 1);
  const PackedS8Weights packed = find_gemm_s8_kernel("scalar").pack(3, 4, b.data());
  const std::vector<int8_t> a(4, 1);
  std::vector<int32_t> c(3);
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) {
    if (kernel.name == "scalar" || !kernel.available()) continue;
    INFO(kernel.name);
    CHECK_THROWS_AS(kernel.multiply(1, a.data(), packed, c.data()), std::logic_error);
  }
  find_gemm_s8_kernel("scalar").multiply(1, a.data(), packed, c.data());
  CHECK(c == std::vector<int32_t>{4, 4, 4});
}

}  // namespace
}  // namespace slim
