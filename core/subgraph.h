// Subgraphs: the part of a Model that computes one node from another node's output.
//
// slice_model(model, from, to) keeps the nodes after `from` that `to` depends on (and
// `to` itself), in the model's order, and re-roots them so that the activation of `from`
// becomes the new model's input. `from` may be "input", which slices a prefix (a stem).
// Composing slice(input, cut) with slice(cut, output) gives the model's output exactly,
// since every node runs the same layer on the same values.
//
// This is what input-dependent execution needs: run a stem, decide, and only then run
// the rest. A cut is only valid where the activation of `from` is all that later nodes
// need: a residual skip that jumps over the cut is refused, naming the node that reads
// across it.
#pragma once

#include <string_view>

#include "core/model.h"

namespace slim {

// The sub-model computing `to` from the output of `from` (a node name or "input"). Its
// sample shape is `from`'s output shape without the batch; its architecture is
// "<architecture>[<from>:<to>]", and it keeps the parent's num_classes. Throws UserError
// when a name is unknown, when `to` does not come after `from`, or when a kept node reads
// a node (or the model input) before the cut other than `from` itself.
Model slice_model(const Model& model, std::string_view from, std::string_view to);

}  // namespace slim
