#include "tests/io/sample_checkpoint.h"

#include <cstdint>
#include <vector>

namespace slim::test {
namespace {

// Values with short exact decimal forms would hide rounding bugs, so mix in some without.
Tensor ramp(Shape shape, float start, float step) {
  Tensor t(std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = start + step * static_cast<float>(i);
  return t;
}

}  // namespace

SafetensorsFile sample_checkpoint() {
  SafetensorsFile file;
  // Deliberately not in name order: the writer, not the caller, decides the layout.
  file.tensors.push_back({"fc1.weight", ramp({3, 4}, -1.5f, 0.25f)});
  file.tensors.push_back({"fc1.bias", Tensor({3}, std::vector<float>{0.5f, -0.1f, 3.0e-8f})});
  file.tensors.push_back({"scale", Tensor(Shape{}, std::vector<float>{2.5f})});
  file.tensors.push_back({"conv.weight", ramp({2, 1, 2, 3}, 0.3f, -0.7f)});
  file.tensors.push_back({"empty", Tensor({0, 3})});

  const std::vector<int8_t> q{-128, -1, 0, 1, 64, 127};
  const std::vector<uint8_t> packed{0x00, 0x1F, 0xA5, 0xFF};  // two int4 values per byte
  const std::vector<int32_t> index{-7, 123456};
  const std::vector<int64_t> wide{0, -1, int64_t{1} << 40};
  file.raw_tensors.push_back(make_raw_tensor<int8_t>("q.weight", "I8", {2, 3}, q));
  file.raw_tensors.push_back(make_raw_tensor<uint8_t>("q.packed_int4", "U8", {4}, packed));
  file.raw_tensors.push_back(make_raw_tensor<int32_t>("q.index", "I32", {2}, index));
  file.raw_tensors.push_back(make_raw_tensor<int64_t>("indices", "I64", {3}, wide));

  file.metadata = {{"format", "pt"}, {"slimbench.note", "unicode \xc2\xb5 ok"}};
  return file;
}

}  // namespace slim::test
