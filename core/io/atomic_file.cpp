#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace slim {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// A name no other writer (thread or process) will pick: pid + per-process counter.
// Starting with '.' keeps it out of globs like *.safetensors while it exists.
std::filesystem::path temp_path_for(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() /
         fmt::format(".{}.tmp-{}-{}", path.filename().string(), ::getpid(), counter.fetch_add(1));
}

// Owns the temporary file until it is committed; removes it if we leave early.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target)
      : target_(target), temp_(temp_path_for(target)) {
    // O_EXCL: never reuse a stranger's file. Mode 0666 lets the umask decide the final
    // permissions, as for a file created with a plain open (mkstemp would force 0600).
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0) fail("cannot write {}: {}", target_.string(), errno_text());
  }

  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }

  void write(std::span<const std::byte> bytes) {
    const std::byte* next = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, next, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("cannot write {}: {}", target_.string(), errno_text());
      next += n;
      left -= static_cast<size_t>(n);
    }
  }

  void commit() {
    // fsync before rename: otherwise a crash can leave the new name pointing at a file
    // whose data never reached the disk (an empty or partial checkpoint).
    if (::fsync(fd_) != 0) fail("cannot write {}: fsync: {}", target_.string(), errno_text());
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write {}: close: {}", target_.string(), errno_text());
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      fail("cannot write {}: rename: {}", target_.string(), errno_text());
    }
    committed_ = true;
    sync_directory();
  }

 private:
  // Persists the rename. Best effort: the new contents are already complete and in
  // place, and some filesystems do not support fsync on directories.
  void sync_directory() const {
    const std::filesystem::path dir = target_.parent_path().empty() ? "." : target_.parent_path();
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return;
    ::fsync(dir_fd);
    ::close(dir_fd);
  }

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(const ByteSink&)>& produce) {
  TempFile temp(path);
  produce([&temp](std::span<const std::byte> bytes) { temp.write(bytes); });
  temp.commit();
}

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  write_file_atomically(path, [bytes](const ByteSink& sink) { sink(bytes); });
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace slim
