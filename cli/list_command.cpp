// slimbench list models|datasets|layers
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/layer_registry.h"
#include "datasets/registry.h"
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

void list_layers() {
  for (const LayerKind& kind : layer_kinds())
    fmt::print("{:<15} {}\n", kind.name, kind.description);
}

}  // namespace

Command add_list_command(CLI::App& app) {
  auto what = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("list", "list the registered models, datasets or layers");
  sub->add_option("what", *what, "what to list")
      ->required()
      ->check(CLI::IsMember({"models", "datasets", "layers"}));
  return [what] {
    if (*what == "models") list_models();
    if (*what == "datasets") list_datasets();
    if (*what == "layers") list_layers();
    return 0;
  };
}

}  // namespace slim::cli
