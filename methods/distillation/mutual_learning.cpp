#include "methods/distillation/mutual_learning.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/train/init.h"
#include "core/train/progress.h"
#include "core/train/trainer.h"
#include "methods/distillation/mutual_peer.h"
#include "methods/distillation/student_setup.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/prunable_weights.h"
#include "methods/pruning/pruning_training.h"
#include "models/zoo.h"

namespace slim {
namespace {

constexpr std::string_view kSelfPeer = "self";
// The student's shuffle with init "trained"; the peer's weights and dropout.
constexpr uint64_t kMutualSeedStream = 0x646d6c;  // "dml"
constexpr uint64_t kPeerStream = 0x70656572;      // "peer"

void check_mutual_params(const nlohmann::json& params, const JsonPath& at) {
  const auto peer = params.at("peer").get<std::string>();
  const std::vector<std::string> zoo = model_names();
  if (peer == kSelfPeer || std::find(zoo.begin(), zoo.end(), peer) != zoo.end()) return;
  (at / "peer")
      .fail("peer '{}' is neither \"{}\" (a fresh copy of the job's model) nor a zoo model ({})",
            peer, kSelfPeer, fmt::join(zoo, ", "));
}

// A freshly initialised peer: the student's own graph (masks kept) for "self", else the
// zoo model's.
Model build_peer(const std::string& peer, const Model& student, const Dataset& dataset,
                 uint64_t seed) {
  Model model = peer == kSelfPeer
                    ? student
                    : find_model(peer).build(dataset.sample_shape, dataset.num_classes);
  Rng init_rng = Rng(seed).split(kPeerStream).split(kInitStream);
  init_parameters(model, init_rng);
  apply_masks(prunable_weights(model, LayerSelection::kAll));
  return model;
}

void apply_mutual_learning(Model& model, const nlohmann::json& params, MethodContext& context) {
  check_mutual_params(params, JsonPath("mutual_learning"));
  const StudentInit init = parse_student_init(params.at("init").get<std::string>());
  prepare_student(model, init, context.seed);
  const Recipe recipe = student_recipe(context, init, params.at("epochs").get<int>(),
                                       params.at("lr_scale").get<double>(), kMutualSeedStream);
  const KdWeights weights =
      mutual_weights(params.at("temperature").get<float>(), params.at("alpha").get<float>());
  const auto peer_name = params.at("peer").get<std::string>();
  MutualPeer peer(build_peer(peer_name, model, context.dataset, context.seed), recipe,
                  training_steps_per_epoch(context.dataset, recipe.batch_size), weights,
                  Rng(context.seed).split(kPeerStream).split(kDropoutStream).next_u64());
  fmt::print(context.log,
             "mutual_learning: {} with peer {} ({}), T {:g}, alpha {:g}, init {}, {} epoch(s) "
             "from lr {:g}\n",
             model.architecture(), peer_name, peer.model().architecture(), weights.temperature,
             weights.kd_weight, student_init_name(init), recipe.epochs, recipe.lr);

  TrainHooks hooks;
  peer.attach(hooks);
  TrainingProgress progress(context.log);
  progress.attach(hooks);
  hooks.evaluate_each_epoch = false;
  const std::vector<EpochReport> epochs = train(model, context.dataset, recipe, hooks);

  nlohmann::json report = {{"peer", peer_name},
                           {"peer_architecture", peer.model().architecture()},
                           {"temperature", params.at("temperature").get<double>()},
                           {"alpha", params.at("alpha").get<double>()},
                           {"init", params.at("init")},
                           {"epochs", recipe.epochs},
                           {"lr", recipe.lr}};
  if (!epochs.empty()) {
    report["final_train_loss"] = epochs.back().train_loss;
    report["final_train_accuracy"] = epochs.back().train_accuracy;
    report["peer_final_train_loss"] = peer.last_epoch().loss;
    report["peer_final_train_accuracy"] = peer.last_epoch().accuracy;
  }
  // A report of the peer alone, which is discarded: the job's model is not chosen by it.
  report["peer_test_accuracy"] =
      evaluate(peer.model(), context.dataset, context.dataset.test).accuracy;
  context.report["mutual_learning"] = report;
}

}  // namespace

Method mutual_learning_method() {
  return Method{
      .name = "mutual_learning",
      .family = MethodFamily::kDistillation,
      .description =
          "deep mutual learning (Zhang et al. 2018): the model and a peer train "
          "together, each on CE + alpha T^2 KL(other || self)",
      .params =
          {
              choice_param("peer", std::string(kSelfPeer), {},
                           "\"self\" (a fresh copy of the job's architecture) or a zoo "
                           "model, initialised from its own stream of the job's seed"),
              number_param("temperature", 1.0, 0.5, 100.0, "softmax temperature T"),
              number_param("alpha", 1.0, 0.0, 10.0, "weight of the T^2-scaled KL term"),
              student_init_param(),
              int_param("epochs", 0, 0, 1000, "training epochs (0: the baseline recipe's)"),
              number_param("lr_scale", 1.0, 1e-6, 10.0,
                           "learning rate as a fraction of the baseline's (both networks)"),
          },
      .apply = apply_mutual_learning,
      .check_params = check_mutual_params,
  };
}

}  // namespace slim
