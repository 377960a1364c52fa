#include "kernels/cuda/cuda_event_timer.h"

#include <cuda_runtime_api.h>

#include <stdexcept>

#include "kernels/cuda/cuda_check.h"

namespace slim {
namespace {

cudaEvent_t create_timing_event() {
  cudaEvent_t event = nullptr;
  cuda_check(cudaEventCreate(&event), "cudaEventCreate");
  return event;
}

}  // namespace

CudaEventTimer::CudaEventTimer() : start_(create_timing_event()) {
  try {
    stop_ = create_timing_event();
  } catch (...) {
    (void)cudaEventDestroy(start_);
    throw;
  }
}

CudaEventTimer::~CudaEventTimer() {
  // Destructors cannot throw; a failure here means the context is already broken.
  (void)cudaEventDestroy(start_);
  (void)cudaEventDestroy(stop_);
}

void CudaEventTimer::start() {
  cuda_check(cudaEventRecord(start_, cudaStream_t{}), "cudaEventRecord(start)");
  started_ = true;
}

double CudaEventTimer::stop_seconds() {
  if (!started_) throw std::logic_error("CudaEventTimer::stop_seconds called before start");
  started_ = false;
  cuda_check(cudaEventRecord(stop_, cudaStream_t{}), "cudaEventRecord(stop)");
  cuda_check(cudaEventSynchronize(stop_), "cudaEventSynchronize(stop)");
  float milliseconds = 0.0f;
  cuda_check(cudaEventElapsedTime(&milliseconds, start_, stop_), "cudaEventElapsedTime");
  return static_cast<double>(milliseconds) * 1e-3;
}

void cuda_synchronize() {
  cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

}  // namespace slim
