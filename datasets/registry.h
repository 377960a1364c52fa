// The table of datasets slimbench knows, and loading one from a spec string.
//
// An explicit table rather than self-registering statics: the list is in one place, its
// order is fixed, and nothing depends on static initialisation order or the linker
// keeping an otherwise unreferenced object file.
#pragma once

#include <span>
#include <string_view>

#include "datasets/dataset.h"

namespace slim {

// Whether a dataset spec takes a ":<argument>" after its name.
enum class DatasetArgument { kNone, kOptional, kRequired };

// Loads the dataset; `argument` is the text after "name:" (empty when absent).
using DatasetLoader = Dataset (*)(std::string_view argument);

struct DatasetInfo {
  std::string_view name;         // what a spec starts with, e.g. "idx"
  std::string_view usage;        // how to write the spec, e.g. "idx:<dir>"
  std::string_view description;  // one line, for `slimbench list datasets`
  DatasetArgument argument;
  DatasetLoader loader;
};

std::span<const DatasetInfo> dataset_table();

// "fashion-mnist", "idx:<dir>", "synthetic" or "synthetic:<seed>". Unknown names and
// malformed arguments throw a one-line UserError listing the valid specs.
Dataset load_dataset(std::string_view spec);

}  // namespace slim
