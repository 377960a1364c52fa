// slimbench eval --checkpoint FILE [--dataset NAME] [--json]
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/threads.h"
#include "core/error.h"
#include "core/train/trainer.h"
#include "datasets/registry.h"
#include "models/checkpoint.h"

namespace slim::cli {
namespace {

struct EvalArgs {
  std::string checkpoint;
  std::string dataset;
  bool json = false;
  int threads = 0;
};

int run_eval(const EvalArgs& args) {
  apply_thread_count(args.threads);
  LoadedCheckpoint loaded = load_checkpoint(args.checkpoint);
  const std::string spec = !args.dataset.empty()          ? args.dataset
                           : !loaded.info.dataset.empty() ? loaded.info.dataset
                                                          : std::string("fashion-mnist");
  const Dataset dataset = load_dataset(spec);
  if (dataset.sample_shape != loaded.model.sample_shape()) {
    fail("{}: model {} expects samples of shape {}, dataset {} has {}", args.checkpoint,
         loaded.model.architecture(), shape_to_string(loaded.model.sample_shape()), spec,
         shape_to_string(dataset.sample_shape));
  }
  const EvalResult result = evaluate(loaded.model, dataset, dataset.test);
  if (args.json) {
    const nlohmann::json out = {{"checkpoint", args.checkpoint},
                                {"model", loaded.model.architecture()},
                                {"dataset", spec},
                                {"split", "test"},
                                {"accuracy", result.accuracy},
                                {"loss", result.loss},
                                {"count", result.count},
                                {"parameters", loaded.model.parameter_count()},
                                {"macs_per_sample", loaded.model.macs_per_sample()}};
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("{} on {} (test, {} images): accuracy {:.2f}%, loss {:.4f}\n",
               loaded.model.architecture(), spec, result.count, 100.0 * result.accuracy,
               result.loss);
  }
  return 0;
}

}  // namespace

Command add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* sub = app.add_subcommand("eval", "evaluate a checkpoint on a dataset's test split");
  sub->add_option("--checkpoint", args->checkpoint, "checkpoint file (.safetensors)")->required();
  sub->add_option("--dataset", args->dataset,
                  "dataset spec (default: the one the checkpoint was trained on)");
  sub->add_flag("--json", args->json, "print one JSON object instead of a sentence");
  add_thread_option(*sub, args->threads);
  return [args] { return run_eval(*args); };
}

}  // namespace slim::cli
