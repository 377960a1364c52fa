// Checkpoints: a model's tensors in safetensors format, plus what produced it.
//
// Tensor names are the model's parameter and buffer names ("conv1.weight",
// "layer1.bn1.running_mean"), so PyTorch's load_state_dict accepts a dense checkpoint of
// the same architecture. A pruning mask, when present, is stored as "<param>_mask".
// `__metadata__` (string values only, per the format) holds:
//   format   "slimbench-checkpoint-1"
//   model    the architecture name (a zoo name for trained baselines)
//   graph    the graph as JSON (Model::describe), so replaced layers load back
//   recipe   the training recipe as JSON;   dataset   the dataset spec
//   metrics  JSON object of measured metrics (e.g. test accuracy)
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/model.h"

namespace slim {

struct CheckpointInfo {
  nlohmann::json recipe = nlohmann::json::object();
  nlohmann::json metrics = nlohmann::json::object();
  std::string dataset;
};

struct LoadedCheckpoint {
  Model model;
  CheckpointInfo info;
};

// Writes atomically: a crash never leaves a partial file at `path`.
void save_checkpoint(const std::filesystem::path& path, Model& model, const CheckpointInfo& info);
// Every problem (missing, truncated, corrupted, wrong shapes) is a one-line UserError
// naming the file.
LoadedCheckpoint load_checkpoint(const std::filesystem::path& path);
// Rebuilds the layers described by Model::describe(), with uninitialised parameters.
Model model_from_description(const nlohmann::json& description);

}  // namespace slim
