# slim_harness: sweeps, jobs, the runner, run directories and merge. Measurement
# (measure/) and reporting (report/) are libraries of their own below it.
add_library(slim_harness STATIC
  ${CMAKE_CURRENT_LIST_DIR}/backend_choice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/baseline_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/early_exit_curve.cpp
  ${CMAKE_CURRENT_LIST_DIR}/early_exit_runner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/grid_expansion.cpp
  ${CMAKE_CURRENT_LIST_DIR}/job.cpp
  ${CMAKE_CURRENT_LIST_DIR}/job_runner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/merge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metric_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_directory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/step_prefix_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sweep.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sweep_progress.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sweep_runner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/work_counts.cpp
)
target_link_libraries(slim_harness
  PUBLIC slim_methods slim_kernels slim_measure slim_report slim_models slim_datasets slim_train
         slim_io)
