// Progress of a sweep on stderr: jobs done/total, the current job and an ETA.
//
// On a terminal the "running" line is redrawn in place and each finished job leaves one
// line behind; elsewhere (CI logs, files) every event is a plain line of its own.
#pragma once

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace slim {

class SweepProgress {
 public:
  SweepProgress(std::FILE* stream, size_t total_jobs, size_t already_done);

  void start_job(const std::string& summary);
  void finish_job(const std::string& summary, const nlohmann::json& record);

 private:
  std::string eta_text() const;

  std::FILE* stream_;
  bool interactive_;
  size_t total_;
  size_t done_;
  size_t finished_here_ = 0;  // jobs this process ran: the ETA's sample
  std::chrono::steady_clock::time_point start_;
};

}  // namespace slim
