#include "harness/grid_expansion.h"

#include <catch2/catch.hpp>
#include <string>

#include "core/error.h"

namespace slim {
namespace {

using nlohmann::json;

std::string error_of(const json& object, const json& zip) {
  try {
    const JsonPath at("s.json", "/pipelines/0/steps/0");
    expand_grid(object, parse_zip_groups(zip, object, at / "zip"), at / "params");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("lists expand as a cartesian product in key order", "[harness][grid]") {
  const json object = {{"bits", {4, 8}}, {"granularity", {"per_tensor", "per_channel"}}, {"x", 1}};
  const auto combos = expand_grid(object, {}, JsonPath("s.json"));
  REQUIRE(combos.size() == 4);
  CHECK(combos[0] == json{{"bits", 4}, {"granularity", "per_tensor"}, {"x", 1}});
  CHECK(combos[1] == json{{"bits", 4}, {"granularity", "per_channel"}, {"x", 1}});
  CHECK(combos[3] == json{{"bits", 8}, {"granularity", "per_channel"}, {"x", 1}});
}

TEST_CASE("zip groups advance together and combine with other axes", "[harness][grid]") {
  const json object = {{"a", {1, 2, 3}}, {"b", {10, 20, 30}}, {"c", {"x", "y"}}};
  const auto combos = expand_grid(
      object, parse_zip_groups(json::parse(R"([["a","b"]])"), object, JsonPath("s.json", "/zip")),
      JsonPath("s.json"));
  REQUIRE(combos.size() == 6);
  for (const json& combo : combos) CHECK(combo["b"].get<int>() == 10 * combo["a"].get<int>());
}

TEST_CASE("a scalar-only object expands to itself", "[harness][grid]") {
  const json object = {{"bits", 8}};
  CHECK(expand_grid(object, {}, JsonPath("s.json")) == std::vector<json>{object});
  CHECK(expand_grid(json::object(), {}, JsonPath("s.json")).size() == 1);
}

TEST_CASE("bad grids fail with the pointer of the offending value", "[harness][grid]") {
  const std::string empty = error_of({{"bits", json::array()}}, json::array());
  INFO(empty);
  CHECK(empty.find("s.json: /pipelines/0/steps/0/params/bits: an empty list") == 0);

  const std::string lengths =
      error_of({{"a", {1, 2}}, {"b", {1, 2, 3}}}, json::parse(R"([["a","b"]])"));
  INFO(lengths);
  CHECK(lengths.find("s.json: /pipelines/0/steps/0/zip/0/1: zip lists must have equal lengths") ==
        0);

  const std::string missing = error_of({{"a", {1, 2}}}, json::parse(R"([["a","zz"]])"));
  INFO(missing);
  CHECK(missing.find("zip names 'zz'") != std::string::npos);

  const std::string twice =
      error_of({{"a", {1}}, {"b", {2}}, {"c", {3}}}, json::parse(R"([["a","b"],["b","c"]])"));
  INFO(twice);
  CHECK(twice.find("more than one zip group") != std::string::npos);
}

}  // namespace
}  // namespace slim
