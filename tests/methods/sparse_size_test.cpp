// Honest stored size of pruned weights (core/storage, core/model_size): each sparse
// format's bytes on hand-computed cases, the relative-index codec against its size
// formula, and masks that survive fine-tuning, BN folding and every quantization path.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model_size.h"
#include "core/quant/quantized_conv2d.h"
#include "core/quant/quantized_linear.h"
#include "core/rng.h"
#include "core/storage/relative_index_codec.h"
#include "core/storage/sparse_encoding.h"
#include "core/train/init.h"
#include "datasets/batch_loader.h"
#include "datasets/registry.h"
#include "kernels/sparse/csr_matrix.h"
#include "kernels/sparse/sparse24_matrix.h"
#include "methods/param_schema.h"
#include "methods/quantization/bn_folding.h"
#include "methods/quantization/quantized_graph.h"
#include "methods/quantization/weight_only.h"
#include "methods/registry.h"
#include "models/zoo.h"

namespace slim {
namespace {

std::vector<uint8_t> flags(std::initializer_list<int> bits) {
  std::vector<uint8_t> out;
  for (int bit : bits) out.push_back(static_cast<uint8_t>(bit));
  return out;
}

int64_t bytes_of(const std::vector<SparseEncoding>& candidates, const std::string& format) {
  for (const SparseEncoding& candidate : candidates) {
    if (candidate.format == format) return candidate.bytes;
  }
  return -1;  // not a candidate
}

// A 4x8 mask with 6 kept, at flattened positions 0, 7, 17, 18, 19, 31; row 2 keeps 3 of
// its first group of 4, so it is not 2:4.
const std::vector<uint8_t> kHandMask = flags({
    1, 0, 0, 0, 0, 0, 0, 1,  //
    0, 0, 0, 0, 0, 0, 0, 0,  //
    0, 1, 1, 1, 0, 0, 0, 0,  //
    0, 0, 0, 0, 0, 0, 0, 1,  //
});

TEST_CASE("sparse size accounting matches a hand-computed 4x8 case", "[sparse_size]") {
  // Gaps (zeros since the previous kept element) before each kept element: 0, 6, 9, 0, 0,
  // 11. Fillers with r index bits: sum floor(gap / 2^r) = 12 (r=1), 5 (r=2), 2 (r=3),
  // 0 (r>=4); entries = 6 + fillers.
  const MatrixView view{4, 8};
  CHECK(kept_count(kHandMask) == 6);
  CHECK(relative_index_entries(kHandMask, 1) == 18);
  CHECK(relative_index_entries(kHandMask, 2) == 11);
  CHECK(relative_index_entries(kHandMask, 3) == 8);
  CHECK(relative_index_entries(kHandMask, 4) == 6);
  CHECK(relative_index_entries(kHandMask, 8) == 6);

  SECTION("FP32 values") {
    // dense  32 * 4                                   = 128
    // csr    6 * 4 + 6 * 2 + 4 * (4 + 1)              = 56
    // bitmap ceil(32 / 8) + 6 * 4                     = 28
    // relative_index: r=1 ceil(18*33/8) = 75, r=2 ceil(11*34/8) = 47, r=3 ceil(8*35/8) = 35,
    //   r=4 ceil(6*36/8) = 27, r=5 ceil(6*37/8) = 28 -> r=4, 27
    // 2:4    refused (row 2)
    // cheapest: relative_index (27 < 28)
    const auto candidates = candidate_encodings(kHandMask, view, 32);
    CHECK(bytes_of(candidates, "dense") == 128);
    CHECK(bytes_of(candidates, "csr") == 56);
    CHECK(bytes_of(candidates, "bitmap") == 28);
    CHECK(bytes_of(candidates, "relative_index") == 27);
    CHECK(bytes_of(candidates, "2:4") == -1);
    CHECK(relative_index_bytes(18, 32, 1) == 75);
    CHECK(relative_index_bytes(11, 32, 2) == 47);
    CHECK(relative_index_bytes(8, 32, 3) == 35);
    const SparseEncoding chosen = cheapest_encoding(kHandMask, view, 32);
    CHECK(chosen.format == "relative_index");
    CHECK(chosen.bytes == 27);
    CHECK(chosen.index_bits == 4);
    CHECK(chosen.nonzeros == 6);
    CHECK(describe(chosen) ==
          nlohmann::json{
              {"format", "relative_index"}, {"bytes", 27}, {"nonzeros", 6}, {"index_bits", 4}});
    // The kernels' CSR counts the same bytes for FP32 values.
    CHECK(bytes_of(candidates, "csr") == csr_stored_bytes(4, 6));
  }

  SECTION("4-bit codes") {
    // dense  32 * 4 / 8                               = 16
    // csr    ceil(6 * 4 / 8) + 6 * 2 + 4 * 5          = 35
    // bitmap 4 + ceil(6 * 4 / 8)                      = 7
    // relative_index: r=1 ceil(18*5/8) = 12, r=2 ceil(11*6/8) = 9, r=3 ceil(8*7/8) = 7,
    //   r=4 ceil(6*8/8) = 6, r=5 ceil(6*9/8) = 7 -> r=4, 6
    const auto candidates = candidate_encodings(kHandMask, view, 4);
    CHECK(bytes_of(candidates, "dense") == 16);
    CHECK(bytes_of(candidates, "csr") == 35);
    CHECK(bytes_of(candidates, "bitmap") == 7);
    CHECK(bytes_of(candidates, "relative_index") == 6);
    const SparseEncoding chosen = cheapest_encoding(kHandMask, view, 4);
    CHECK(chosen.format == "relative_index");
    CHECK(chosen.bytes == 6);
    CHECK(chosen.index_bits == 4);
  }

  SECTION("everything kept: dense wins") {
    // dense 128; csr 128 + 64 + 20 = 212; bitmap 4 + 128 = 132; relative_index r=1, no
    // gaps: ceil(32 * 33 / 8) = 132; 2:4 refused (4 kept per group).
    const std::vector<uint8_t> all(32, 1);
    const auto candidates = candidate_encodings(all, view, 32);
    CHECK(bytes_of(candidates, "csr") == 212);
    CHECK(bytes_of(candidates, "bitmap") == 132);
    CHECK(bytes_of(candidates, "relative_index") == 132);
    CHECK(cheapest_encoding(all, view, 32).format == "dense");
    CHECK(cheapest_encoding(all, view, 32).bytes == 128);
  }

  SECTION("nothing kept") {
    // dense 128; csr 20 (row pointers); bitmap 4; relative_index 0 entries, 0 bytes.
    const std::vector<uint8_t> none(32, 0);
    const SparseEncoding chosen = cheapest_encoding(none, view, 32);
    CHECK(chosen.format == "relative_index");
    CHECK(chosen.bytes == 0);
  }

  CHECK_THROWS_AS(candidate_encodings(kHandMask, MatrixView{4, 7}, 32), std::invalid_argument);
  CHECK_THROWS_AS(candidate_encodings(kHandMask, view, 0), std::invalid_argument);
}

TEST_CASE("2:4 stores two values and two position bits per group of four", "[sparse_size]") {
  // Every group of 4 columns keeps at most 2; 10 kept; 4 rows x 2 groups = 8 groups.
  const std::vector<uint8_t> mask = flags({
      1, 1, 0, 0, 0, 1, 0, 1,  //
      0, 0, 0, 0, 1, 0, 0, 0,  //
      1, 0, 1, 0, 0, 0, 1, 1,  //
      0, 1, 0, 0, 0, 0, 0, 0,  //
  });
  const MatrixView view{4, 8};
  // FP32: values 8 groups * 2 slots * 4 bytes = 64, positions ceil(16 slots * 2 / 8) = 4:
  // 68, which is kernels/sparse's 4 * rows * groups * 2 + ceil(rows * groups / 2).
  CHECK(sparse24_bytes(mask, view, 32) == 68);
  CHECK(sparse24_stored_bytes(4, 8) == 68);
  // 4-bit codes: ceil(16 * 4 / 8) = 8 + 4 = 12.
  CHECK(sparse24_bytes(mask, view, 4) == 12);
  // Padded columns (cols % 4 != 0) count like the kernel's format too.
  const std::vector<uint8_t> sparse(3 * 6, 0);
  CHECK(sparse24_bytes(sparse, MatrixView{3, 6}, 32) == sparse24_stored_bytes(3, 6));
  CHECK(sparse24_bytes(kHandMask, view, 32) == std::nullopt);

  // With FP32 values: dense 128; csr 40 + 20 + 20 = 80; bitmap 4 + 40 = 44; relative_index
  // gaps 0,0,3,1,4,3,1,3,0,1: r=1 ceil(15*33/8) = 62, r=2 ceil(11*34/8) = 47,
  // r=3 ceil(10*35/8) = 44, r=4 ceil(10*36/8) = 45. Bitmap and relative_index tie at 44;
  // the tie goes to bitmap, earlier in the order. (At exactly 2 of 4 kept, 2:4 and bitmap
  // always tie: 2b + 4 bits per group each. 2:4's gain is speed, not size.)
  const auto candidates = candidate_encodings(mask, view, 32);
  CHECK(bytes_of(candidates, "2:4") == 68);
  CHECK(bytes_of(candidates, "csr") == 80);
  CHECK(bytes_of(candidates, "relative_index") == 44);
  const SparseEncoding chosen = cheapest_encoding(mask, view, 32);
  CHECK(chosen.format == "bitmap");
  CHECK(chosen.bytes == 44);
  // Exactly two of every four: 2:4 ties with bitmap and wins the tie.
  const std::vector<uint8_t> half = flags({1, 0, 1, 0, 0, 1, 1, 0});
  CHECK(cheapest_encoding(half, MatrixView{1, 8}, 32).format == "2:4");
  CHECK(cheapest_encoding(half, MatrixView{1, 8}, 32).bytes == 17);  // 16 + 1
}

// Random keep flags with the given density, plus runs of zeros long enough for fillers.
std::vector<uint8_t> random_keep(int64_t numel, double density, Rng& rng) {
  std::vector<uint8_t> keep(static_cast<size_t>(numel));
  for (auto& flag : keep) flag = rng.uniform() < density ? 1 : 0;
  if (numel > 600) std::fill(keep.begin() + 100, keep.begin() + 600, 0);  // a 500-zero run
  return keep;
}

std::vector<int8_t> random_codes(int64_t numel, int bits, Rng& rng) {
  const int lowest = -(1 << (bits - 1)), count = 1 << bits;
  std::vector<int8_t> codes(static_cast<size_t>(numel));
  for (auto& code : codes) {
    const int offset =
        std::min(count - 1, static_cast<int>(rng.uniform() * static_cast<float>(count)));
    code = static_cast<int8_t>(lowest + offset);
  }
  return codes;
}

TEST_CASE("the relative-index codec round-trips and its stream is the counted size",
          "[sparse_size]") {
  Rng rng(5);
  int cases = 0;
  for (int64_t numel : {0, 1, 7, 64, 1000}) {
    for (double density : {0.0, 0.02, 0.1, 0.5, 1.0}) {
      const std::vector<uint8_t> keep = random_keep(numel, density, rng);
      for (int bits : {1, 2, 3, 4, 5, 8}) {
        const std::vector<int8_t> codes = random_codes(numel, bits, rng);
        std::vector<int8_t> expected(codes.size(), 0);
        for (size_t i = 0; i < codes.size(); ++i) expected[i] = keep[i] ? codes[i] : int8_t{0};
        for (int r : {1, 2, 3, 4, 5, 8}) {
          INFO("numel " << numel << " density " << density << " b " << bits << " r " << r);
          const std::vector<uint8_t> stream = encode_relative_index_codes(codes, keep, bits, r);
          CHECK(static_cast<int64_t>(stream.size()) ==
                relative_index_bytes(relative_index_entries(keep, r), bits, r));
          CHECK(decode_relative_index_codes(stream, numel, bits, r) == expected);
          ++cases;
        }
      }
      for (int r : {1, 4, 8}) {
        std::vector<float> values(static_cast<size_t>(numel));
        for (auto& v : values) v = rng.normal();
        const std::vector<uint8_t> stream = encode_relative_index_fp32(values, keep, r);
        CHECK(static_cast<int64_t>(stream.size()) ==
              relative_index_bytes(relative_index_entries(keep, r), 32, r));
        const std::vector<float> decoded = decode_relative_index_fp32(stream, numel, r);
        std::vector<float> expected(values.size(), 0.0f);
        for (size_t i = 0; i < values.size(); ++i) expected[i] = keep[i] ? values[i] : 0.0f;
        CHECK(decoded == expected);
      }
    }
  }
  INFO(cases << " code round trips");
  CHECK(cases == 5 * 5 * 6 * 6);

  // The hand case: r = 2 needs fillers for the gaps 6, 9 and 11.
  const std::vector<int8_t> codes(32, 3);
  const std::vector<uint8_t> stream = encode_relative_index_codes(codes, kHandMask, 4, 2);
  CHECK(stream.size() == 9u);  // ceil(11 entries * 6 bits / 8)
  // A stream that runs past a shorter tensor is refused, not truncated.
  CHECK_THROWS_AS(decode_relative_index_codes(stream, 20, 4, 2), std::invalid_argument);
}

Model initialised(const std::string& name) {
  Model model = find_model(name).build({1, 28, 28}, 10);
  Rng rng(7);
  init_parameters(model, rng);
  return model;
}

// Prunes every weight of rank >= 2 to the elements (flattened index i) that `keep` selects.
void prune(Model& model, const std::function<bool(const std::string&, int64_t)>& keep) {
  for (auto& [name, parameter] : model.parameters()) {
    if (parameter->value.rank() < 2) continue;
    parameter->mask = Tensor(parameter->value.shape());
    for (int64_t i = 0; i < parameter->value.numel(); ++i) {
      parameter->mask[i] = keep(name, i) ? 1.0f : 0.0f;
      parameter->value[i] *= parameter->mask[i];
    }
  }
}

// lenet-300-100 with fc1 keeping every 12th weight, fc2 every 10th, fc3 every 4th.
Model pruned_lenet_300_100() {
  Model model = initialised("lenet-300-100");
  prune(model, [](const std::string& name, int64_t i) {
    const int64_t every = name == "fc1.weight" ? 12 : name == "fc2.weight" ? 10 : 4;
    return i % every == 0;
  });
  return model;
}

// Every pruned element of every masked parameter is 0 and the mask matches `original`'s.
void require_masks_kept(Model& model, Model& original, bool expect_quantized) {
  int masked = 0;
  for (const auto& [name, parameter] : model.parameters()) {
    const Parameter& before = original.parameter(name);
    REQUIRE(parameter->has_mask() == before.has_mask());
    if (!parameter->has_mask()) continue;
    ++masked;
    INFO(name);
    CHECK(parameter->mask.vector() == before.mask.vector());
    CHECK(static_cast<bool>(parameter->storage) == expect_quantized);
    int64_t nonzero_where_pruned = 0;
    for (int64_t i = 0; i < parameter->value.numel(); ++i) {
      nonzero_where_pruned += parameter->mask[i] == 0.0f && parameter->value[i] != 0.0f;
    }
    CHECK(nonzero_where_pruned == 0);
  }
  CHECK(masked > 0);
}

const nlohmann::json& size_entry(const nlohmann::json& breakdown, const std::string& name) {
  for (const auto& entry : breakdown.at("parameters")) {
    if (entry.at("name") == name) return entry;
  }
  FAIL("no size entry for " << name);
  return breakdown;
}

// The synthetic set cut to 128 training and 100 test images: enough to see fine-tuning
// move the weights, and fast.
Dataset small_synthetic() {
  Dataset dataset = load_dataset("synthetic");
  for (auto [split, count] : {std::pair{&dataset.train, 128}, std::pair{&dataset.test, 100}}) {
    split->count = count;
    split->images.resize(static_cast<size_t>(count * dataset.sample_numel()));
    split->labels.resize(static_cast<size_t>(count));
  }
  return dataset;
}

MethodContext context_for(const Dataset& dataset, Recipe recipe = Recipe{}) {
  return MethodContext{dataset, recipe, calibration_indices(dataset.train, 128, 3), 0, stderr};
}

void apply(Model& model, const std::string& method, const nlohmann::json& given,
           MethodContext& context) {
  const Method& found = find_method(method);
  found.apply(model, resolve_params(found.params, given, JsonPath("sparse_size_test")), context);
}

TEST_CASE("a pruned lenet-300-100 is stored sparse, FP32 and after weight_only at 4 bits",
          "[sparse_size]") {
  Model model = pruned_lenet_300_100();
  Model original = model;
  // fc1 [300, 784], every 12th of 235200: 19600 kept, gaps 11. r=4 (no fillers):
  //   19600 * 36 bits = 88200 B; bitmap 29400 + 78400 = 107800; csr 118804; r=5 90650.
  // fc2 [100, 300], every 10th of 30000: 3000 kept, gaps 9. r=4: 3000 * 36 / 8 = 13500;
  //   bitmap 3750 + 12000 = 15750; r=5 13875.
  // fc3 [10, 100], every 4th of 1000: 250 kept, gaps 3. r=2: ceil(250 * 34 / 8) = 1063;
  //   r=3 1094; bitmap 125 + 1000 = 1125; 2:4 2000 + 125 = 2125.
  // Biases stay dense FP32: (300 + 100 + 10) * 4 = 1640.
  CHECK(stored_bytes(model) == 88200 + 13500 + 1063 + 1640);
  CHECK(fp32_bytes(model) == 4 * 266610);
  const nlohmann::json breakdown = describe_stored_sizes(model);
  INFO(breakdown.dump());
  CHECK(breakdown.at("total_bytes") == stored_bytes(model));
  CHECK(size_entry(breakdown, "fc1.weight").at("format") == "relative_index");
  CHECK(size_entry(breakdown, "fc1.weight").at("index_bits") == 4);
  CHECK(size_entry(breakdown, "fc1.weight").at("nonzeros") == 19600);
  CHECK(size_entry(breakdown, "fc3.weight").at("index_bits") == 2);
  CHECK(size_entry(breakdown, "fc1.bias").at("format") == "fp32");
  CHECK(size_entry(breakdown, "fc1.bias").at("bytes") == 1200);

  // Fine-tuning keeps the pruned weights at exactly zero.
  const Dataset dataset = small_synthetic();
  Recipe recipe;
  recipe.epochs = 1;
  MethodContext context = context_for(dataset, recipe);
  apply(model, "finetune", {{"epochs", 1}, {"lr_scale", 1.0}}, context);
  require_masks_kept(model, original, false);
  CHECK(model.parameter("fc1.weight").value.vector() !=
        original.parameter("fc1.weight").value.vector());  // it did train
  CHECK(stored_bytes(model) == 88200 + 13500 + 1063 + 1640);

  // weight_only at 4 bits, per channel: 4-bit codes, 4 bytes of scale per output channel.
  // fc1: r=4 19600 * 8 bits = 19600 (r=5 22050, bitmap 39200) + 300 * 4 = 20800
  // fc2: r=4 3000 * 8 bits = 3000 (r=5 3375, bitmap 5250) + 400 = 3400
  // fc3: r=2 ceil(250 * 6 / 8) = 188 (r=3 219, bitmap 250) + 40 = 228
  apply(model, "weight_only", {{"bits", 4}, {"granularity", "per_channel"}}, context);
  require_masks_kept(model, original, true);
  for (const auto& [name, parameter] : model.parameters()) {
    if (!parameter->has_mask()) continue;
    const auto& storage = dynamic_cast<const SymmetricQuantizedWeight&>(*parameter->storage);
    CHECK(storage.value_bits() == 4);
    const std::vector<float> decoded = storage.decode();
    int64_t decoded_nonzero_where_pruned = 0;
    for (int64_t i = 0; i < parameter->value.numel(); ++i) {
      decoded_nonzero_where_pruned +=
          parameter->mask[i] == 0.0f && decoded[static_cast<size_t>(i)] != 0.0f;
    }
    CHECK(decoded_nonzero_where_pruned == 0);
  }
  const int64_t quantized = 20800 + 3400 + 228 + 1640;
  CHECK(stored_bytes(model) == quantized);
  INFO("compression ratio " << static_cast<double>(fp32_bytes(model)) / quantized);
  CHECK(describe_stored_sizes(model).at("total_bytes") == quantized);
  CHECK(size_entry(describe_stored_sizes(model), "fc2.weight").at("value_bits") == 4);
  CHECK(size_entry(describe_stored_sizes(model), "fc2.weight").at("values") == "int4-symmetric");
}

TEST_CASE("static PTQ and QAT keep the mask on the quantized weights", "[sparse_size]") {
  const Dataset dataset = small_synthetic();
  Model original = pruned_lenet_300_100();

  SECTION("static_ptq, int8 per channel") {
    Model model = original;
    MethodContext context = context_for(dataset);
    apply(model, "static_ptq", nlohmann::json::object(), context);
    require_masks_kept(model, original, true);
    // 8-bit codes: fc1 r=4 19600 * 12 / 8 = 29400 (bitmap 49000) + 1200 scale bytes;
    // fc2 r=4 3000 * 12 / 8 = 4500 + 400; fc3 r=2 ceil(250 * 10 / 8) = 313 + 40;
    // biases FP32 1640.
    CHECK(stored_bytes(model) == 30600 + 4900 + 353 + 1640);
  }

  SECTION("QAT, with the STE and with LSQ") {
    for (std::string estimator : {"ste", "lsq"}) {
      INFO(estimator);
      Model model = original;
      Recipe recipe;
      recipe.epochs = 1;
      MethodContext context = context_for(dataset, recipe);
      apply(model, "qat", {{"estimator", estimator}, {"lr_scale", 1.0}}, context);
      require_masks_kept(model, original, true);
      CHECK(stored_bytes(model) == 30600 + 4900 + 353 + 1640);
    }
  }
}

TEST_CASE("affine weights keep the mask: pruned codes equal the zero point", "[sparse_size]") {
  Model original = pruned_lenet_300_100();
  GraphQuantOptions options;
  options.weights.calibrator = Calibrator::kMinMax;
  options.weights.range = QuantRange{.bits = 8, .is_signed = false, .narrow = false};
  Model model =
      build_dynamic_quantized(original, DynamicRange::kAbsMax, Rounding::kHalfToEven, options);
  require_masks_kept(model, original, true);
  int64_t expected = 1640;  // FP32 biases
  for (const Node& node : model.nodes()) {
    const auto* layer = dynamic_cast<const QuantizedLinear*>(node.layer.get());
    if (!layer) continue;
    const QuantizedWeight& weight = layer->weight();
    CHECK(!weight.symmetric());
    const Parameter& mask_source = original.parameter(node.name + ".weight");
    int64_t pruned_codes_off_zero_point = 0;
    for (int64_t i = 0; i < mask_source.mask.numel(); ++i) {
      if (mask_source.mask[i] != 0.0f) continue;
      pruned_codes_off_zero_point +=
          weight.codes()[static_cast<size_t>(i)] != weight.zero_point(i / weight.cols(), 0);
    }
    CHECK(pruned_codes_off_zero_point == 0);
    expected += cheapest_encoding(keep_pattern(mask_source.mask),
                                  MatrixView{weight.rows(), weight.cols()}, 8)
                    .bytes +
                weight.rows() * 5;  // an FP32 scale and a one-byte zero point per channel
  }
  CHECK(stored_bytes(model) == expected);

  // A mask that a code contradicts is refused.
  const auto& first = dynamic_cast<const QuantizedLinear&>(model.layer("fc1"));
  QuantizedLinear copy = first;
  CHECK_THROWS_AS(copy.set_weight_mask(Tensor({300, 784}, 0.0f)), std::invalid_argument);
}

TEST_CASE("BN folding and qconv2d keep resnet-8's conv masks", "[sparse_size]") {
  Model original = initialised("resnet-8");
  prune(original, [](const std::string&, int64_t i) { return i % 3 == 1; });
  const Model folded = fold_batch_norms(original);
  Model folded_copy = folded;
  int convs = 0;
  for (const auto& [name, parameter] : folded_copy.parameters()) {
    if (parameter->value.rank() < 4) continue;
    ++convs;
    REQUIRE(parameter->has_mask());
    int64_t wrong = 0;
    for (int64_t i = 0; i < parameter->value.numel(); ++i) {
      const bool kept = i % 3 == 1;
      wrong += parameter->mask[i] != (kept ? 1.0f : 0.0f) || (!kept && parameter->value[i] != 0.0f);
    }
    CHECK(wrong == 0);
  }
  CHECK(convs > 0);
  Model quantized =
      build_dynamic_quantized(folded, DynamicRange::kAbsMax, Rounding::kHalfToEven, {});
  require_masks_kept(quantized, folded_copy, true);
  int qconvs = 0;
  for (const Node& node : quantized.nodes()) qconvs += node.layer->kind() == "qconv2d";
  CHECK(qconvs == convs);
}

TEST_CASE("an unmasked model's size is unchanged: zeros alone are not sparsity", "[sparse_size]") {
  Model model = initialised("lenet-300-100");
  CHECK(stored_bytes(model) == fp32_bytes(model));
  CHECK(stored_bytes(model) == 4 * model.parameter_count());
  // Zeros without a mask are stored dense.
  for (float& v : model.parameter("fc1.weight").value.values()) v = 0.0f;
  CHECK(stored_bytes(model) == fp32_bytes(model));
  CHECK(describe_stored_sizes(model).at("total_bytes") == fp32_bytes(model));
  // A mask that the values contradict is a bug, not a size.
  Parameter& fc2 = model.parameter("fc2.weight");
  fc2.mask = Tensor(fc2.value.shape(), 0.0f);
  CHECK_THROWS_AS(stored_bytes(model), std::logic_error);
}

}  // namespace
}  // namespace slim
