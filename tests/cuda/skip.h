// skip_test(): ends the running test so that ctest lists it as "Skipped".
//
// Catch2 v2 has no SKIP. Every test is registered with SKIP_RETURN_CODE 4
// (tests/CMakeLists.txt), so a test that cannot run here (no GPU, no Python) prints why
// and exits with 4 instead of passing or failing. It ends the whole process, which is
// fine under ctest (one test case per process) but stops a plain run of the executable.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace slim::test {

inline constexpr int kSkipExitCode = 4;

// Prints "skipped: <what>", then "  reason: <why>" when given, and exits with code 4.
[[noreturn]] inline void skip_test(std::string_view what, std::string_view why = {}) {
  std::cout << "skipped: " << what << '\n';
  if (!why.empty()) std::cout << "  reason: " << why << '\n';
  std::cout.flush();
  std::exit(kSkipExitCode);
}

}  // namespace slim::test
