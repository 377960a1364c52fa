// The direct VNNI convolution (kernels/int8/conv2d_s8_vnni.h) and its pixel-quad packer
// (pixel_quads.h) against their references, bit for bit:
//  * the VBMI packer against the plain definition, on geometries that take both of its
//    gathers (one per quad, one per tap), padding with a zero point far from 0, stride 2,
//    a last pixel group with fewer than 16 pixels and depths that are not multiples of 4;
//    in both pixel orders (row-major and 2x2 pool windows);
//  * QuantizedConv2dOp on the direct path against the same op on the im2row path with
//    the scalar GEMM, for every register-tile height, fused ReLU, per-tensor and per-group
//    weights (groups of 4, 8 and 32 codes, a short last group), input zero points at both
//    ends of int8 and codes at the extremes;
//  * the fused 2x2 max pool (ConvFusion), on the direct and the im2row path, against the
//    unfused convolution followed by relu_s8 and maxpool2d_s8;
//  * the reasons a layer or a geometry stays on the im2row path.
// Without AVX-512 VNNI and VBMI the tests that need them exit as skipped, saying why.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/gemm.h"
#include "core/quant/quantized_conv2d.h"
#include "core/rng.h"
#include "kernels/int8/conv2d_s8_vnni.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/pixel_quads.h"
#include "kernels/int8/pooling_s8.h"
#include "kernels/int8/quantized_conv2d_op.h"
#include "kernels/int8/relu_s8.h"
#include "tests/cuda/skip.h"
#include "tests/quant/int8_test_support.h"

namespace slim {
namespace {

using namespace int8_testing;

void skip_without_direct_conv(std::string_view what) {
  if (const std::string why = DirectConvS8Vnni::cpu_unavailable_reason(); !why.empty()) {
    test::skip_test(what, why);
  }
}

struct PackCase {
  std::string name;
  ConvGeometry g;  // batch unused
  bool all_quads_at_once;
  bool pool_windows_fit = true;  // the pool-window order's groups within vpermi2b's reach
};

std::vector<PackCase> pack_cases() {
  return {
      {"lenet-5 conv1: 1x28x28, 5x5", {1, 1, 28, 28, 5, 5, 1, 0}, true},
      {"lenet-5 conv2: 20x12x12, 5x5", {1, 20, 12, 12, 5, 5, 1, 0}, true},
      {"3x9x8, 3x3, padding 1 (72 pixels: a half group)", {1, 3, 9, 8, 3, 3, 1, 1}, true},
      {"16x28x28, 3x3, padding 1 (quads across channels)", {1, 16, 28, 28, 3, 3, 1, 1}, false},
      {"16x15x15, 3x3, stride 2, padding 1", {1, 16, 15, 15, 3, 3, 2, 1}, false, false},
      {"2x5x5, 1x1 (depth 2)", {1, 2, 5, 5, 1, 1, 1, 0}, true},
      {"3x7x6, 2x2, stride 2, padding 2 (depth 12)", {1, 3, 7, 6, 2, 2, 2, 2}, true},
  };
}

TEST_CASE("pixel quads: the VBMI packer equals the reference", "[int8][int8_dispatch]") {
  skip_without_direct_conv("pixel quads (VBMI packer)");
  Rng rng(81);
  for (const PackCase& c : pack_cases()) {
    for (const PixelOrder order : {PixelOrder::kRowMajor, PixelOrder::kPoolWindows2x2}) {
      INFO(c.name << (order == PixelOrder::kRowMajor ? ", row-major" : ", pool windows"));
      const PixelQuadPacker packer(c.g, order);
      if (order == PixelOrder::kPoolWindows2x2 && !c.pool_windows_fit) {
        CHECK_THAT(packer.unsupported_reason(), Catch::Contains("span"));
        continue;
      }
      REQUIRE(packer.unsupported_reason().empty());
      if (order == PixelOrder::kRowMajor) {
        CHECK((packer.quads_gathered_at_once() == pixel_quad_depth(c.g)) == c.all_quads_at_once);
      }
      std::vector<int8_t> image(static_cast<size_t>(c.g.channels * c.g.height * c.g.width));
      for (int8_t& x : image) x = static_cast<int8_t>(static_cast<int>(rng.below(256)) - 128);
      const int8_t zero_point = 40;  // padding with 0 instead would show
      AlignedBytes want(static_cast<size_t>(pixel_quad_image_bytes(c.g, order)));
      pack_pixel_quads_reference(c.g, image.data(), zero_point, want.data(), order);
      // Stale bytes in both buffers: every byte must be written.
      AlignedBytes padded(static_cast<size_t>(packer.padded_bytes()), 0xCD);
      AlignedBytes got(want.size(), 0xCD);
      packer.pack(image.data(), zero_point, padded.data(), got.data());
      CHECK(got == want);
    }
  }
}

TEST_CASE("pixel quads in pool window order: group 4G + 2dy + dx holds window position (dy, dx)",
          "[int8]") {
  // A 4x5 image, 1x1 kernel: the 4x5 output pools to 2x2 (column 4 is dropped), so the
  // four groups hold pooled pixels 0-3, then 12 repeats of pooled pixel 3.
  const ConvGeometry g{1, 1, 4, 5, 1, 1, 1, 0};
  const PixelOrder order = PixelOrder::kPoolWindows2x2;
  std::vector<int8_t> image(20);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<int8_t>(i);
  REQUIRE(pixel_quad_pixels(g, order) == 4);
  REQUIRE(pixel_quad_groups(g, order) == 4);
  AlignedBytes out(static_cast<size_t>(pixel_quad_image_bytes(g, order)));
  REQUIRE(out.size() == 4 * 64);
  pack_pixel_quads_reference(g, image.data(), 0, out.data(), order);
  for (int64_t window = 0; window < 4; ++window) {
    for (int64_t lane = 0; lane < 16; ++lane) {
      const int64_t pooled = std::min<int64_t>(lane, 3);
      const int64_t oh = pooled / 2 * 2 + window / 2, ow = pooled % 2 * 2 + window % 2;
      const auto want = static_cast<uint8_t>((oh * 5 + ow) ^ 0x80);
      INFO("window " << window << ", lane " << lane);
      for (int64_t j = 0; j < 4; ++j) {
        CHECK(out[static_cast<size_t>(window * 64 + 4 * lane + j)] == want);
      }
    }
  }
}

TEST_CASE("pixel quads: the reference shifts codes and pads with the zero point", "[int8]") {
  // 1x2x2 image, 1x1 kernel, padding 1: 4x4 output pixels, depth 1 (taps 1-3 repeat it).
  const ConvGeometry g{1, 1, 2, 2, 1, 1, 1, 1};
  const std::vector<int8_t> image = {-128, -1, 0, 127};
  AlignedBytes out(static_cast<size_t>(pixel_quad_image_bytes(g)));
  REQUIRE(out.size() == 64);
  pack_pixel_quads_reference(g, image.data(), -5, out.data());
  const uint8_t pad = static_cast<uint8_t>(-5 + 128);
  const std::vector<uint8_t> pixels = {pad, pad, pad, pad, pad, 0,   127, pad,
                                       pad, 128, 255, pad, pad, pad, pad, pad};
  for (int64_t p = 0; p < 16; ++p) {
    INFO("pixel " << p);
    for (int64_t j = 0; j < 4; ++j) CHECK(out[static_cast<size_t>(4 * p + j)] == pixels[p]);
  }
}

TEST_CASE("pixel quads: 16 pixels beyond vpermi2b's reach are refused", "[int8]") {
  // Output rows of 149 pixels, 600 input bytes apart: the group that wraps a row spans more
  // than 128 bytes.
  const PixelQuadPacker packer(ConvGeometry{1, 1, 6, 300, 3, 3, 2, 0});
  CHECK_THAT(packer.unsupported_reason(), Catch::Contains("span"));
  std::vector<int8_t> image(1800);
  AlignedBytes padded(static_cast<size_t>(packer.padded_bytes()));
  AlignedBytes out(static_cast<size_t>(pixel_quad_image_bytes(packer.geometry())));
  CHECK_THROWS_AS(packer.pack(image.data(), 0, padded.data(), out.data()), std::logic_error);
}

struct ConvCase {
  std::string name;
  Conv2dOptions options;
  int64_t height, width;
  int32_t input_zero_point;
  bool fused_relu = false;
  bool per_tensor = false;
  int64_t group_size = 0;   // per-group weights when > 0
  bool asymmetric = false;  // weight zero points
  // Scales the output grid's step: 1/2000 makes multipliers M = S_x S_w / S_y above 1/2,
  // which the 32-bit-lane output stage does not take, so the 64-bit one runs.
  float output_scale_factor = 1.0f;
};

std::vector<ConvCase> conv_cases() {
  return {
      {"lenet-5 conv1 (20 channels: R = 5)", {1, 20, 5, 1, 0, true}, 28, 28, -3},
      {"lenet-5 conv2 (50 channels: R = 5), fused ReLU", {20, 50, 5, 1, 0, true}, 12, 12, 17, true},
      {"48 channels (R = 6), 3x3 padding 1, half group", {3, 48, 3, 1, 1, true}, 9, 8, -128},
      {"7 channels (R = 4, one padded), stride 2, per-tap gathers",
       {16, 7, 3, 2, 1, false},
       15,
       15,
       127},
      {"1 channel, 1x1, depth 2, per-tensor", {2, 1, 1, 1, 0, true}, 5, 5, 0, false, true},
      {"9 channels (R = 5, one padded), 28x28 3x3 padding 1", {16, 9, 3, 1, 1, true}, 28, 28, 60},
      {"per-group 32 (16 groups, the last of 20), lenet-5 conv2, fused ReLU",
       {20, 50, 5, 1, 0, true},
       12,
       12,
       -40,
       true,
       false,
       32},
      {"per-group 8, 7 channels (R = 4, one padded), stride 2",
       {16, 7, 3, 2, 1, false},
       15,
       15,
       90,
       false,
       false,
       8},
      {"per-group 4, 48 channels (R = 6), 3x3 padding 1",
       {3, 48, 3, 1, 1, true},
       9,
       8,
       -128,
       false,
       false,
       4},
      {"asymmetric, lenet-5 conv1 (K = 25: a partial last quad)",
       {1, 20, 5, 1, 0, true},
       28,
       28,
       -3,
       false,
       false,
       0,
       true},
      {"asymmetric, lenet-5 conv2, fused ReLU",
       {20, 50, 5, 1, 0, true},
       12,
       12,
       127,
       true,
       false,
       0,
       true},
      {"asymmetric, 7 channels (R = 4, one padded), stride 2",
       {16, 7, 3, 2, 1, false},
       15,
       15,
       -128,
       false,
       false,
       0,
       true},
      {"asymmetric per-tensor, 1x1, depth 2", {2, 1, 1, 1, 0, true}, 5, 5, 0, false, true, 0, true},
      {"M > 1/2 (64-bit output stage), lenet-5 conv1",
       {1, 20, 5, 1, 0, true},
       28,
       28,
       -3,
       false,
       false,
       0,
       false,
       1.0f / 2000},
      {"M > 1/2 (64-bit output stage), asymmetric, 7 channels, stride 2",
       {16, 7, 3, 2, 1, false},
       15,
       15,
       40,
       true,
       false,
       0,
       true,
       1.0f / 2000},
  };
}

StaticScheme scheme_for(const ConvCase& c) {
  const int64_t depth = c.options.in_channels * c.options.kernel_size * c.options.kernel_size;
  const ActivationQuant input = grid(0.05f, c.input_zero_point);
  ActivationQuant output =
      grid(output_scale_for(depth, input.scale, 0.0125f) * c.output_scale_factor, -9);
  if (c.fused_relu) output = output.with_relu();
  return StaticScheme{.input = input, .output = output, .fused_relu = c.fused_relu};
}

// The case's layer: random weights (per-tensor, per-channel or per-group; symmetric unless
// the case says) and,
// when the options have one, a random bias.
QuantizedConv2d case_layer(const ConvCase& c, Rng& rng) {
  const Conv2dOptions& o = c.options;
  const StaticScheme scheme = scheme_for(c);
  const WeightSpec spec{.rows = o.out_channels,
                        .cols = o.in_channels * o.kernel_size * o.kernel_size,
                        .group_size = c.group_size,
                        .asymmetric = c.asymmetric,
                        .per_tensor = c.per_tensor};
  const std::vector<float> bias =
      o.bias ? random_bias(o.out_channels, 30.0f * scheme.output.scale, rng) : std::vector<float>{};
  return QuantizedConv2d(o, random_weight(spec, rng), bias, QuantScheme{.fixed = scheme});
}

// Three images of the case's shape, random codes on its input grid.
Int8Tensor case_input(const ConvCase& c, Rng& rng) {
  return random_codes({3, c.options.in_channels, c.height, c.width}, scheme_for(c).input, rng);
}

// The same layer on the direct path and on the im2row path, with the scalar GEMM and with
// the VNNI GEMM (ConvPath::kIm2row).
void check_direct_equals_im2row(const QuantizedConv2d& layer, const Int8Tensor& x) {
  const GemmS8Kernel& vnni = find_gemm_s8_kernel("avx512_vnni");
  QuantizedConv2dOp direct(layer, vnni);
  QuantizedConv2dOp scalar(layer, find_gemm_s8_kernel("scalar"));
  QuantizedConv2dOp vnni_im2row(layer, vnni, ConvPath::kIm2row);
  REQUIRE(direct.runs_direct(x.shape));
  REQUIRE_FALSE(scalar.runs_direct(x.shape));
  REQUIRE_FALSE(vnni_im2row.runs_direct(x.shape));
  Int8Tensor want, got, vnni_got;
  scalar.run(x, want);
  direct.run(x, got);
  vnni_im2row.run(x, vnni_got);
  REQUIRE(got.shape == want.shape);
  CHECK(got.codes == want.codes);
  CHECK(vnni_got.codes == want.codes);
}

TEST_CASE("direct VNNI convolution equals the im2row path bit for bit", "[int8][int8_dispatch]") {
  skip_without_direct_conv("direct VNNI convolution");
  Rng rng(82);
  for (const ConvCase& c : conv_cases()) {
    INFO(c.name);
    const QuantizedConv2d layer = case_layer(c, rng);
    check_direct_equals_im2row(layer, case_input(c, rng));
  }
}

// conv -> [ReLU] -> 2x2 max pool from the separate kernels: the unfused op (scalar GEMM),
// relu_s8, maxpool2d_s8.
Int8Tensor conv_relu_pool(const QuantizedConv2d& layer, const Int8Tensor& x, bool relu) {
  QuantizedConv2dOp conv(layer, find_gemm_s8_kernel("scalar"));
  Int8Tensor out, rectified, pooled;
  conv.run(x, out);
  if (relu) {
    relu_s8(out, rectified);
    out = rectified;
  }
  maxpool2d_s8(PoolOptions{2, 2, 0}, out, pooled);
  return pooled;
}

TEST_CASE("the fused 2x2 max pool equals conv, ReLU and pool run apart", "[int8][int8_dispatch]") {
  skip_without_direct_conv("direct VNNI convolution with a fused pool");
  Rng rng(85);
  const GemmS8Kernel& vnni = find_gemm_s8_kernel("avx512_vnni");
  for (const ConvCase& c : conv_cases()) {
    for (const bool relu : {false, true}) {
      INFO(c.name << (relu ? ", ReLU node" : ""));
      const QuantizedConv2d layer = case_layer(c, rng);
      const Int8Tensor x = case_input(c, rng);
      const Int8Tensor want = conv_relu_pool(layer, x, relu);
      const ConvFusion fusion{.relu = relu, .max_pool_2x2 = true};
      QuantizedConv2dOp direct(layer, vnni, ConvPath::kAuto, fusion);
      QuantizedConv2dOp im2row(layer, vnni, ConvPath::kIm2row, fusion);
      REQUIRE(direct.runs_direct(x.shape));
      // Strided layers spread 16 pooled pixels too far for the pool-window order; they run
      // the direct convolution, then the pool.
      CHECK(direct.pools_in_direct_kernel(x.shape) == (c.options.stride == 1));
      CHECK_FALSE(im2row.pools_in_direct_kernel(x.shape));
      Int8Tensor got_direct, got_im2row;
      direct.run(x, got_direct);
      im2row.run(x, got_im2row);
      for (const Int8Tensor* got : {&got_direct, &got_im2row}) {
        CHECK(got->shape == want.shape);
        CHECK(got->quant == want.quant);
        CHECK(got->codes == want.codes);
      }
    }
  }
}

// Both output stages run in the cases above: the 32-bit-lane one for the usual multipliers,
// the 64-bit one where a multiplier reaches 1/2 or K is too deep for 32-bit sums.
TEST_CASE("direct VNNI convolution picks its output stage by the constants", "[int8]") {
  Rng rng(87);
  for (const ConvCase& c : conv_cases()) {
    if (c.group_size > 0) continue;  // per-group layers have their own output stage
    INFO(c.name);
    const QuantizedConv2d layer = case_layer(c, rng);
    const StaticRequantizer requantizer(layer.weight(), layer.bias(), *layer.scheme().fixed);
    const DirectConvS8Vnni direct(layer.weight(), requantizer.row_constants(), c.input_zero_point);
    CHECK(direct.narrow_output_stage() == (c.output_scale_factor == 1.0f));
  }
  const auto weight = random_weight({.rows = 2, .cols = 9}, rng);
  RowRequantization constants{
      .biases = {0, 0}, .multipliers = {1 << 30, 1 << 30}, .exponents = {40, 32}};
  CHECK(DirectConvS8Vnni(*weight, constants, 0).narrow_output_stage());
  constants.exponents = {40, 31};
  CHECK_FALSE(DirectConvS8Vnni(*weight, constants, 0).narrow_output_stage());
  // A bias that, with the K = 9 accumulators and the input zero point's fold (at most
  // 128 * 9 * 128 either way), leaves int32.
  constants.exponents = {40, 40};
  constants.biases = {0, int64_t{1} << 31};
  CHECK_FALSE(DirectConvS8Vnni(*weight, constants, 0).narrow_output_stage());
}

TEST_CASE("the fused pool refuses constants it could not pool before requantizing", "[int8]") {
  Rng rng(86);
  const auto weight = random_weight({.rows = 2, .cols = 9}, rng);
  RowRequantization constants{
      .biases = {0, 0}, .multipliers = {1 << 30, -(1 << 30)}, .exponents = {31, 31}};
  CHECK_THROWS_AS(DirectConvS8Vnni(*weight, constants, 0, /*pool_2x2=*/true), std::logic_error);
  constants.multipliers[1] = 1 << 30;
  CHECK_NOTHROW(DirectConvS8Vnni(*weight, constants, 0, /*pool_2x2=*/true));
}

// Every weight -128 and every input at one end of the grid, with K = 1600: the largest
// accumulators (1600 * 255 * 128 before the shift is taken off) and a bias fold of
// (128 + Z_x) * sum w at its extreme, saturating the output both ways.
TEST_CASE("direct VNNI convolution is exact at the extreme codes", "[int8][int8_dispatch]") {
  skip_without_direct_conv("direct VNNI convolution");
  const Conv2dOptions o{64, 6, 5, 1, 0, true};
  const int64_t depth = 64 * 25;
  for (const int32_t zero_point : {-128, 127}) {
    for (const int8_t input_code : {int8_t{-128}, int8_t{127}}) {
      INFO("Z_x " << zero_point << ", inputs " << int{input_code});
      auto weight = std::make_shared<QuantizedWeight>(
          QuantRange{.bits = 8, .is_signed = true, .narrow = false}, Granularity::kPerChannel, 6,
          depth, depth, std::vector<int8_t>(static_cast<size_t>(6 * depth), -128),
          std::vector<float>(6, 0.01f), std::vector<int32_t>(6, 0));
      const StaticScheme scheme{.input = grid(0.05f, zero_point), .output = grid(40.0f, 0)};
      const QuantizedConv2d layer(o, weight, std::vector<float>{1.0f, -1.0f, 0, 50, -50, 3},
                                  QuantScheme{.fixed = scheme});
      Int8Tensor x;
      x.resize({2, 64, 6, 7});
      x.quant = scheme.input;
      std::fill(x.codes.begin(), x.codes.end(), input_code);
      check_direct_equals_im2row(layer, x);
    }
  }
}

TEST_CASE("direct VNNI convolution gives the same codes on 1 and 2 threads",
          "[int8][int8_dispatch]") {
  skip_without_direct_conv("direct VNNI convolution");
  Rng rng(83);
  const ConvCase c{"lenet-5 conv2", {20, 50, 5, 1, 0, true}, 12, 12, 5};
  const StaticScheme scheme = scheme_for(c);
  const QuantizedConv2d layer(c.options, random_weight({.rows = 50, .cols = 500}, rng),
                              random_bias(50, 1.0f, rng), QuantScheme{.fixed = scheme});
  const Int8Tensor x = random_codes({9, 20, 12, 12}, scheme.input, rng);
  QuantizedConv2dOp op(layer, find_gemm_s8_kernel("avx512_vnni"));
  REQUIRE(op.runs_direct(x.shape));
  const int before = num_threads();
  Int8Tensor one, two;
  set_num_threads(1);
  op.run(x, one);
  set_num_threads(2);
  op.run(x, two);
  set_num_threads(before);
  CHECK(one.codes == two.codes);
}

TEST_CASE("direct_conv_unused_reason says why a layer takes the im2row path", "[int8]") {
  const QuantScheme fixed{.fixed = StaticScheme{.input = grid(0.05f, 0), .output = grid(1.0f, 0)}};
  Rng rng(84);
  const auto symmetric = random_weight({.rows = 4, .cols = 18}, rng);
  const auto asymmetric = random_weight({.rows = 4, .cols = 18, .asymmetric = true}, rng);
  const auto grouped = random_weight({.rows = 4, .cols = 18, .group_size = 9}, rng);
  const GemmS8Kernel& vnni = find_gemm_s8_kernel("avx512_vnni");
  CHECK_THAT(direct_conv_unused_reason(*symmetric, fixed, find_gemm_s8_kernel("scalar")),
             Catch::Contains("scalar"));
  CHECK_THAT(direct_conv_unused_reason(*symmetric, dynamic_scheme(DynamicRange::kAbsMax), vnni),
             Catch::Contains("dynamic"));
  const std::string cpu = DirectConvS8Vnni::cpu_unavailable_reason();
  if (cpu.empty()) {
    CHECK(direct_conv_unused_reason(*symmetric, fixed, vnni).empty());
    CHECK(direct_conv_unused_reason(*asymmetric, fixed, vnni).empty());
    const auto asymmetric_groups =
        random_weight({.rows = 4, .cols = 16, .group_size = 8, .asymmetric = true}, rng);
    CHECK_THAT(direct_conv_unused_reason(*asymmetric_groups, fixed, vnni),
               Catch::Contains("asymmetric per-group"));
    CHECK_THAT(direct_conv_unused_reason(*grouped, fixed, vnni), Catch::Contains("quads"));
    const auto whole_quads = random_weight({.rows = 4, .cols = 18, .group_size = 8}, rng);
    CHECK(direct_conv_unused_reason(*whole_quads, fixed, vnni).empty());
  } else {
    CHECK(direct_conv_unused_reason(*symmetric, fixed, vnni) == cpu);
  }
  // The AMX GEMM runs Linear layers; its convolutions take the direct path all the same.
  CHECK(direct_conv_unused_reason(*symmetric, fixed, find_gemm_s8_kernel("amx")) == cpu);
  CHECK_THAT(direct_conv_unused_reason(*symmetric, fixed, find_gemm_s8_kernel("avx2")),
             Catch::Contains("avx2"));
  ::setenv("SLIMBENCH_INT8_CONV", "im2row", 1);
  CHECK_THAT(direct_conv_unused_reason(*symmetric, fixed, vnni), Catch::Contains("im2row"));
  CHECK_THAT(int8_conv_path_description(vnni), Catch::Contains("SLIMBENCH_INT8_CONV=im2row"));
  ::setenv("SLIMBENCH_INT8_CONV", "direct-please", 1);
  CHECK_THROWS_AS(direct_conv_unused_reason(*symmetric, fixed, vnni), UserError);
  ::unsetenv("SLIMBENCH_INT8_CONV");
}

}  // namespace
}  // namespace slim
