// The decision signature of a program (ir/program_signature.h), under the name lib/diff and lib/map use.
#pragma once

#include "ir/program_signature.h"

namespace meshproof::diff {

using ir::decision_signature;

}  // namespace meshproof::diff
