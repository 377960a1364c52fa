// The source tree's git state at run time, so a result names the exact code behind it.
//
// Asked of git when results are produced rather than baked in at configure time: a
// configure-time commit goes stale as soon as someone commits without re-running CMake.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace slim {

// {"commit": "<sha>", "dirty": true|false, "describe": "..."} for the repository at
// `source_dir`; any field git cannot provide (no git, not a repository, a permissions
// refusal) is the string "unknown". Never throws: missing provenance must not stop a run.
// "dirty" ignores untracked files, which cannot change what was built.
//
// Binaries that run away from their source tree (scripts/gpu-bundle's, on a borrowed GPU
// machine) cannot ask git: there the environment variable SLIMBENCH_GIT_COMMIT, "<sha>"
// or "<sha>-dirty", states what they were built from, and "source" says which was used
// ("git" or "SLIMBENCH_GIT_COMMIT").
nlohmann::json git_state(const std::string& source_dir);

inline constexpr const char* kGitCommitEnv = "SLIMBENCH_GIT_COMMIT";

}  // namespace slim
