// Tucker-2 decomposition of a conv weight W [Cout, Cin, k, k] over its two channel modes,
// by truncated HOSVD (De Lathauwer et al. 2000), not HOOI: the factors are the leading
// left singular vectors of each mode's unfolding, with no alternating refinement.
//
//   U_out [Cout, r_out]  leading left singular vectors of W_(0) = W as Cout x (Cin*k*k)
//   U_in  [Cin,  r_in]   leading left singular vectors of W_(1) = W as Cin x (Cout*k*k)
//   G     [r_out, r_in, k, k] = W x_0 U_out^T x_1 U_in^T
//   W ~ G x_0 U_out x_1 U_in
//
// With orthonormal factors the approximation is the orthogonal projection of W onto
// span(U_out) (x) span(U_in); raising either rank enlarges that subspace, so the error
// never grows with the ranks, and at full ranks the projection is the identity.
// Computed in double; the tensors handed back are float.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "methods/lowrank/truncated_svd.h"

namespace slim {

struct Tucker2Factors {
  MatrixD out_factor;  // U_out [Cout, r_out]
  MatrixD in_factor;   // U_in  [Cin, r_in]
  MatrixD core;        // G as r_out x (r_in*k*k), row-major like a conv weight
  int64_t kernel_size = 1;
};

// The singular values of a conv weight's mode-0 (output channels) and mode-1 (input
// channels) unfoldings, descending; each mode's rank is chosen from its own.
struct Tucker2Spectra {
  MatrixSvd out_mode;  // of W_(0), Cout x (Cin*k*k)
  MatrixSvd in_mode;   // of W_(1), Cin x (Cout*k*k)
};

// `weight` is [Cout, Cin, k, k].
Tucker2Spectra tucker2_spectra(const Tensor& weight);
// Ranks in [1, min of the unfolding's dimensions].
Tucker2Factors tucker2_factors(const Tensor& weight, const Tucker2Spectra& spectra,
                               int64_t rank_out, int64_t rank_in);
Tucker2Factors tucker2_decompose(const Tensor& weight, int64_t rank_out, int64_t rank_in);
// G x_0 U_out x_1 U_in as a float [Cout, Cin, k, k] tensor.
Tensor tucker2_reconstruct(const Tucker2Factors& factors);

// Mode products on a 3-way tensor T [A, B, K] stored row-major as A x (B*K):
// mode 0 with M [X, A] gives [X, B, K]; mode 1 with M [X, B] gives [A, X, K].
MatrixD mode0_product(const MatrixD& tensor, const MatrixD& matrix);
MatrixD mode1_product(const MatrixD& tensor, int64_t b, const MatrixD& matrix);

}  // namespace slim
