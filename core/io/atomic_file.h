// Atomic file replacement: readers of `path` see either the old file or the complete new
// one, never a prefix of it, even if we crash or throw halfway.
//
// The bytes go to a temporary file in the same directory (rename is only atomic within
// one filesystem), which is flushed to disk with fsync before it is renamed over `path`.
// The directory is fsynced afterwards so the rename itself survives a power cut.
// On any failure the temporary file is removed and `path` is left untouched (only a process
// killed mid-write leaves a hidden ".<name>.tmp-<pid>-<n>" file behind, never a bad `path`).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <string_view>

namespace slim {

// Receives the next chunk of the file's contents.
using ByteSink = std::function<void(std::span<const std::byte>)>;

// Writes whatever `produce` passes to its sink, in order, as the new contents of `path`.
// Streaming through a callback lets large checkpoints be written without first building
// the whole file in memory. Exceptions thrown by `produce` propagate after cleanup.
// I/O failures (missing directory, disk full, permissions) throw UserError naming `path`.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(const ByteSink&)>& produce);

// Convenience overloads for contents that are already in memory.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace slim
