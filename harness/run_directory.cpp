#include "harness/run_directory.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "harness/report/records.h"

namespace slim {
namespace {

namespace fs = std::filesystem;

std::string shard_suffix(int shard_index, int shard_count) {
  return shard_count > 1 ? fmt::format("-shard{}of{}", shard_index, shard_count) : "";
}

// Cuts the file back to just after its last '\n': what remains are complete records.
void truncate_partial_last_line(const fs::path& file) {
  if (!fs::exists(file)) return;
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t end = bytes.rfind('\n');
  const size_t keep = end == std::string::npos ? 0 : end + 1;
  if (keep != bytes.size()) fs::resize_file(file, keep);
}

void write_fully(int fd, const std::string& text, const fs::path& file) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("{}: cannot append a record: {}", file.string(), std::strerror(errno));
    written += static_cast<size_t>(n);
  }
}

}  // namespace

RunDirectory RunDirectory::create(const fs::path& path) {
  if (fs::exists(path)) fail("{}: run directory already exists", path.string());
  std::error_code error;
  fs::create_directories(path, error);
  if (error) fail("{}: cannot create the run directory: {}", path.string(), error.message());
  // An empty runs.jsonl from the start: a shard that gets no jobs is still a valid run
  // that merge can read.
  write_file_atomically(path / "runs.jsonl", std::string_view());
  return RunDirectory(path);
}

RunDirectory RunDirectory::reopen(const fs::path& path) {
  if (!fs::is_directory(path)) fail("{}: no such run directory", path.string());
  RunDirectory run(path);
  truncate_partial_last_line(run.runs_file());
  return run;
}

void RunDirectory::append_record(const nlohmann::json& record) const {
  const fs::path file = runs_file();
  // One write of the whole line: O_APPEND makes it land at the end in one piece, and a
  // crash can only cut it short, which reopen() repairs.
  const std::string line = record.dump() + "\n";
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) fail("{}: cannot open for appending: {}", file.string(), std::strerror(errno));
  try {
    write_fully(fd, line, file);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::fsync(fd);
  ::close(fd);
}

std::vector<nlohmann::json> RunDirectory::records() const {
  if (!fs::exists(runs_file())) return {};
  return read_run_records(runs_file());
}

std::set<std::string> RunDirectory::recorded_job_ids() const {
  std::set<std::string> ids;
  for (const auto& record : records()) ids.insert(record.value("job_id", ""));
  return ids;
}

void RunDirectory::write_json(const std::string& name, const nlohmann::json& value) const {
  write_file_atomically(path_ / name, value.dump(2) + "\n");
}

std::optional<fs::path> latest_run(const fs::path& sweep_dir, int shard_index, int shard_count) {
  if (!fs::is_directory(sweep_dir)) return std::nullopt;
  // A timestamp, an optional "-N" for runs started within the same second, the shard.
  const std::regex run_name("([0-9]{8}T[0-9]{6}Z)(-([0-9]+))?" +
                            shard_suffix(shard_index, shard_count));
  // Ordered by (timestamp, N) with N compared as a number: "-10" is newer than "-9".
  std::optional<std::pair<std::string, long>> newest;
  std::optional<fs::path> latest;
  for (const auto& entry : fs::directory_iterator(sweep_dir)) {
    const std::string name = entry.path().filename().string();
    std::smatch match;
    if (!entry.is_directory() || !std::regex_match(name, match, run_name)) continue;
    const std::pair<std::string, long> key{match[1].str(),
                                           match[3].matched ? std::stol(match[3].str()) : 0};
    if (!newest || key > *newest) {
      newest = key;
      latest = entry.path();
    }
  }
  return latest;
}

std::string run_timestamp() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y%m%dT%H%M%SZ}", now);
}

fs::path unused_run_path(const fs::path& sweep_dir, int shard_index, int shard_count) {
  const std::string stamp = run_timestamp();
  const std::string suffix = shard_suffix(shard_index, shard_count);
  fs::path path = sweep_dir / (stamp + suffix);
  for (int n = 1; fs::exists(path); ++n)
    path = sweep_dir / fmt::format("{}-{}{}", stamp, n, suffix);
  return path;
}

}  // namespace slim
