#include "harness/work_counts.h"

#include <catch2/catch.hpp>

#include "core/model_size.h"
#include "core/train/init.h"
#include "kernels/sparse/csr_matrix.h"
#include "models/zoo.h"

namespace slim {

TEST_CASE("the sparse backend's work counts one MAC per stored weight of its CSR layers",
          "[harness][energy]") {
  Model model = find_model("lenet-300-100").build({1, 28, 28}, 10);
  Rng rng(3);
  init_parameters(model, rng);
  // fc1 (300 x 784): keep every 20th weight, 95% zeros, so the sparse backend runs it as
  // CSR; fc2 and fc3 stay dense.
  Parameter& fc1 = model.parameter("fc1.weight");
  fc1.mask = Tensor(fc1.value.shape(), 0.0f);
  int64_t kept = 0;
  for (int64_t i = 0; i < fc1.value.numel(); i += 20, ++kept) fc1.mask.values()[i] = 1.0f;
  fc1.value.vector().array() *= fc1.mask.vector().array();

  const WorkCounts dense = count_work(model, "openblas");
  const WorkCounts sparse = count_work(model, "sparse");
  CHECK(dense.fp32_macs == Approx(300.0 * 784 + 100.0 * 300 + 10.0 * 100));
  CHECK(sparse.fp32_macs == Approx(static_cast<double>(kept) + 100.0 * 300 + 10.0 * 100));
  const double fc1_dense_bytes = 300.0 * 784 * 4;
  const double fc1_csr_bytes = static_cast<double>(csr_stored_bytes(300, kept));
  CHECK(dense.dram_bytes == Approx(static_cast<double>(fp32_bytes(model))));
  CHECK(sparse.dram_bytes == Approx(dense.dram_bytes - fc1_dense_bytes + fc1_csr_bytes));
  CHECK(sparse.sram_bytes == Approx(dense.sram_bytes));
}

}  // namespace slim
