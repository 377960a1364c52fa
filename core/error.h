// UserError: a problem with what the user gave us (a file, a flag, a name).
//
// The CLI catches it, prints its one-line message and exits with code 2. Internal
// invariants use assert / std::logic_error instead, so a user never sees a stack of
// C++ details for a typo, and a programming bug is never reported as bad input.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace slim {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

// Throws a UserError with a fmt-formatted, single-line message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw UserError(fmt::format(format, std::forward<Args>(args)...));
}

// Exit code for bad input, shared by every subcommand.
inline constexpr int kExitBadInput = 2;

}  // namespace slim
