// Renderings of `meshproof compile` and `meshproof verify-envoy` (docs/compile.md): one line per table or
// filter chain with its proof status, the first difference or unknown reason, and a closing line.
#pragma once

#include <string>

#include "compile/compile.h"
#include "compile/verify.h"

namespace meshproof::report {

std::string format_compile_result(const compile::CompileResult& result);
// The closing line once the tables were written to `out`.
std::string format_compile_written(const compile::CompileResult& result, const std::string& out);

std::string format_dump_verification(const compile::DumpVerification& v, const std::string& workload);

}  // namespace meshproof::report
