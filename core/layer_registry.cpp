#include "core/layer_registry.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "core/error.h"
#include "core/layers/add.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/dropout.h"
#include "core/layers/flatten.h"
#include "core/layers/linear.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"

namespace slim {
namespace {

PoolOptions pool_options(const nlohmann::json& c) {
  return {c.at("kernel_size").get<int64_t>(), c.at("stride").get<int64_t>(),
          c.value("padding", int64_t{0})};
}

const std::array kLayerKinds = {
    LayerKind{"linear", "fully connected y = x W^T + b",
              [](const nlohmann::json& c) -> std::unique_ptr<Layer> {
                return std::make_unique<Linear>(c.at("in_features").get<int64_t>(),
                                                c.at("out_features").get<int64_t>(),
                                                c.value("bias", true));
              }},
    LayerKind{"conv2d", "2-d convolution (im2col + GEMM)",
              [](const nlohmann::json& c) -> std::unique_ptr<Layer> {
                return std::make_unique<Conv2d>(Conv2dOptions{
                    c.at("in_channels").get<int64_t>(), c.at("out_channels").get<int64_t>(),
                    c.at("kernel_size").get<int64_t>(), c.value("stride", int64_t{1}),
                    c.value("padding", int64_t{0}), c.value("bias", true)});
              }},
    LayerKind{"batchnorm1d", "batch normalisation over [N, C]",
              [](const nlohmann::json& c) -> std::unique_ptr<Layer> {
                return std::make_unique<BatchNorm>(1, c.at("num_features").get<int64_t>(),
                                                   c.value("eps", 1e-5f),
                                                   c.value("momentum", 0.1f));
              }},
    LayerKind{"batchnorm2d", "batch normalisation over [N, C, H, W]",
              [](const nlohmann::json& c) -> std::unique_ptr<Layer> {
                return std::make_unique<BatchNorm>(2, c.at("num_features").get<int64_t>(),
                                                   c.value("eps", 1e-5f),
                                                   c.value("momentum", 0.1f));
              }},
    LayerKind{
        "relu", "max(x, 0)",
        [](const nlohmann::json&) -> std::unique_ptr<Layer> { return std::make_unique<ReLU>(); }},
    LayerKind{"maxpool2d", "max pooling",
              [](const nlohmann::json& c) -> std::unique_ptr<Layer> {
                return std::make_unique<MaxPool2d>(pool_options(c));
              }},
    LayerKind{"avgpool2d", "average pooling",
              [](const nlohmann::json& c) -> std::unique_ptr<Layer> {
                return std::make_unique<AvgPool2d>(pool_options(c));
              }},
    LayerKind{"global_avgpool", "mean over H and W: [N, C, H, W] -> [N, C]",
              [](const nlohmann::json&) -> std::unique_ptr<Layer> {
                return std::make_unique<GlobalAvgPool>();
              }},
    LayerKind{"flatten", "[N, ...] -> [N, prod(...)]",
              [](const nlohmann::json&) -> std::unique_ptr<Layer> {
                return std::make_unique<Flatten>();
              }},
    LayerKind{
        "add", "residual sum of two inputs",
        [](const nlohmann::json&) -> std::unique_ptr<Layer> { return std::make_unique<Add>(); }},
    LayerKind{"dropout", "inverted dropout with probability p",
              [](const nlohmann::json& c) -> std::unique_ptr<Layer> {
                return std::make_unique<Dropout>(c.at("p").get<float>());
              }},
};

}  // namespace

std::span<const LayerKind> layer_kinds() {
  return kLayerKinds;
}

std::unique_ptr<Layer> make_layer(std::string_view kind, const nlohmann::json& config) {
  std::vector<std::string_view> names;
  for (const LayerKind& entry : kLayerKinds) {
    if (entry.name == kind) {
      try {
        return entry.make(config);
      } catch (const nlohmann::json::exception& e) {
        fail("layer kind '{}': bad config {}: {}", kind, config.dump(), e.what());
      }
    }
    names.push_back(entry.name);
  }
  fail("unknown layer kind '{}'; valid kinds: {}", kind, fmt::join(names, ", "));
}

}  // namespace slim
