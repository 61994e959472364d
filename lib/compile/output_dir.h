// compile's output directory (docs/compile.md).
#pragma once

#include <string>

#include "compile/compile.h"

namespace meshproof::compile {

// Writes every table and manifest.json into a fresh sibling directory, then renames it to `out`. An existing
// `out` is replaced only when it is a previous meshproof output (it holds manifest.json) or empty. Returns
// false with `error` set (nothing is left behind) on failure.
bool write_output_dir(const std::string& out, const CompileResult& result, OutputFormat format, std::string& error);

}  // namespace meshproof::compile
