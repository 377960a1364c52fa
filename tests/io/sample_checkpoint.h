// A small checkpoint that exercises every feature of the safetensors code: F32 tensors of
// ranks 0 to 4 (one of them empty), raw I8/U8/I32/I64 tensors and metadata. Shared by the
// round-trip tests and by write_safetensors_sample, which feeds the Python interop check.
#pragma once

#include "core/io/safetensors.h"

namespace slim::test {

SafetensorsFile sample_checkpoint();

}  // namespace slim::test
