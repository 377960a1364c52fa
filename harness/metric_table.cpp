#include "harness/metric_table.h"

namespace slim {

const std::vector<MetricInfo>& metric_table() {
  static const std::vector<MetricInfo> table = {
      {"accuracy",
       "top-1 on the test split, run on the job's backend; delta against the FP32 "
       "baseline on the same backend"},
      {"size",
       "bytes as deployed (encoded weights, scales, buffers), parameter count and "
       "compression ratio against FP32"},
      {"macs", "multiply-accumulates of one forward pass of one sample"},
      {"latency",
       "per batch size: warmup, then timed runs until a minimum time and count are "
       "both met; p50/p90/p99/min/max/mean in microseconds"},
      {"energy",
       "joules per single-sample inference: RAPL/NVML when readable during the "
       "batch-1 latency runs, else the Horowitz 45 nm operation model"},
      {"early_exit",
       "for models with an early exit (method early_exit): accuracy, exit fraction and "
       "mean/p50/p90 latency of one-sample runs per confidence threshold, beside the model "
       "without its head"},
  };
  return table;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const MetricInfo& metric : metric_table()) names.push_back(metric.name);
  return names;
}

}  // namespace slim
