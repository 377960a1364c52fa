// The QAT model: built from a trained FP32 model and its static-PTQ calibration, and
// converted back, after training, into the static quantized graph.
//
// Building (build_qat_model), per node of the FP32 model:
//  * each conv2d/linear that static PTQ would quantize becomes a QatGemm (qat_gemm.h),
//    which also absorbs the BatchNorm that fold_batch_norms would fold into it;
//  * everything else is copied (layers the rewrite keeps in FP32, with their BN, too);
//  * a FakeQuantize (fake_quantize.h) follows every tensor whose grid the static rewrite
//    reads: the indices static_grid_points() returns for the BN-folded model, matched to
//    this graph by name (a folded conv keeps the conv's name and stands for the BN's
//    output; ReLU and add names are unchanged; -1 is the model input). Each starts from
//    the grid PTQ calibrated for that tensor, so training starts from the PTQ model.
//  * after a global average pool whose input the static graph holds as int8, a follower
//    fake-quant repeats that input's grid ("<pool>.requantize"), because the static graph
//    rounds the pooled mean back onto it.
// Fake-quant nodes are named fake_quant_node_name(<folded node name>), e.g.
// "relu1.fake_quant", "input.fake_quant".
//
// Converting (convert_qat_model): the QAT model is turned back into the FP32 graph it
// trains (qat_to_fp32), folded with its final running statistics, and rewritten by
// build_static_quantized with the fake-quant nodes' grids; under LSQ the learned weight
// scales go through GraphQuantOptions::weights_by_node, under STE the weight quantizer
// runs on the folded weights exactly as it did in every training forward.
//
// In eval mode (or with frozen BN statistics) a QAT model computes what its conversion
// computes, except for the integer bias: the deployed layer adds round(b / (S_x * S_w))
// at scale S_x * S_w, training adds b itself (as PyTorch's QAT does).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/model.h"
#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/qat/fake_quantize.h"
#include "methods/quantization/qat/weight_fake_quant.h"
#include "methods/quantization/quantized_graph.h"

namespace slim {

struct QatOptions {
  // Weights, keep_first_last_fp32 and only_layers as for static PTQ; weights_by_node is
  // filled by the conversion itself.
  GraphQuantOptions graph;
  QatEstimator estimator = QatEstimator::kSte;
  LsqInit lsq_init = LsqInit::kCalibrated;  // LSQ's weight scales (weight_fake_quant.h)
};

// "<observed>.fake_quant": the node holding the fake-quantized copy of the folded node
// `observed` (or of the model input, "input").
std::string fake_quant_node_name(std::string_view observed);

// `folded_grids` must come from calibrating fold_batch_norms(model) (as static PTQ does).
Model build_qat_model(const Model& model, const ActivationGrids& folded_grids,
                      const QatOptions& options);

// The FP32 model a QAT model trains, in the source graph's form: fake-quant nodes removed,
// each QatGemm split back into its conv2d/linear and BatchNorm (trained values, current
// running statistics).
Model qat_to_fp32(const Model& qat);

// The fake-quant nodes' current grids, indexed like `folded` (fold_batch_norms of
// qat_to_fp32(qat)); tensors that are not grid points keep a default grid.
ActivationGrids qat_activation_grids(const Model& qat, const Model& folded,
                                     const GraphQuantOptions& options);

// LSQ: each quantized layer's deployed weight (folded weight of `folded`, learned scales),
// by node name. Empty under STE, whose weights the weight quantizer encodes.
std::map<std::string, std::shared_ptr<const QuantizedWeight>> qat_learned_weights(
    const Model& qat, const Model& folded);

// The static quantized graph of a (trained) QAT model; runs like static PTQ's result.
Model convert_qat_model(const Model& qat, const QatOptions& options);

// BatchNorm uses (and keeps) its running statistics from now on, in QatGemm layers and
// in the BN nodes of layers kept in FP32 alike. Returns how many BNs it froze.
int freeze_batch_norm_statistics(Model& qat);
// After an optimizer step: learned scales back above lsq_min_scale(), and every follower
// fake-quant takes its leader's grid again (both only change anything under LSQ).
void update_learned_grids(Model& qat);

}  // namespace slim
