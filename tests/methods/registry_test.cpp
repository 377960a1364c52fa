#include "methods/registry.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "core/error.h"

namespace slim {
namespace {

TEST_CASE("the method table has unique names and valid defaults", "[methods][registry]") {
  std::set<std::string> names;
  for (const Method& method : method_table()) {
    INFO(method.name);
    CHECK(names.insert(method.name).second);
    CHECK(!method.description.empty());
    CHECK(method.apply);
    // Every default must pass its own schema, or a sweep that omits it would fail.
    CHECK_NOTHROW(resolve_params(method.params, nlohmann::json::object(), JsonPath("defaults")));
  }
  CHECK(names.count("fp32") == 1);
  CHECK(names.count("weight_only") == 1);
}

TEST_CASE("find_method lists the valid choices for an unknown name", "[methods][registry]") {
  try {
    find_method("prune_everything");
    FAIL("expected a UserError");
  } catch (const UserError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find("unknown method 'prune_everything'; valid choices: fp32") == 0);
  }
}

}  // namespace
}  // namespace slim
