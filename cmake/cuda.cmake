# Decides whether the CUDA backend is built, from the SLIMBENCH_CUDA cache option:
#   AUTO  build it when a working nvcc is found (PATH, $CUDACXX, $CUDA_PATH, $CUDA_HOME,
#         /usr/local/cuda/bin); otherwise quietly skip it
#   ON    build it; configuring fails when nvcc is missing or broken
#   OFF   never build it
#
# Sets, for the rest of the tree:
#   SLIMBENCH_HAVE_CUDA    ON/OFF: kernels/cuda and tests/cuda are built
#   SLIMBENCH_HAVE_CUBLAS  ON/OFF: the CUDA::cublas target exists (not linked yet)
#   SLIMBENCH_HAVE_NVML    ON/OFF: the CUDA::nvml target exists (optional; the driver
#                          package, not the toolkit, ships libnvidia-ml)
#   SLIMBENCH_CUDA_REASON  why the backend is on or off, in words
#
# Configuring and compiling need no GPU: a machine without one (CI) builds everything
# and the GPU tests report themselves as skipped at run time.
#
# This file is included, not add_subdirectory'd, because enable_language() and the
# imported CUDA:: targets must live in the top-level directory scope to be visible
# to every subdirectory.

include(CheckLanguage)

set(SLIMBENCH_HAVE_CUDA OFF)
set(SLIMBENCH_HAVE_CUBLAS OFF)
set(SLIMBENCH_HAVE_NVML OFF)

string(TOUPPER "${SLIMBENCH_CUDA}" _slim_cuda_mode)
if(NOT _slim_cuda_mode MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "SLIMBENCH_CUDA must be AUTO, ON or OFF (got '${SLIMBENCH_CUDA}')")
endif()

# Stops configuring when the user asked for CUDA (ON); in AUTO mode only records why
# CUDA is off. A macro, so that it sets SLIMBENCH_CUDA_REASON in the caller's scope.
macro(_slim_cuda_unavailable reason)
  set(SLIMBENCH_CUDA_REASON "${reason}")
  if(_slim_cuda_mode STREQUAL "ON")
    message(FATAL_ERROR
      "SLIMBENCH_CUDA=ON but the CUDA backend cannot be built: ${reason}.\n"
      "Install the CUDA toolkit (nvcc), put it on PATH or pass "
      "-DCMAKE_CUDA_COMPILER=/path/to/nvcc, or configure with -DSLIMBENCH_CUDA=AUTO|OFF.")
  endif()
endmacro()

if(_slim_cuda_mode STREQUAL "OFF")
  set(SLIMBENCH_CUDA_REASON "SLIMBENCH_CUDA=OFF")
else()
  # A failed earlier check leaves CMAKE_CUDA_COMPILER=NOTFOUND in the cache, which makes
  # check_language() skip the test for good; forget it so that installing nvcc later
  # is picked up by simply re-running cmake.
  if(DEFINED CMAKE_CUDA_COMPILER AND NOT CMAKE_CUDA_COMPILER)
    unset(CMAKE_CUDA_COMPILER CACHE)
  endif()

  # check_language() only searches PATH and $CUDACXX, but the toolkit's installer puts
  # nvcc in /usr/local/cuda/bin, which often is not on PATH. Hand what we find to the
  # check through $CUDACXX rather than CMAKE_CUDA_COMPILER: the latter would make
  # check_language() skip its test that nvcc can really compile and link.
  if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
    find_program(SLIMBENCH_NVCC nvcc
      HINTS ENV CUDA_PATH ENV CUDA_HOME
      PATH_SUFFIXES bin
      PATHS /usr/local/cuda/bin
      DOC "nvcc used for the CUDA backend")
    mark_as_advanced(SLIMBENCH_NVCC)
    if(SLIMBENCH_NVCC)
      set(ENV{CUDACXX} "${SLIMBENCH_NVCC}")
    else()
      unset(SLIMBENCH_NVCC CACHE)  # so a later install is found on the next configure
    endif()
  endif()

  if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
    _slim_cuda_unavailable("nvcc not found (looked on PATH, $CUDA_PATH, $CUDA_HOME, /usr/local/cuda/bin)")
  else()
    # Every listed architecture is one more device compile of every .cu file, so build
    # few: sm_80 machine code (also runs on sm_86/sm_89 cards such as A10, L4,
    # RTX 30xx/40xx), sm_90 machine code (H100/H200) and compute_90 PTX that the driver
    # compiles just in time for newer GPUs. Override with -DCMAKE_CUDA_ARCHITECTURES=...
    # (e.g. "native" on the GPU machine, to build only for the card present).
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "80-real;90" CACHE STRING "GPU architectures for the CUDA backend")
    endif()
    check_language(CUDA)
    if(NOT CMAKE_CUDA_COMPILER)
      _slim_cuda_unavailable(
        "nvcc ($ENV{CUDACXX}) could not compile a test program; see CMakeFiles/CMakeError.log")
    endif()
  endif()

  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    # .cu files share headers with the C++20 host code, and CUDA targets inherit
    # CXX_STANDARD (20). nvcc compiles C++20 since CUDA 12 (checked below); CMake learned
    # its flag in 3.25.2; before that, generating fails with "requires the language
    # dialect CUDA20". Supply the flag that newer CMake uses.
    if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    set(CMAKE_CUDA_EXTENSIONS OFF)
    # One CUDA runtime per process: the shared libcudart that CUDA::cudart (and later
    # CUDA::cublas) link. CMake's default would also put the static one on the link line
    # of every target that links a library with .cu files.
    set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
    # The toolkit next to the nvcc we compile with, so headers and libraries agree.
    find_package(CUDAToolkit)
    if(CMAKE_CUDA_COMPILER_VERSION VERSION_LESS 12.0)
      _slim_cuda_unavailable(
        "nvcc ${CMAKE_CUDA_COMPILER_VERSION} is too old; C++20 in .cu files needs CUDA 12 or newer")
    elseif(NOT CUDAToolkit_FOUND OR NOT TARGET CUDA::cudart)
      _slim_cuda_unavailable("nvcc works but the CUDA runtime library (cudart) was not found")
    else()
      set(SLIMBENCH_HAVE_CUDA ON)
      set(SLIMBENCH_CUDA_REASON
        "nvcc ${CMAKE_CUDA_COMPILER_VERSION} at ${CMAKE_CUDA_COMPILER}, architectures ${CMAKE_CUDA_ARCHITECTURES}")
      if(TARGET CUDA::cublas)
        set(SLIMBENCH_HAVE_CUBLAS ON)
      endif()
      if(TARGET CUDA::nvml)
        set(SLIMBENCH_HAVE_NVML ON)
      endif()
    endif()
  endif()
endif()

if(SLIMBENCH_HAVE_CUDA)
  message(STATUS "slimbench: CUDA backend ON (${SLIMBENCH_CUDA_REASON}; "
                 "cuBLAS ${SLIMBENCH_HAVE_CUBLAS}, NVML ${SLIMBENCH_HAVE_NVML})")
else()
  message(STATUS "slimbench: CUDA backend OFF (${SLIMBENCH_CUDA_REASON})")
endif()
