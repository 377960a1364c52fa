// The GPU side of the `cuda` backend (registered in kernels/backend_table.cpp): FP32
// models through the shared graph executor, every GEMM on cuBLAS in FP32 (no TF32).
//
// The graph executor and its operators run on the host and pass their GEMM host
// pointers, so each GEMM copies its activation operand to the GPU and its product back
// (blocking copies): measured latency includes these per-layer host <-> device copies,
// which for small models cost more than the arithmetic. Weights are uploaded once per
// plan and then reused, through the plan's DeviceOperandCache (device_operand_cache.h
// explains why it compares bytes rather than trusting pointers).
//
// These pieces live in slim_cuda and do not depend on slim_kernels, so slim_kernels can
// link slim_cuda without a cycle; backend_table.cpp composes them with lower_graph:
//   with_device_operand_cache(lower_graph(model, "cuda", gemm_cuda_fp32_host_operands))
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "kernels/backend.h"

namespace slim {

// A GemmFunction (gemm_function.h) on host pointers. Inside a plan made by
// with_device_operand_cache it goes through that plan's cache; called on its own it
// copies all three operands every time. Throws CudaError when the GPU work fails.
void gemm_cuda_fp32_host_operands(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                                  float* c);

// Wraps a plan lowered with gemm_cuda_fp32_host_operands: the wrapper owns a
// DeviceOperandCache that the plan's GEMMs use while it runs, so device copies live and
// die with the plan. Touches no CUDA API until the first run.
std::unique_ptr<Executable> with_device_operand_cache(std::unique_ptr<Executable> plan);

// Empty when a CUDA device is usable; otherwise why not (cuda_availability().reason).
std::string cuda_backend_unavailable_reason();

// What runs, for result records: "cuBLAS FP32 (pedantic) on 0: NVIDIA H100 ..., sm_90,
// ...", or the reason there is no device.
std::string cuda_backend_variant();

}  // namespace slim
