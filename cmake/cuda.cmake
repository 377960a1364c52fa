# (filled in by the CUDA work) Sets SLIMBENCH_HAVE_CUDA.
set(SLIMBENCH_HAVE_CUDA OFF)
