// Layer: the unit a model graph is made of, with a forward and a backward pass.
//
// Contract with the Model that owns it:
//  * forward() may keep pointers to its inputs; the model keeps every activation alive
//    until backward() has run, so layers need not copy their inputs.
//  * backward() ADDS to parameter gradients (the optimizer zeroes them) and OVERWRITES
//    the input gradients it is given; a null input gradient means "not needed" (for
//    example the image fed to the first layer), and the layer may skip that work.
//  * config() returns the constructor arguments, so a graph can be described in JSON
//    and compressed variants (quantized, sparse, factored) are just other layer kinds.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"

namespace slim {

enum class Mode { kTrain, kEval };

struct ForwardContext {
  Mode mode = Mode::kEval;
  Rng* rng = nullptr;  // used by stochastic layers (Dropout) in training mode
};

// How a parameter is stored when deployed, when that is not plain FP32: int8 codes and
// scales, packed int4, a sparse format. A compression method attaches one; size accounting
// (core/model_size.h) asks it for its bytes, so there is one source of truth for sizes.
class ParameterStorage {
 public:
  virtual ~ParameterStorage() = default;
  virtual int64_t stored_bytes() const = 0;
  virtual nlohmann::json describe() const = 0;  // e.g. {"format": "int8", "scales": 1}
  // For a pruned parameter, size accounting stores the kept codes in a sparse format
  // (core/storage/sparse_encoding.h): it needs the width of one code and the bytes that
  // are not per-element codes (scales, zero points). A storage that is not one code per
  // element keeps value_bits() = 0 and is counted by stored_bytes() alone, mask or not.
  virtual int value_bits() const { return 0; }
  virtual int64_t metadata_bytes() const { return 0; }
};

// A trainable tensor. `mask`, when not empty, has the value's shape and holds 0/1:
// pruned weights are kept at exactly zero by the optimizer, through any fine-tuning.
// `storage`, when set, describes the deployed encoding that `value` was decoded from;
// training refuses such parameters, since an update would leave the encoding stale.
struct Parameter {
  Tensor value;
  Tensor grad;
  Tensor mask;
  std::shared_ptr<const ParameterStorage> storage;
  bool has_mask() const { return !mask.empty(); }
};

template <typename T>
using Named = std::pair<std::string, T*>;

class Layer {
 public:
  virtual ~Layer() = default;

  virtual std::string kind() const = 0;
  virtual nlohmann::json config() const = 0;
  virtual std::unique_ptr<Layer> clone() const = 0;
  virtual int arity() const { return 1; }

  // Shapes include the batch dimension.
  virtual Shape output_shape(std::span<const Shape> input_shapes) const = 0;
  virtual void forward(std::span<const Tensor* const> inputs, Tensor& output,
                       const ForwardContext& context) = 0;
  virtual void backward(const Tensor& grad_output, std::span<Tensor* const> input_grads) = 0;

  // Local names ("weight", "bias"); the model prefixes the node name.
  virtual std::vector<Named<Parameter>> parameters() { return {}; }
  // Non-trained state that checkpoints must keep (BatchNorm's running statistics).
  virtual std::vector<Named<Tensor>> buffers() { return {}; }
  // Multiply-accumulates of one forward pass for the given input shapes.
  virtual int64_t macs(std::span<const Shape> /*input_shapes*/) const { return 0; }
};

// Base for the common one-input, one-output layer.
class UnaryLayer : public Layer {
 public:
  Shape output_shape(std::span<const Shape> input_shapes) const final {
    return unary_output_shape(input_shapes[0]);
  }
  void forward(std::span<const Tensor* const> inputs, Tensor& output,
               const ForwardContext& context) final {
    unary_forward(*inputs[0], output, context);
  }
  void backward(const Tensor& grad_output, std::span<Tensor* const> input_grads) final {
    unary_backward(grad_output, input_grads[0]);
  }
  int64_t macs(std::span<const Shape> input_shapes) const final {
    return unary_macs(input_shapes[0]);
  }

 protected:
  virtual Shape unary_output_shape(const Shape& input) const = 0;
  virtual void unary_forward(const Tensor& input, Tensor& output,
                             const ForwardContext& context) = 0;
  virtual void unary_backward(const Tensor& grad_output, Tensor* grad_input) = 0;
  virtual int64_t unary_macs(const Shape& /*input*/) const { return 0; }
};

}  // namespace slim
