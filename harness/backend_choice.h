// The "best" backend of a sweep: for each compressed model, the backend that runs it
// fastest on this machine, found by timing every candidate, so a sweep reports each
// method's latency where the method can actually pay off (int8 for a quantized model, the
// sparse kernels for a pruned one, a dense GEMM otherwise) without the sweep file having
// to know which that is.
//
// Candidates are every backend available here except "reference" (the slow ground truth).
// Each one that can lower the model is timed briefly at batch 1 (the latency headline),
// in two round-robin rounds; the lowest p50 of any round wins. Backends that cannot run
// the model are recorded with the reason. The probe is short and noisy: two backends
// within a few percent of each other may swap between runs, which the record makes
// visible (backend_probe).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/model.h"
#include "core/tensor.h"
#include "kernels/backend.h"

namespace slim {

// The pseudo-backend name a sweep's "backends" list may hold.
inline constexpr const char* kBestBackend = "best";

struct BackendChoice {
  std::string name;                        // the chosen backend
  std::unique_ptr<Executable> executable;  // the chosen backend's plan for the model
  // {backend: {"p50_us": ...}} per timed candidate (its better round), {backend: {"error": ...}}
  // otherwise.
  nlohmann::json probe = nlohmann::json::object();
};

// `single_input` is one preloaded sample [1, ...]. Throws UserError when no candidate can
// run the model (the message lists each candidate's reason).
BackendChoice choose_fastest_backend(const Model& model, const Tensor& single_input);

}  // namespace slim
