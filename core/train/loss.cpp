#include "core/train/loss.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace slim {
namespace {

// log(sum(exp(row / T))) computed stably in double.
double log_sum_exp(const float* row, int64_t classes, double inv_t, double& max_out) {
  double max_value = row[0] * inv_t;
  for (int64_t k = 1; k < classes; ++k) max_value = std::max(max_value, row[k] * inv_t);
  double sum = 0.0;
  for (int64_t k = 0; k < classes; ++k) sum += std::exp(row[k] * inv_t - max_value);
  max_out = max_value;
  return max_value + std::log(sum);
}

void check_logits(const Tensor& logits) {
  if (logits.rank() != 2 || logits.dim(1) < 1) {
    throw std::logic_error("loss: logits must be [batch, classes]");
  }
}

}  // namespace

float cross_entropy(const Tensor& logits, std::span<const int32_t> labels, Tensor* grad_logits) {
  check_logits(logits);
  const int64_t batch = logits.dim(0), classes = logits.dim(1);
  if (static_cast<int64_t>(labels.size()) != batch) {
    throw std::logic_error("cross_entropy: one label per row expected");
  }
  if (grad_logits) grad_logits->resize(logits.shape());
  double total = 0.0;
  for (int64_t b = 0; b < batch; ++b) {
    const float* row = logits.data() + b * classes;
    const int32_t label = labels[static_cast<size_t>(b)];
    if (label < 0 || label >= classes) throw std::logic_error("cross_entropy: label out of range");
    double max_value = 0.0;
    const double lse = log_sum_exp(row, classes, 1.0, max_value);
    total += lse - row[label];
    if (grad_logits) {
      float* g = grad_logits->data() + b * classes;
      for (int64_t k = 0; k < classes; ++k) {
        const double p = std::exp(row[k] - lse);
        g[k] = static_cast<float>((p - (k == label ? 1.0 : 0.0)) / static_cast<double>(batch));
      }
    }
  }
  return static_cast<float>(total / static_cast<double>(batch));
}

float soft_cross_entropy(const Tensor& logits, const Tensor& target_probs, float temperature,
                         Tensor* grad_logits) {
  check_logits(logits);
  if (!logits.same_shape(target_probs)) {
    throw std::logic_error("soft_cross_entropy: targets must match the logits' shape");
  }
  if (!(temperature > 0.0f)) throw std::logic_error("soft_cross_entropy: temperature must be > 0");
  const int64_t batch = logits.dim(0), classes = logits.dim(1);
  const double inv_t = 1.0 / temperature;
  if (grad_logits) grad_logits->resize(logits.shape());
  double total = 0.0;
  for (int64_t b = 0; b < batch; ++b) {
    const float* row = logits.data() + b * classes;
    const float* target = target_probs.data() + b * classes;
    double max_value = 0.0;
    const double lse = log_sum_exp(row, classes, inv_t, max_value);
    for (int64_t k = 0; k < classes; ++k) {
      const double log_p = row[k] * inv_t - lse;
      total -= target[k] * log_p;
      if (grad_logits) {
        grad_logits->data()[b * classes + k] =
            static_cast<float>((std::exp(log_p) - target[k]) * inv_t / static_cast<double>(batch));
      }
    }
  }
  return static_cast<float>(total / static_cast<double>(batch));
}

Tensor softmax(const Tensor& logits, float temperature) {
  check_logits(logits);
  const int64_t batch = logits.dim(0), classes = logits.dim(1);
  const double inv_t = 1.0 / temperature;
  Tensor out(logits.shape());
  for (int64_t b = 0; b < batch; ++b) {
    const float* row = logits.data() + b * classes;
    double max_value = 0.0;
    const double lse = log_sum_exp(row, classes, inv_t, max_value);
    for (int64_t k = 0; k < classes; ++k) {
      out[b * classes + k] = static_cast<float>(std::exp(row[k] * inv_t - lse));
    }
  }
  return out;
}

void argmax_rows(const Tensor& logits, std::span<int32_t> out) {
  check_logits(logits);
  const int64_t classes = logits.dim(1);
  for (int64_t b = 0; b < logits.dim(0); ++b) {
    const float* row = logits.data() + b * classes;
    out[static_cast<size_t>(b)] = static_cast<int32_t>(std::max_element(row, row + classes) - row);
  }
}

}  // namespace slim
