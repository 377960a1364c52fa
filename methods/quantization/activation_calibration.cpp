#include "methods/quantization/activation_calibration.h"

#include <utility>
#include <vector>

#include "datasets/batch_loader.h"

namespace slim {
namespace {

// Activations are stored as signed int8 with the full [-128, 127] grid.
constexpr QuantRange kActivationRange{.bits = 8, .is_signed = true, .narrow = false};

// One observer per tensor: slot 0 is the model input, slot i + 1 node i's output.
class ModelObserver {
 public:
  explicit ModelObserver(const Model& model) : observers_(model.nodes().size() + 1) {}

  template <typename Observe>
  void run_pass(Model& model, const BatchLoader& loader, Observe observe) {
    Batch batch;
    for (int64_t b = 0; b < loader.num_batches(); ++b) {
      loader.fill_batch(b, batch);
      model.forward(batch.x, ForwardContext{Mode::kEval, nullptr});
      observe(observers_[0], std::as_const(batch.x).values());
      for (size_t i = 0; i + 1 < observers_.size(); ++i) {
        observe(observers_[i + 1], model.activation(static_cast<int>(i)).values());
      }
    }
  }

  std::vector<TensorCalibration>& observers() { return observers_; }

 private:
  std::vector<TensorCalibration> observers_;
};

}  // namespace

std::vector<TensorCalibration> observe_activations(Model& model, const Dataset& dataset,
                                                   std::span<const int64_t> indices,
                                                   bool with_histograms, int64_t batch_size) {
  const BatchLoader loader(dataset, dataset.train, {indices.begin(), indices.end()},
                           BatchOptions{.batch_size = batch_size});
  ModelObserver observer(model);
  observer.run_pass(model, loader, [](TensorCalibration& calibration, std::span<const float> x) {
    calibration.observe_range(x);
  });
  if (with_histograms) {
    for (TensorCalibration& calibration : observer.observers()) calibration.begin_histogram();
    observer.run_pass(model, loader, [](TensorCalibration& calibration, std::span<const float> x) {
      calibration.observe_histogram(x);
    });
  }
  return std::move(observer.observers());
}

ActivationQuant activation_grid(const TensorCalibration& observed,
                                const CalibrationOptions& options) {
  return to_activation_quant(observed.params(kActivationRange, options), kActivationRange,
                             options.rounding);
}

ActivationGrids calibrate_activations(Model& model, const Dataset& dataset,
                                      std::span<const int64_t> indices,
                                      const ActivationCalibrationOptions& options,
                                      int64_t batch_size) {
  const bool with_histograms =
      needs_histogram(options.input.kind) || needs_histogram(options.computed.kind);
  const std::vector<TensorCalibration> observed =
      observe_activations(model, dataset, indices, with_histograms, batch_size);
  ActivationGrids result;
  result.input = activation_grid(observed.front(), options.input);
  for (size_t i = 1; i < observed.size(); ++i) {
    result.nodes.push_back(activation_grid(observed[i], options.computed));
  }
  return result;
}

ActivationGrids calibrate_activations(Model& model, const Dataset& dataset,
                                      std::span<const int64_t> indices,
                                      const CalibrationOptions& options, int64_t batch_size) {
  return calibrate_activations(model, dataset, indices,
                               ActivationCalibrationOptions{.input = options, .computed = options},
                               batch_size);
}

}  // namespace slim
