// slimbench list methods|backends|models|datasets|metrics|layers
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/layer_registry.h"
#include "datasets/registry.h"
#include "harness/metric_table.h"
#include "kernels/backend.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "methods/registry.h"
#include "models/zoo.h"

namespace slim::cli {
namespace {

void list_models() {
  for (const ZooEntry& entry : model_zoo()) {
    fmt::print("{:<15} {}\n", entry.name, entry.description);
    fmt::print("{:<15} default recipe: {}\n", "", entry.default_recipe().to_json().dump());
  }
}

void list_datasets() {
  for (const DatasetInfo& info : dataset_table()) {
    fmt::print("{:<22} {}\n", info.usage, info.description);
  }
}

void list_methods() {
  for (const Method& method : method_table()) {
    fmt::print("{:<15} [{}] {}\n", method.name, family_name(method.family), method.description);
    for (const ParamSpec& spec : method.params) {
      fmt::print("{:<15}   {} -- {}\n", "", describe_param(spec), spec.description);
    }
  }
}

// Each backend, what runs on this machine, and for int8 every GEMM variant of the
// dispatch table with why a variant cannot run here.
void list_backends() {
  for (const Backend& backend : backend_table()) {
    const std::string why = backend.unavailable_reason();
    fmt::print("{:<15} {}{}\n", backend.name, backend.description,
               why.empty() ? "" : " (unavailable: " + why + ")");
    if (why.empty() && backend.variant) fmt::print("{:<15}   here: {}\n", "", backend.variant());
    if (backend.name != "int8") continue;
    for (const GemmS8Kernel& kernel : gemm_s8_kernels()) {
      const std::string reason = kernel.unavailable_reason();
      fmt::print("{:<15}   int8 GEMM {:<12} {}\n", "", kernel.name,
                 reason.empty() ? std::string(kernel.description) : "unavailable: " + reason);
    }
  }
  fmt::print("{:<15} (sweeps only) the fastest of the above for each model, timed at batch 1\n",
             "best");
}

void list_metrics() {
  for (const MetricInfo& metric : metric_table()) {
    fmt::print("{:<15} {}\n", metric.name, metric.description);
  }
}

void list_layers() {
  for (const LayerKind& kind : layer_kinds())
    fmt::print("{:<15} {}\n", kind.name, kind.description);
}

}  // namespace

Command add_list_command(CLI::App& app) {
  auto what = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(
      "list", "list the registered methods, backends, models, datasets, metrics or layers");
  sub->add_option("what", *what, "what to list")
      ->required()
      ->check(CLI::IsMember({"methods", "backends", "models", "datasets", "metrics", "layers"}));
  return [what] {
    if (*what == "methods") list_methods();
    if (*what == "backends") list_backends();
    if (*what == "metrics") list_metrics();
    if (*what == "models") list_models();
    if (*what == "datasets") list_datasets();
    if (*what == "layers") list_layers();
    return 0;
  };
}

}  // namespace slim::cli
