// SHA-256 digests (through OpenSSL's libcrypto), used for dataset checksums, config
// hashes and checkpoint identity.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace slim {

std::string sha256_hex(std::span<const std::byte> bytes);
std::string sha256_hex(std::string_view text);
// Digest of a file's bytes; throws UserError naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace slim
