#include "models/checkpoint.h"

#include <fmt/format.h>

#include <set>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/layer_registry.h"

namespace slim {
namespace {

constexpr std::string_view kFormat = "slimbench-checkpoint-1";

std::string mask_name(const std::string& parameter) {
  return parameter + "_mask";
}

// Copies a stored tensor into `target`, insisting on the same shape.
void assign(const std::filesystem::path& path, const SafetensorsFile& file, const std::string& name,
            Tensor& target) {
  const NamedTensor* stored = find_tensor(file, name);
  if (!stored) fail("{}: checkpoint has no tensor '{}'", path.string(), name);
  if (stored->value.shape() != target.shape()) {
    fail("{}: tensor '{}' has shape {}, the model expects {}", path.string(), name,
         shape_to_string(stored->value.shape()), shape_to_string(target.shape()));
  }
  target = stored->value;
}

nlohmann::json parse_metadata_json(const std::filesystem::path& path,
                                   const std::map<std::string, std::string>& metadata,
                                   const std::string& key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return nlohmann::json::object();
  try {
    return nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception&) {
    fail("{}: __metadata__/{} is not valid JSON", path.string(), key);
  }
}

}  // namespace

Model model_from_description(const nlohmann::json& d) {
  Model model(d.at("architecture").get<std::string>(), d.at("sample_shape").get<Shape>(),
              d.at("num_classes").get<int>());
  for (const auto& node : d.at("nodes")) {
    model.add(node.at("name").get<std::string>(),
              make_layer(node.at("kind").get<std::string>(), node.at("config")),
              node.at("inputs").get<std::vector<std::string>>());
  }
  return model;
}

void save_checkpoint(const std::filesystem::path& path, Model& model, const CheckpointInfo& info) {
  SafetensorsFile file;
  for (auto& [name, param] : model.parameters()) {
    file.tensors.push_back({name, param->value});
    if (param->has_mask()) file.tensors.push_back({mask_name(name), param->mask});
  }
  for (auto& [name, buffer] : model.buffers()) file.tensors.push_back({name, *buffer});
  file.metadata = {{"format", std::string(kFormat)},   {"model", model.architecture()},
                   {"graph", model.describe().dump()}, {"recipe", info.recipe.dump()},
                   {"metrics", info.metrics.dump()},   {"dataset", info.dataset}};
  write_safetensors(path, file);
}

LoadedCheckpoint load_checkpoint(const std::filesystem::path& path) {
  const SafetensorsFile file = read_safetensors(path);
  auto format = file.metadata.find("format");
  if (format == file.metadata.end() || format->second != kFormat) {
    fail("{}: not a slimbench checkpoint (__metadata__/format should be '{}')", path.string(),
         kFormat);
  }
  const nlohmann::json graph = parse_metadata_json(path, file.metadata, "graph");
  Model model = [&] {
    try {
      return model_from_description(graph);
    } catch (const nlohmann::json::exception& e) {
      fail("{}: __metadata__/graph does not describe a model: {}", path.string(), e.what());
    }
  }();
  std::set<std::string> expected;
  for (auto& [name, param] : model.parameters()) {
    assign(path, file, name, param->value);
    expected.insert(name);
    if (find_tensor(file, mask_name(name))) {
      param->mask = Tensor(param->value.shape());
      assign(path, file, mask_name(name), param->mask);
      expected.insert(mask_name(name));
    }
  }
  for (auto& [name, buffer] : model.buffers()) {
    assign(path, file, name, *buffer);
    expected.insert(name);
  }
  for (const NamedTensor& tensor : file.tensors) {
    if (!expected.contains(tensor.name)) {
      fail("{}: tensor '{}' does not belong to model {}", path.string(), tensor.name,
           model.architecture());
    }
  }
  CheckpointInfo info;
  info.recipe = parse_metadata_json(path, file.metadata, "recipe");
  info.metrics = parse_metadata_json(path, file.metadata, "metrics");
  if (auto it = file.metadata.find("dataset"); it != file.metadata.end()) info.dataset = it->second;
  return {std::move(model), std::move(info)};
}

}  // namespace slim
