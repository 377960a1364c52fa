// The backends that can run on this machine, for tests that compare every backend with a
// reference. A backend that cannot run here (cuda without a device) is named with its
// reason in the test output, not dropped silently; tests/cuda checks the CUDA backend
// against Model::forward wherever a GPU exists (scripts/gpu-check).
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "kernels/backend.h"

namespace slim::testing {

inline std::vector<const Backend*> runnable_backends() {
  std::vector<const Backend*> runnable;
  for (const Backend& backend : backend_table()) {
    const std::string reason = backend.unavailable_reason();
    if (reason.empty()) {
      runnable.push_back(&backend);
    } else {
      WARN("backend " << backend.name << " not compared here: " << reason);
    }
  }
  return runnable;
}

}  // namespace slim::testing
