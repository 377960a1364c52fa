// Which CUDA devices this process can use, and why there are none when there are none.
//
// Having no GPU is a normal state (CI, laptops), not an error: nothing here throws for
// a missing device or driver. Callers check cuda_device_count() and report the
// reason from cuda_availability() instead of failing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace slim {

// CUDA versions are encoded as 1000 * major + 10 * minor, e.g. 12080 for 12.8.
std::string cuda_version_string(int version);

struct CudaAvailability {
  int device_count = 0;
  int driver_version = 0;   // newest CUDA the installed driver supports; 0: no driver
  int runtime_version = 0;  // the CUDA runtime this program was linked against
  std::string reason;       // why device_count is 0; empty when there are devices
};

// Never throws for "no device" / "no driver"; the reason says which, in words.
CudaAvailability cuda_availability();

// Number of usable devices; 0 when there is no device or no (suitable) driver.
int cuda_device_count();

struct CudaDeviceInfo {
  int index = 0;  // what cudaSetDevice() takes
  std::string name;
  int compute_major = 0;  // compute capability, e.g. 9.0 for H100 / H200
  int compute_minor = 0;
  std::size_t memory_bytes = 0;
  int sm_count = 0;
  int driver_version = 0;
  int runtime_version = 0;
};

// One entry per usable device; empty when cuda_device_count() is 0. Throws CudaError
// only when a device is present but cannot be queried.
std::vector<CudaDeviceInfo> cuda_devices();

// One line, e.g. "0: NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB, 132 SMs, driver 12.8, runtime 13.0".
std::string describe(const CudaDeviceInfo& device);

}  // namespace slim
