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
nlohmann::json git_state(const std::string& source_dir);

}  // namespace slim
