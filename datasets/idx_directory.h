// Loading an MNIST-style directory: the four standard IDX files, each plain or gzipped.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/dataset.h"

namespace slim {

// One of the four files every MNIST-style directory holds.
struct IdxFileSpec {
  std::string_view role;       // as recorded in DatasetFile::role
  std::string_view base_name;  // the plain name; "<base_name>.gz" is accepted too
  int ndims;                   // 3 for images, 1 for labels
};

// train images, train labels, test images, test labels, in that order.
std::span<const IdxFileSpec> idx_file_specs();

// The plain file if present, else the .gz one, else nullopt.
std::optional<std::filesystem::path> find_idx_file(const std::filesystem::path& dir,
                                                   std::string_view base_name);

// Base names of the standard files that `dir` lacks in both forms.
std::vector<std::string> missing_idx_files(const std::filesystem::path& dir);

// Reads the four files, checksums them and validates the result. `num_classes`, when
// given, is what labels must stay below; otherwise it is the largest train label + 1
// (so test labels must be classes the train split has seen).
Dataset load_idx_directory(const std::filesystem::path& dir, std::string name,
                           std::optional<int> num_classes);

}  // namespace slim
