#include "harness/measure/environment.h"

#include <cblas.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include <Eigen/Core>
#include <array>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string_view>
#include <thread>

#include "core/gemm.h"
#include "harness/measure/git_state.h"

#ifdef SLIMBENCH_HAVE_CUDA
#include "kernels/cuda/cuda_device.h"
#endif

namespace slim {
namespace {

using nlohmann::json;

// Variables that change how many threads run, where, and which kernels OpenBLAS uses.
constexpr std::array<std::string_view, 7> kRecordedVariables = {
    "OMP_NUM_THREADS", "OMP_PROC_BIND",     "OMP_PLACES",          "OMP_WAIT_POLICY",
    "GOMP_SPINCOUNT",  "OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS"};

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text.data();
}

json compiler_json() {
#if defined(__clang__)
  const char* id = "clang";
#elif defined(__GNUC__)
  const char* id = "gcc";
#else
  const char* id = "unknown";
#endif
  return {{"id", id},
          {"version", __VERSION__},
          {"cxx_flags", SLIMBENCH_CXX_FLAGS},
          {"build_type", SLIMBENCH_BUILD_TYPE}};
}

// CPUs this process may run on; smaller than logical_cpus under taskset or a cgroup.
int affinity_cpu_count() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return 0;
  return CPU_COUNT(&allowed);
}

json cpu_json() {
  return {{"model", cpu_model_name()},
          {"logical_cpus", std::thread::hardware_concurrency()},
          {"affinity_cpus", affinity_cpu_count()},
          {"isa_flags", cpu_isa_flags()}};
}

json os_json() {
  utsname names{};
  if (uname(&names) != 0) return {{"sysname", "unknown"}};
  return {{"sysname", names.sysname},
          {"release", names.release},
          {"version", names.version},
          {"machine", names.machine}};
}

std::string host_name() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "unknown";
  return name.data();
}

json environment_variables_json() {
  json variables = json::object();
  for (std::string_view name : kRecordedVariables) {
    const char* value = std::getenv(std::string(name).c_str());
    variables[std::string(name)] = value ? json(value) : json(nullptr);
  }
  return variables;
}

json openblas_json() {
  const std::string core = openblas_core_name();
  const char* config = openblas_get_config();
  const std::string forced = openblas_forced_core();
  json out = {{"corename", core},
              {"fallback", openblas_core_is_fallback(core)},
              {"forced_by_environment", forced.empty() ? json(nullptr) : json(forced)},
              {"config", config ? config : "unknown"}};
  if (openblas_core_is_fallback(core)) {
    out["warning"] = fmt::format(
        "OpenBLAS uses the generic '{}' core, whose SGEMM is about 7x slower; FP32 timings "
        "from this machine are not representative (a newer OpenBLAS, or OPENBLAS_CORETYPE "
        "set to this CPU's family, fixes it)",
        core);
  }
  return out;
}

json libraries_json() {
  return {
      {"eigen",
       fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                    NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
      {"fmt",
       fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      // Compile-time and run-time versions can differ when the shared library is updated.
      {"zlib", {{"built_with", ZLIB_VERSION}, {"runtime", zlibVersion()}}},
      {"openssl", OpenSSL_version(OPENSSL_VERSION)},
  };
}

#ifdef SLIMBENCH_HAVE_CUDA
json cuda_device_json(const CudaDeviceInfo& device) {
  return {{"index", device.index},
          {"name", device.name},
          {"compute_capability", fmt::format("{}.{}", device.compute_major, device.compute_minor)},
          {"memory_bytes", device.memory_bytes},
          {"sm_count", device.sm_count},
          {"description", describe(device)}};
}

json cuda_json() {
  json out = {{"built", true}};
  try {
    const CudaAvailability availability = cuda_availability();
    out["driver_version"] = cuda_version_string(availability.driver_version);
    out["runtime_version"] = cuda_version_string(availability.runtime_version);
    out["device_count"] = availability.device_count;
    if (availability.device_count == 0) {
      out["reason"] = availability.reason;
      return out;
    }
    json devices = json::array();
    for (const CudaDeviceInfo& device : cuda_devices()) devices.push_back(cuda_device_json(device));
    out["devices"] = devices;
  } catch (const std::exception& error) {
    out["error"] = error.what();  // a device is present but cannot be queried
  }
  return out;
}
#else
json cuda_json() {
  return {{"built", false}};
}
#endif

json datasets_json(const std::vector<DatasetFile>& files) {
  json out = json::array();
  for (const DatasetFile& file : files) {
    out.push_back({{"role", file.role}, {"path", file.path}, {"sha256", file.sha256}});
  }
  return out;
}

}  // namespace

json collect_environment(const EnvironmentOptions& options) {
  return {
      {"slimbench_version", SLIMBENCH_VERSION},
      {"collected_at", utc_timestamp()},
      {"git", git_state(SLIMBENCH_SOURCE_DIR)},
      {"compiler", compiler_json()},
      {"cpu", cpu_json()},
      {"os", os_json()},
      {"hostname", host_name()},
      {"threads", {{"requested", options.threads}, {"pool", num_threads()}}},
      {"env", environment_variables_json()},
      {"openblas", openblas_json()},
      {"libraries", libraries_json()},
      {"cuda", cuda_json()},
      {"datasets", datasets_json(options.dataset_files)},
  };
}

}  // namespace slim
