// Merging the per-file ResourceSets of a parallel load into one, in input order. A header of its own so that
// model/resources.h (which nearly every file includes) stays as it is.
#pragma once

#include <vector>

#include "model/resources.h"

namespace meshproof::model {

// Appends every set of `parts`, in order, to `into`: the same result as calling into.merge(std::move(*p)) for
// each, but each object list is reserved once for all parts, so every object is moved exactly once (merging
// file by file grows the lists geometrically and moves, and page-faults, the large ones again on each growth).
// The parts are left empty.
void merge_in_order(ResourceSet& into, const std::vector<ResourceSet*>& parts);

}  // namespace meshproof::model
