#include "harness/sweep_progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace slim {
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string outcome_text(const nlohmann::json& record) {
  if (record.value("status", "") != "ok") {
    return "FAILED: " + record.value("error", std::string("unknown error"));
  }
  const nlohmann::json& metrics = record.at("metrics");
  std::string text;
  if (metrics.contains("accuracy")) {
    text += fmt::format("top-1 {:.2f}%", 100.0 * metrics.at("accuracy").get<double>());
  }
  if (metrics.contains("latency_us")) {
    text += fmt::format(", p50 {:.1f} us", metrics.at("latency_us").at("p50").get<double>());
  }
  return text;
}

}  // namespace

SweepProgress::SweepProgress(std::FILE* stream, size_t total_jobs, size_t already_done)
    : stream_(stream),
      interactive_(isatty(fileno(stream)) != 0),
      total_(total_jobs),
      done_(already_done),
      start_(std::chrono::steady_clock::now()) {}

std::string SweepProgress::eta_text() const {
  if (finished_here_ == 0) return "ETA --:--";
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double per_job = elapsed / static_cast<double>(finished_here_);
  return "ETA " + clock_text(per_job * static_cast<double>(total_ - done_));
}

void SweepProgress::start_job(const std::string& summary) {
  const std::string line =
      fmt::format("[{}/{} done, {}] running {}", done_, total_, eta_text(), summary);
  if (interactive_) {
    fmt::print(stream_, "\r\033[K{}", line);
  } else {
    fmt::print(stream_, "{}\n", line);
  }
  std::fflush(stream_);
}

void SweepProgress::finish_job(const std::string& summary, const nlohmann::json& record) {
  ++done_;
  ++finished_here_;
  const double seconds = record.at("timings_s").value("total", 0.0);
  const std::string line = fmt::format("[{}/{}] {} ({}, {:.1f} s)", done_, total_, summary,
                                       outcome_text(record), seconds);
  fmt::print(stream_, "{}{}\n", interactive_ ? "\r\033[K" : "", line);
  std::fflush(stream_);
}

}  // namespace slim
