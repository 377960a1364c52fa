#include "kernels/cuda/cuda_device.h"

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <cstdlib>

#include "kernels/cuda/cuda_check.h"

namespace slim {
namespace {

int driver_version() {
  int version = 0;
  // Reports 0 (and succeeds) when no driver is installed, which is what we want to show.
  if (cudaDriverGetVersion(&version) != cudaSuccess) return 0;
  return version;
}

int runtime_version() {
  int version = 0;
  if (cudaRuntimeGetVersion(&version) != cudaSuccess) return 0;
  return version;
}

std::string visible_devices_hint() {
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  if (visible == nullptr) return "";
  return fmt::format(" (CUDA_VISIBLE_DEVICES=\"{}\")", visible);
}

// Turns cudaGetDeviceCount's failure into advice; the codes below are the usual ways a
// machine without a working GPU answers, the rest fall through to the runtime's words.
std::string no_device_reason(cudaError_t status, const CudaAvailability& versions) {
  const std::string runtime = cuda_version_string(versions.runtime_version);
  switch (status) {
    case cudaErrorNoDevice:
      return "the NVIDIA driver reports no CUDA-capable device" + visible_devices_hint();
    case cudaErrorInsufficientDriver:
      if (versions.driver_version == 0) {
        return "no NVIDIA driver is installed (libcuda.so.1 not found); CUDA runtime " + runtime;
      }
      return fmt::format("the NVIDIA driver supports CUDA {} but this program needs CUDA {}",
                         cuda_version_string(versions.driver_version), runtime);
    case cudaErrorStubLibrary:
      return "only the toolkit's stub libcuda.so was found, not the real NVIDIA driver";
    case cudaErrorSystemDriverMismatch:
      return "the NVIDIA kernel module and user-space driver versions differ (reboot?)";
    case cudaErrorDevicesUnavailable:
      return "all CUDA devices are busy or in exclusive/prohibited compute mode";
    default:
      return fmt::format("cudaGetDeviceCount failed: {}: {}", cudaGetErrorName(status),
                         cudaGetErrorString(status));
  }
}

CudaDeviceInfo query_device(int index, const CudaAvailability& availability) {
  cudaDeviceProp props{};
  cuda_check(cudaGetDeviceProperties(&props, index),
             fmt::format("cudaGetDeviceProperties(device {})", index));
  CudaDeviceInfo info;
  info.index = index;
  info.name = props.name;
  info.compute_major = props.major;
  info.compute_minor = props.minor;
  info.memory_bytes = props.totalGlobalMem;
  info.sm_count = props.multiProcessorCount;
  info.driver_version = availability.driver_version;
  info.runtime_version = availability.runtime_version;
  return info;
}

}  // namespace

std::string cuda_version_string(int version) {
  if (version <= 0) return "none";
  return fmt::format("{}.{}", version / 1000, (version % 1000) / 10);
}

CudaAvailability cuda_availability() {
  CudaAvailability availability;
  availability.driver_version = driver_version();
  availability.runtime_version = runtime_version();
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();  // expected here; keep it out of later error checks
    availability.reason = no_device_reason(status, availability);
    return availability;
  }
  availability.device_count = count;
  if (count == 0) availability.reason = "no CUDA device is visible" + visible_devices_hint();
  return availability;
}

int cuda_device_count() {
  return cuda_availability().device_count;
}

std::vector<CudaDeviceInfo> cuda_devices() {
  const CudaAvailability availability = cuda_availability();
  std::vector<CudaDeviceInfo> devices;
  devices.reserve(static_cast<std::size_t>(availability.device_count));
  for (int index = 0; index < availability.device_count; ++index) {
    devices.push_back(query_device(index, availability));
  }
  return devices;
}

std::string describe(const CudaDeviceInfo& device) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  return fmt::format("{}: {}, sm_{}{}, {:.1f} GiB, {} SMs, driver {}, runtime {}", device.index,
                     device.name, device.compute_major, device.compute_minor,
                     static_cast<double>(device.memory_bytes) / kGiB, device.sm_count,
                     cuda_version_string(device.driver_version),
                     cuda_version_string(device.runtime_version));
}

}  // namespace slim
