#include "core/train/progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace slim {
namespace {

std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total / 60) % 60);
  return fmt::format("{}m{:02}s", total / 60, total % 60);
}

}  // namespace

TrainingProgress::TrainingProgress(std::FILE* stream)
    : stream_(stream),
      interactive_(isatty(fileno(stream)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void TrainingProgress::attach(TrainHooks& hooks) {
  hooks.on_batch = [this](const BatchProgress& p) { on_batch(p); };
  hooks.on_epoch = [this](const EpochReport& r) { on_epoch(r); };
}

void TrainingProgress::on_batch(const BatchProgress& p) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (p.batch != p.batches && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double done = (p.epoch - 1) + static_cast<double>(p.batch) / static_cast<double>(p.batches);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = done > 0 ? elapsed * (p.epochs - done) / done : 0.0;
  fmt::print(stream_,
             "\r\033[Kepoch {}/{}  batch {}/{}  loss {:.4f}  acc {:.2f}%  {:.0f} img/s  ETA {}",
             p.epoch, p.epochs, p.batch, p.batches, p.running_loss, 100.0 * p.running_accuracy,
             p.images_per_second, format_duration(eta));
  std::fflush(stream_);
}

void TrainingProgress::on_epoch(const EpochReport& r) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = elapsed * (r.epochs - r.epoch) / r.epoch;
  if (interactive_) fmt::print(stream_, "\r\033[K");
  std::string test = r.test_accuracy >= 0
                         ? fmt::format("  test acc {:.2f}%", 100.0 * r.test_accuracy)
                         : std::string();
  fmt::print(
      stream_,
      "epoch {}/{}  loss {:.4f}  train acc {:.2f}%{}  lr {:.4g}  {:.0f} img/s  epoch {:.1f}s  "
      "ETA {}\n",
      r.epoch, r.epochs, r.train_loss, 100.0 * r.train_accuracy, test, r.lr, r.images_per_second,
      r.train_seconds, format_duration(eta));
  std::fflush(stream_);
}

}  // namespace slim
