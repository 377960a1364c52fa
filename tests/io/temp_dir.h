// A fresh, empty directory for one test, removed with everything in it at scope exit.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace slim::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Names of the entries in the directory, sorted: lets tests prove no temp file is left.
  std::vector<std::string> entries() const;

 private:
  std::filesystem::path path_;
};

// Whole-file helpers for byte-level checks.
std::string read_file_bytes(const std::filesystem::path& path);
void write_file_bytes(const std::filesystem::path& path, const std::string& bytes);

}  // namespace slim::test
