#include "methods/pruning/subset_accuracy.h"

#include <vector>

#include "core/error.h"
#include "core/train/loss.h"
#include "datasets/batch_loader.h"

namespace slim {

double subset_accuracy(Model& model, const Dataset& dataset, std::span<const int64_t> indices,
                       int64_t batch_size) {
  if (indices.empty()) fail("accuracy on a train subset needs samples; the subset is empty");
  const BatchLoader loader(dataset, dataset.train,
                           std::vector<int64_t>(indices.begin(), indices.end()),
                           BatchOptions{batch_size});
  const ForwardContext eval{Mode::kEval, nullptr};
  Batch batch;
  std::vector<int32_t> predicted;
  int64_t correct = 0;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = model.forward(batch.x, eval);
    predicted.resize(batch.labels.size());
    argmax_rows(logits, predicted);
    for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == batch.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(indices.size());
}

}  // namespace slim
