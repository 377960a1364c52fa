#include "harness/measure/git_state.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace slim {
namespace {

const char* const kUnknown = "unknown";

// Wraps `text` in single quotes for /bin/sh, so any directory name is one argument.
std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char ch : text) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return quoted + "'";
}

// Standard output of `command` when it exits with status 0.
std::optional<std::string> command_output(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    output += buffer.data();
  }
  const int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return output;
}

std::string without_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Runs git in `source_dir`. --no-optional-locks keeps "status" from rewriting the index,
// which could collide with a developer's git command running at the same time.
std::optional<std::string> git(const std::string& source_dir, const std::string& arguments) {
  return command_output("git --no-optional-locks -C " + shell_quote(source_dir) + " " + arguments +
                        " 2>/dev/null");
}

}  // namespace

nlohmann::json git_state(const std::string& source_dir) {
  const char* stated = std::getenv(kGitCommitEnv);
  if (stated != nullptr && *stated != '\0') {
    const std::string text = stated;
    const std::string suffix = "-dirty";
    const bool dirty = text.size() > suffix.size() &&
                       text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
    return {{"commit", dirty ? text.substr(0, text.size() - suffix.size()) : text},
            {"dirty", dirty},
            {"describe", text},
            {"source", kGitCommitEnv}};
  }
  nlohmann::json state = {
      {"commit", kUnknown}, {"dirty", kUnknown}, {"describe", kUnknown}, {"source", "git"}};
  try {
    if (auto commit = git(source_dir, "rev-parse HEAD")) {
      state["commit"] = without_trailing_newlines(*commit);
    }
    if (auto changes = git(source_dir, "status --porcelain --untracked-files=no")) {
      state["dirty"] = !changes->empty();
    }
    if (auto describe = git(source_dir, "describe --always --dirty --tags")) {
      state["describe"] = without_trailing_newlines(*describe);
    }
  } catch (...) {
    // Allocation failure while building strings: keep whatever was filled in.
  }
  return state;
}

}  // namespace slim
