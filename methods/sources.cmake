# slim_methods: the compression plugins and their registry.
add_library(slim_methods STATIC
  ${CMAKE_CURRENT_LIST_DIR}/param_schema.cpp
  ${CMAKE_CURRENT_LIST_DIR}/registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/baseline/fp32.cpp
  ${CMAKE_CURRENT_LIST_DIR}/baseline/finetune.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/weight_only.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/bn_folding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/activation_calibration.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/quantized_graph.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/quant_params.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/static_ptq.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/dynamic_ptq.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/sensitivity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/calibrator_comparison.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/calibration/histogram.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/calibration/kl_threshold.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/calibration/percentile_threshold.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/calibration/mse_threshold.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/calibration/calibrator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/weight_quantizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/qat/lsq.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/qat/fake_quantize.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/qat/weight_fake_quant.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/qat/qat_gemm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/qat/qat_graph.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/qat/qat.cpp
)
target_link_libraries(slim_methods PUBLIC slim_core slim_train slim_datasets)
