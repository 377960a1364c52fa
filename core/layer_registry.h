// The table of layer kinds: builds a layer from its kind and config JSON.
//
// Used to rebuild a model from the graph description stored in a checkpoint, so that a
// compressed model (whose layers a method has replaced) loads without knowing which
// zoo entry it came from. Compressed layer kinds join this table as they are added.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "core/layer.h"

namespace slim {

struct LayerKind {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Layer> (*make)(const nlohmann::json& config);
};

std::span<const LayerKind> layer_kinds();
// Throws UserError naming the valid kinds when `kind` is unknown.
std::unique_ptr<Layer> make_layer(std::string_view kind, const nlohmann::json& config);

}  // namespace slim
