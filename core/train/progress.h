// Training progress for humans: on a terminal, one line redrawn in place with epoch,
// loss, accuracy, images/s and ETA; otherwise (logs, CI) one line per epoch.
#pragma once

#include <chrono>
#include <cstdio>

#include "core/train/trainer.h"

namespace slim {

class TrainingProgress {
 public:
  explicit TrainingProgress(std::FILE* stream);
  // Installs on_batch / on_epoch callbacks that print through this object.
  void attach(TrainHooks& hooks);

 private:
  void on_batch(const BatchProgress& progress);
  void on_epoch(const EpochReport& report);

  std::FILE* stream_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace slim
