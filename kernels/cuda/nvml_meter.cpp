#include "kernels/cuda/nvml_meter.h"

#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace slim {
namespace {

// The few NVML entry points we use, declared from NVML's stable C ABI (the toolkit
// does not ship nvml.h): nvmlReturn_t is an int-sized enum with NVML_SUCCESS == 0, and
// nvmlDevice_t an opaque pointer.
using NvmlReturn = int;
using NvmlDevice = struct NvmlDeviceOpaque*;
constexpr NvmlReturn kNvmlSuccess = 0;

struct NvmlApi {
  NvmlReturn (*init)() = nullptr;                                          // nvmlInit_v2
  NvmlReturn (*shutdown)() = nullptr;                                      // nvmlShutdown
  const char* (*error_string)(NvmlReturn) = nullptr;                       // nvmlErrorString
  NvmlReturn (*device_by_pci_bus_id)(const char*, NvmlDevice*) = nullptr;  // ..._v2
  NvmlReturn (*total_energy_mj)(NvmlDevice, unsigned long long*) = nullptr;
  std::string load_error;  // empty when every pointer above is set
};

template <typename Function>
bool resolve_nvml_symbol(void* library, const char* name, Function& function, std::string& error) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  if (function == nullptr && error.empty()) {
    error = fmt::format("libnvidia-ml.so.1 has no {} (driver too old?)", name);
  }
  return function != nullptr;
}

NvmlApi load_nvml_api() {
  NvmlApi api;
  // Never dlclose'd: unloading a driver library with state of its own is a known source
  // of crashes at exit, and one handle per process costs nothing.
  void* library = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* detail = dlerror();
    api.load_error = fmt::format(
        "cannot load libnvidia-ml.so.1, the NVIDIA driver's NVML library (no driver "
        "installed?): {}",
        detail != nullptr ? detail : "dlopen failed");
    return api;
  }
  std::string& error = api.load_error;
  resolve_nvml_symbol(library, "nvmlInit_v2", api.init, error);
  resolve_nvml_symbol(library, "nvmlShutdown", api.shutdown, error);
  resolve_nvml_symbol(library, "nvmlErrorString", api.error_string, error);
  resolve_nvml_symbol(library, "nvmlDeviceGetHandleByPciBusId_v2", api.device_by_pci_bus_id, error);
  resolve_nvml_symbol(library, "nvmlDeviceGetTotalEnergyConsumption", api.total_energy_mj, error);
  return api;
}

const NvmlApi& nvml_api() {
  static const NvmlApi api = load_nvml_api();
  return api;
}

std::string nvml_error(const NvmlApi& api, std::string_view call, NvmlReturn status) {
  return fmt::format("{} failed: {} (NVML error {})", call, api.error_string(status), status);
}

class NvmlMeter final : public EnergyMeter {
 public:
  NvmlMeter(const NvmlApi& api, NvmlDevice device, unsigned long long start_mj)
      : api_(api), device_(device), start_mj_(start_mj), last_mj_(start_mj) {}
  ~NvmlMeter() override { (void)api_.shutdown(); }  // balances the nvmlInit of opening
  NvmlMeter(const NvmlMeter&) = delete;
  NvmlMeter& operator=(const NvmlMeter&) = delete;

  double joules() override {
    unsigned long long now_mj = 0;
    const NvmlReturn status = api_.total_energy_mj(device_, &now_mj);
    if (status != kNvmlSuccess) {
      throw std::runtime_error(nvml_error(api_, "nvmlDeviceGetTotalEnergyConsumption", status));
    }
    // The counter is 64-bit millijoules since the driver loaded: it does not wrap in
    // practice, and the max only guards the "never decreases" promise.
    last_mj_ = std::max(last_mj_, now_mj);
    return static_cast<double>(last_mj_ - start_mj_) * 1e-3;
  }

  std::string source() const override { return std::string(kNvmlEnergySource); }

 private:
  const NvmlApi& api_;
  NvmlDevice device_;
  unsigned long long start_mj_;
  unsigned long long last_mj_;
};

// NVML numbers GPUs its own way; the PCI bus id names the same board for both.
std::string cuda_pci_bus_id(int cuda_device, std::string& why) {
  std::array<char, 64> bus_id{};
  const cudaError_t status =
      cudaDeviceGetPCIBusId(bus_id.data(), static_cast<int>(bus_id.size()), cuda_device);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();  // expected without a device; keep later checks clean
    why = fmt::format("cannot get the PCI bus id of CUDA device {}: {}: {}", cuda_device,
                      cudaGetErrorName(status), cudaGetErrorString(status));
    return "";
  }
  return bus_id.data();
}

std::unique_ptr<EnergyMeter> open_meter_after_init(const NvmlApi& api, int cuda_device,
                                                   std::string& why) {
  const std::string bus_id = cuda_pci_bus_id(cuda_device, why);
  if (bus_id.empty()) return nullptr;
  NvmlDevice device = nullptr;
  if (const NvmlReturn status = api.device_by_pci_bus_id(bus_id.c_str(), &device);
      status != kNvmlSuccess) {
    why = nvml_error(api, fmt::format("nvmlDeviceGetHandleByPciBusId_v2({})", bus_id), status);
    return nullptr;
  }
  unsigned long long start_mj = 0;
  if (const NvmlReturn status = api.total_energy_mj(device, &start_mj); status != kNvmlSuccess) {
    // NVML_ERROR_NOT_SUPPORTED (3) is the usual answer of GPUs older than Volta and of
    // some virtual or MIG-partitioned GPUs.
    why = nvml_error(api, fmt::format("nvmlDeviceGetTotalEnergyConsumption (GPU {})", bus_id),
                     status);
    return nullptr;
  }
  return std::make_unique<NvmlMeter>(api, device, start_mj);
}

}  // namespace

std::unique_ptr<EnergyMeter> open_nvml_meter(int cuda_device, std::string* why) {
  std::string reason;
  std::unique_ptr<EnergyMeter> meter;
  const NvmlApi& api = nvml_api();
  if (!api.load_error.empty()) {
    reason = api.load_error;
  } else if (const NvmlReturn status = api.init(); status != kNvmlSuccess) {
    reason = nvml_error(api, "nvmlInit_v2", status);
  } else {
    meter = open_meter_after_init(api, cuda_device, reason);
    if (!meter) (void)api.shutdown();
  }
  if (why != nullptr) *why = reason;
  return meter;
}

}  // namespace slim
