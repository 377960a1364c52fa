#include "methods/param_schema.h"

#include <catch2/catch.hpp>
#include <string>

#include "core/error.h"

namespace slim {
namespace {

const ParamSchema& schema() {
  static const ParamSchema s = {
      int_param("bits", 8, 2, 8, "bit width"),
      number_param("ratio", 0.5, 0.0, 1.0, "a fraction"),
      choice_param("mode", "a", {"a", "b"}, "a choice"),
      bool_param("flag", false, "a switch"),
  };
  return s;
}

std::string error_of(const nlohmann::json& given) {
  try {
    resolve_params(schema(), given, JsonPath("s.json", "/steps/0/params"));
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("resolve_params fills defaults and keeps given values", "[methods][params]") {
  const auto resolved = resolve_params(schema(), {{"bits", 4}}, JsonPath("s.json"));
  CHECK(resolved == nlohmann::json{{"bits", 4}, {"ratio", 0.5}, {"mode", "a"}, {"flag", false}});
}

TEST_CASE("parameter errors name the file the pointer and the valid choices", "[methods][params]") {
  const std::string unknown = error_of({{"bitz", 4}});
  INFO(unknown);
  CHECK(unknown.find("s.json: /steps/0/params/bitz: unknown parameter 'bitz'") == 0);
  CHECK(unknown.find("bits, ratio, mode, flag") != std::string::npos);

  const std::string range = error_of({{"bits", -4}});
  INFO(range);
  CHECK(range.find("/steps/0/params/bits: -4 is out of range") != std::string::npos);
  CHECK(range.find("[2, 8]") != std::string::npos);

  const std::string type = error_of({{"bits", "8"}});
  INFO(type);
  CHECK(type.find("expected an integer in [2, 8], got a string") != std::string::npos);

  const std::string choice = error_of({{"mode", "c"}});
  INFO(choice);
  CHECK(choice.find("unknown value 'c'; valid choices: a, b") != std::string::npos);

  CHECK(error_of({{"ratio", 1}}).empty());    // an integer is a valid number
  CHECK(!error_of({{"bits", 4.5}}).empty());  // but a fraction is not an integer
  CHECK(!error_of({{"flag", 1}}).empty());    // and 1 is not a boolean
}

TEST_CASE("describe_param shows type range and default", "[methods][params]") {
  CHECK(describe_param(schema()[0]) == "bits: integer in [2, 8], default 8");
  CHECK(describe_param(schema()[2]) == "mode: string (one of a, b), default \"a\"");
}

}  // namespace
}  // namespace slim
