// Backend: one way of executing a trained (possibly compressed) model for evaluation and
// timing. The harness looks backends up by name in backend_table(); int8, sparse and
// CUDA backends join the same table later without the harness changing.
//
// lower() turns a Model into an Executable, a plan that owns copies (or pre-packed forms)
// of the weights it needs, so compression code may keep editing the Model afterwards.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/tensor.h"
#include "harness/measure/energy.h"

namespace slim {

// A model lowered for one backend: eval-mode inference only.
class Executable {
 public:
  virtual ~Executable() = default;
  // input: [N, sample_shape...] (any N). Returns logits [N, num_classes], valid until the
  // next run().
  virtual const Tensor& run(const Tensor& input) = 0;
};

// For Executable::run: throws a UserError unless `input` is [N, sample_shape...]. The
// input comes from a dataset the user chose, so a mismatch is bad input.
void check_batch_shape(const Shape& sample_shape, const Tensor& input);

struct Backend {
  std::string name;         // "reference", "eigen", "openblas"
  std::string description;  // one line for `slimbench list backends`
  // Empty when the backend can run on this machine; otherwise the reason in words.
  std::function<std::string()> unavailable_reason;
  // Builds the plan. The plan copies (or pre-packs) what it needs, so the Model may change
  // or die afterwards. Throws UserError naming the node and layer kind when the backend
  // cannot run a layer kind.
  std::function<std::unique_ptr<Executable>(const Model&)> lower;
  // Which implementation runs on this machine, in words, for every result record:
  // e.g. "OpenBLAS core Zen" or "int8 GEMM avx2 (...)". Asked at lowering time, because
  // it may depend on the CPU and on the environment.
  std::function<std::string()> variant;
  // The energy counter of the device that runs the plan (NVML for a GPU), or empty for
  // backends that run on the host CPU, whose energy the harness reads from RAPL. Returns
  // nullptr, with the reason in *why, when the counter cannot be read.
  std::function<std::unique_ptr<EnergyMeter>(std::string* why)> open_energy_meter;
};

// The explicit list of backends, in the order `slimbench list backends` shows them.
const std::vector<Backend>& backend_table();
std::vector<std::string> backend_names();
// Throws UserError "unknown backend 'x'; valid choices: reference, eigen, openblas".
const Backend& find_backend(std::string_view name);

}  // namespace slim
