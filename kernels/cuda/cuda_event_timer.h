// CudaEventTimer: GPU time of the work enqueued between start() and stop(), measured
// with CUDA events on the legacy default stream (RAII over two cudaEvent_t).
//
// Events are timestamped by the GPU when it reaches them, so the figure is the GPU's
// time for that work, without the host's launch overhead before it or any wait after
// it; their resolution is about half a microsecond.
#pragma once

struct CUevent_st;  // CUDA's opaque event type: cudaEvent_t is CUevent_st*

namespace slim {

class CudaEventTimer {
 public:
  CudaEventTimer();  // creates the two events; throws CudaError without a device
  ~CudaEventTimer();
  CudaEventTimer(const CudaEventTimer&) = delete;
  CudaEventTimer& operator=(const CudaEventTimer&) = delete;

  // Enqueues the start event behind the work already on the default stream.
  void start();
  // Enqueues the stop event, waits for the GPU to reach it and returns the seconds
  // between the two events. Throws std::logic_error when start() was not called.
  double stop_seconds();

 private:
  CUevent_st* start_ = nullptr;
  CUevent_st* stop_ = nullptr;
  bool started_ = false;
};

// Waits until the GPU has finished everything enqueued so far (cudaDeviceSynchronize),
// reporting an earlier asynchronous failure as CudaError.
void cuda_synchronize();

}  // namespace slim
