// env.json: everything about the machine and build that a result depends on, collected
// when the result is produced, so two results can be compared knowing what differed.
//
// Collecting never throws for a missing piece (no git, no GPU, an unreadable file): it
// records "unknown" or the reason instead, because losing a run over provenance would
// be worse than a gap in it.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "datasets/dataset.h"
#include "harness/measure/cpu_info.h"  // cpu_model_name(), cpu_isa_flags()

namespace slim {

struct EnvironmentOptions {
  int threads = 1;                         // the thread count the measurement ran with
  std::vector<DatasetFile> dataset_files;  // recorded with their sha256
};

// Keys: slimbench_version, collected_at (UTC, ISO 8601), git {commit, dirty, describe},
// compiler {id, version, cxx_flags, build_type}, cpu {model, logical_cpus,
// affinity_cpus, isa_flags}, os {sysname, release, version, machine}, hostname,
// threads {requested, pool}, env (threading/BLAS variables, null when unset),
// openblas {corename, fallback, config, warning when fallback},
// libraries {eigen, nlohmann_json, fmt, zlib, openssl}, cuda {built, ...},
// datasets [{role, path, sha256}].
nlohmann::json collect_environment(const EnvironmentOptions& options);

}  // namespace slim
