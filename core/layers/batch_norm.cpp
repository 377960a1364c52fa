#include "core/layers/batch_norm.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "core/channel_slice.h"
#include "core/parallel_for.h"

namespace slim {
namespace {

// Channel c of sample n occupies data[(n * C + c) * plane, ... + plane).
struct ChannelLayout {
  int64_t batch, channels, plane;
  explicit ChannelLayout(const Shape& s)
      : batch(s[0]), channels(s[1]), plane(s.size() == 4 ? s[2] * s[3] : 1) {}
  int64_t count() const { return batch * plane; }
  int64_t offset(int64_t n, int64_t c) const { return (n * channels + c) * plane; }
};

}  // namespace

BatchNorm::BatchNorm(int spatial_dims, int64_t num_features, float eps, float momentum)
    : spatial_dims_(spatial_dims), num_features_(num_features), eps_(eps), momentum_(momentum) {
  if (spatial_dims != 1 && spatial_dims != 2) throw std::logic_error("BatchNorm: 1d or 2d only");
  gamma_.value = Tensor({num_features}, 1.0f);
  beta_.value = Tensor({num_features}, 0.0f);
  running_mean_ = Tensor({num_features}, 0.0f);
  running_var_ = Tensor({num_features}, 1.0f);
}

nlohmann::json BatchNorm::config() const {
  return {{"num_features", num_features_}, {"eps", eps_}, {"momentum", momentum_}};
}

std::vector<Named<Parameter>> BatchNorm::parameters() {
  return {{"weight", &gamma_}, {"bias", &beta_}};
}

std::vector<Named<Tensor>> BatchNorm::buffers() {
  return {{"running_mean", &running_mean_}, {"running_var", &running_var_}};
}

void BatchNorm::keep_channels(std::span<const int64_t> keep) {
  keep_parameter(gamma_, 0, keep);
  keep_parameter(beta_, 0, keep);
  running_mean_ = keep_along_axis(running_mean_, 0, keep);
  running_var_ = keep_along_axis(running_var_, 0, keep);
  num_features_ = static_cast<int64_t>(keep.size());
}

Shape BatchNorm::unary_output_shape(const Shape& input) const {
  const size_t rank = spatial_dims_ == 1 ? 2 : 4;
  if (input.size() != rank || input[1] != num_features_) {
    throw std::logic_error(fmt::format("{}: expected {} features in a rank-{} input, got {}",
                                       kind(), num_features_, rank, shape_to_string(input)));
  }
  return input;
}

void BatchNorm::unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) {
  output.resize(unary_output_shape(input.shape()));
  input_ = &input;
  used_batch_stats_ = context.mode == Mode::kTrain && !frozen_;
  if (used_batch_stats_) {
    forward_batch_stats(input, output);
  } else {
    forward_running_stats(input, output);
  }
}

void BatchNorm::forward_batch_stats(const Tensor& input, Tensor& output) {
  const ChannelLayout lay(input.shape());
  const int64_t count = lay.count();
  normalized_.resize(input.shape());
  inv_std_.resize({num_features_});
  parallel_for(lay.channels, [&](int64_t c) {
    // Two passes in double: exact enough that the result does not depend on batch size.
    double sum = 0.0;
    for (int64_t n = 0; n < lay.batch; ++n) {
      const float* x = input.data() + lay.offset(n, c);
      for (int64_t p = 0; p < lay.plane; ++p) sum += x[p];
    }
    const double mean = sum / static_cast<double>(count);
    double sq = 0.0;
    for (int64_t n = 0; n < lay.batch; ++n) {
      const float* x = input.data() + lay.offset(n, c);
      for (int64_t p = 0; p < lay.plane; ++p) sq += (x[p] - mean) * (x[p] - mean);
    }
    const double var = sq / static_cast<double>(count);
    const float inv_std = static_cast<float>(1.0 / std::sqrt(var + eps_));
    inv_std_[c] = inv_std;
    const float g = gamma_.value[c], b = beta_.value[c], m = static_cast<float>(mean);
    for (int64_t n = 0; n < lay.batch; ++n) {
      const int64_t off = lay.offset(n, c);
      for (int64_t p = 0; p < lay.plane; ++p) {
        const float xhat = (input[off + p] - m) * inv_std;
        normalized_[off + p] = xhat;
        output[off + p] = g * xhat + b;
      }
    }
    const double unbiased = count > 1 ? sq / static_cast<double>(count - 1) : var;
    running_mean_[c] = (1.0f - momentum_) * running_mean_[c] + momentum_ * m;
    running_var_[c] =
        (1.0f - momentum_) * running_var_[c] + momentum_ * static_cast<float>(unbiased);
  });
}

void BatchNorm::forward_running_stats(const Tensor& input, Tensor& output) {
  const ChannelLayout lay(input.shape());
  inv_std_.resize({num_features_});
  for (int64_t c = 0; c < lay.channels; ++c) {
    inv_std_[c] = 1.0f / std::sqrt(running_var_[c] + eps_);
  }
  parallel_for(lay.batch * lay.channels, [&](int64_t plane) {
    const int64_t n = plane / lay.channels, c = plane % lay.channels;
    const float scale = gamma_.value[c] * inv_std_[c];
    const float shift = beta_.value[c] - running_mean_[c] * scale;
    const int64_t off = lay.offset(n, c);
    for (int64_t p = 0; p < lay.plane; ++p) output[off + p] = input[off + p] * scale + shift;
  });
}

void BatchNorm::normalize_with_running_stats(const Tensor& input) {
  const ChannelLayout lay(input.shape());
  normalized_.resize(input.shape());
  for (int64_t n = 0; n < lay.batch; ++n) {
    for (int64_t c = 0; c < lay.channels; ++c) {
      const int64_t off = lay.offset(n, c);
      for (int64_t p = 0; p < lay.plane; ++p) {
        normalized_[off + p] = (input[off + p] - running_mean_[c]) * inv_std_[c];
      }
    }
  }
}

void BatchNorm::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  const ChannelLayout lay(grad_output.shape());
  if (gamma_.grad.empty()) gamma_.grad = Tensor(gamma_.value.shape());
  if (beta_.grad.empty()) beta_.grad = Tensor(beta_.value.shape());
  if (grad_input) grad_input->resize(grad_output.shape());
  const double count = static_cast<double>(lay.count());
  // Inference-style forwards skip storing x_hat; rebuild it from the input if needed.
  if (!used_batch_stats_) normalize_with_running_stats(*input_);
  parallel_for(lay.channels, [&](int64_t c) {
    const float g = gamma_.value[c], inv_std = inv_std_[c];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < lay.batch; ++n) {
      const int64_t off = lay.offset(n, c);
      for (int64_t p = 0; p < lay.plane; ++p) {
        sum_dy += grad_output[off + p];
        sum_dy_xhat += grad_output[off + p] * normalized_[off + p];
      }
    }
    gamma_.grad[c] += static_cast<float>(sum_dy_xhat);
    beta_.grad[c] += static_cast<float>(sum_dy);
    if (!grad_input) return;
    // With running statistics the mean and variance are constants, so the input
    // gradient is a plain per-channel scale; batch statistics add the two mean terms.
    const float mean_dy = used_batch_stats_ ? static_cast<float>(sum_dy / count) : 0.0f;
    const float mean_dy_xhat = used_batch_stats_ ? static_cast<float>(sum_dy_xhat / count) : 0.0f;
    for (int64_t n = 0; n < lay.batch; ++n) {
      const int64_t off = lay.offset(n, c);
      for (int64_t p = 0; p < lay.plane; ++p) {
        const float xhat = normalized_[off + p];
        (*grad_input)[off + p] =
            g * inv_std * (grad_output[off + p] - mean_dy - xhat * mean_dy_xhat);
      }
    }
  });
}

}  // namespace slim
