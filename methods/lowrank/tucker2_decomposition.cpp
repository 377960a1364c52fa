#include "methods/lowrank/tucker2_decomposition.h"

#include <stdexcept>

namespace slim {
namespace {

void check_conv_weight(const Tensor& weight) {
  if (weight.rank() != 4 || weight.dim(2) != weight.dim(3)) {
    throw std::invalid_argument("tucker2: expected a [Cout, Cin, k, k] conv weight, got " +
                                shape_to_string(weight.shape()));
  }
}

// W_(1): row i holds W[:, i, :, :], the input channel's k*k taps for every output channel.
MatrixD in_mode_unfolding(const MatrixD& w0, int64_t c_in, int64_t taps) {
  const int64_t c_out = w0.rows();
  MatrixD unfolding(c_in, c_out * taps);
  for (int64_t o = 0; o < c_out; ++o) {
    for (int64_t i = 0; i < c_in; ++i) {
      unfolding.block(i, o * taps, 1, taps) = w0.block(o, i * taps, 1, taps);
    }
  }
  return unfolding;
}

MatrixD out_mode_unfolding(const Tensor& weight) {
  return weight.as_matrix().cast<double>();
}

void check_rank(int64_t rank, const MatrixSvd& mode, const char* name) {
  if (rank < 1 || rank > static_cast<int64_t>(mode.singular_values.size())) {
    throw std::invalid_argument(std::string("tucker2: ") + name + " outside its mode's ranks");
  }
}

}  // namespace

MatrixD mode0_product(const MatrixD& tensor, const MatrixD& matrix) {
  return matrix * tensor;
}

MatrixD mode1_product(const MatrixD& tensor, int64_t b, const MatrixD& matrix) {
  const int64_t taps = tensor.cols() / b;
  MatrixD out(tensor.rows(), matrix.rows() * taps);
  for (int64_t a = 0; a < tensor.rows(); ++a) {
    // Row a of T, seen as B x K, becomes M * (B x K) = X x K: row a of the result.
    const Eigen::Map<const MatrixD> slice(tensor.row(a).data(), b, taps);
    Eigen::Map<MatrixD>(out.row(a).data(), matrix.rows(), taps) = matrix * slice;
  }
  return out;
}

Tucker2Spectra tucker2_spectra(const Tensor& weight) {
  check_conv_weight(weight);
  const MatrixD w0 = out_mode_unfolding(weight);
  const int64_t taps = weight.dim(2) * weight.dim(3);
  return {thin_svd(w0), thin_svd(in_mode_unfolding(w0, weight.dim(1), taps))};
}

Tucker2Factors tucker2_factors(const Tensor& weight, const Tucker2Spectra& spectra,
                               int64_t rank_out, int64_t rank_in) {
  check_conv_weight(weight);
  check_rank(rank_out, spectra.out_mode, "rank_out");
  check_rank(rank_in, spectra.in_mode, "rank_in");
  Tucker2Factors factors;
  factors.kernel_size = weight.dim(2);
  factors.out_factor = spectra.out_mode.u.leftCols(rank_out);
  factors.in_factor = spectra.in_mode.u.leftCols(rank_in);
  const MatrixD projected_out =
      mode0_product(out_mode_unfolding(weight), factors.out_factor.transpose());
  factors.core = mode1_product(projected_out, weight.dim(1), factors.in_factor.transpose());
  return factors;
}

Tucker2Factors tucker2_decompose(const Tensor& weight, int64_t rank_out, int64_t rank_in) {
  return tucker2_factors(weight, tucker2_spectra(weight), rank_out, rank_in);
}

Tensor tucker2_reconstruct(const Tucker2Factors& factors) {
  const MatrixD restored_in =
      mode1_product(factors.core, factors.in_factor.cols(), factors.in_factor);
  const MatrixD restored = mode0_product(restored_in, factors.out_factor);
  const int64_t k = factors.kernel_size;
  Tensor weight({factors.out_factor.rows(), factors.in_factor.rows(), k, k});
  weight.as_matrix() = restored.cast<float>();
  return weight;
}

}  // namespace slim
