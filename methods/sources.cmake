# slim_methods: the compression plugins and their registry.
add_library(slim_methods STATIC
  ${CMAKE_CURRENT_LIST_DIR}/param_schema.cpp
  ${CMAKE_CURRENT_LIST_DIR}/registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/baseline/fp32.cpp
  ${CMAKE_CURRENT_LIST_DIR}/baseline/finetune.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/affine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/packed_codes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quantization/weight_only.cpp
)
target_link_libraries(slim_methods PUBLIC slim_core slim_train slim_datasets)
