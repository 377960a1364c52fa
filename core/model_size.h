// Stored size of a model as deployed: the one place sizes are computed.
//
// A parameter with a ParameterStorage (int8 codes, packed int4, sparse) counts that
// storage's bytes; any other parameter, and every buffer (BatchNorm running statistics,
// which an unfolded model ships), counts 4 bytes per FP32 value.
//
// A parameter with a pruning mask stores only its kept elements, in the cheapest sparse
// format for its mask (core/storage/sparse_encoding.h): at 32 bits per value when it is
// FP32, or at its storage's code width plus the storage's scales and zero points when the
// storage reports one (ParameterStorage::value_bits). The mask alone decides what is
// kept: a parameter without one is counted dense, whatever zeros it happens to hold, and
// a masked parameter must hold exactly 0 wherever its mask is 0 (std::logic_error if not).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/model.h"

namespace slim {

int64_t stored_bytes(Model& model);
// The same model with every parameter stored as plain FP32: the denominator of a
// compression ratio.
int64_t fp32_bytes(Model& model);

// What stored_bytes() counts, for records: {"parameters": [{"name", "numel", "nonzeros",
// "format", "bytes", "value_bits", ...}], "buffer_bytes", "total_bytes"}, where
// total_bytes == stored_bytes(model). Masked parameters add "values" (the value encoding),
// "metadata_bytes" and, for relative_index, "index_bits".
nlohmann::json describe_stored_sizes(Model& model);

}  // namespace slim
