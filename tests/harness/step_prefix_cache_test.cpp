#include "harness/step_prefix_cache.h"

#include <catch2/catch.hpp>

#include "core/train/init.h"
#include "models/zoo.h"

namespace slim {
namespace {

Model small_model(uint64_t seed) {
  Model model = find_model("lenet-300-100").build({1, 28, 28}, 10);
  Rng rng(seed);
  init_parameters(model, rng);
  return model;
}

float first_weight(Model& model) {
  return model.parameter("fc1.weight").value.values()[0];
}

}  // namespace

TEST_CASE("a cached prefix comes back as an independent copy", "[harness][prefix]") {
  StepPrefixCache cache;
  Model model = small_model(1);
  cache.store("a", model, {{"prune", {{"kept", 3}}}});
  const float original = first_weight(model);
  model.parameter("fc1.weight").value.values()[0] = 42.0f;  // the caller goes on

  std::optional<PrefixResult> hit = cache.find("a");
  REQUIRE(hit);
  CHECK(first_weight(hit->model) == original);
  CHECK(hit->report.at("prune").at("kept") == 3);
  hit->model.parameter("fc1.weight").value.values()[0] = -1.0f;  // a job changes its copy
  CHECK(first_weight(cache.find("a")->model) == original);
  CHECK(!cache.find("b"));
}

TEST_CASE("the prefix cache forgets the least recently used entry", "[harness][prefix]") {
  StepPrefixCache cache(2);
  cache.store("a", small_model(1), {});
  cache.store("b", small_model(2), {});
  REQUIRE(cache.find("a"));  // "a" is now the most recent
  cache.store("c", small_model(3), {});
  CHECK(cache.size() == 2);
  CHECK(cache.find("a"));
  CHECK(!cache.find("b"));
  CHECK(cache.find("c"));
  cache.store("c", small_model(4), {});  // replacing keeps one entry per key
  CHECK(cache.size() == 2);
  Model expected = small_model(4);
  CHECK(first_weight(cache.find("c")->model) == first_weight(expected));
  cache.clear();
  CHECK(cache.size() == 0);
}

}  // namespace slim
