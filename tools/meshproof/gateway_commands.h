// `query --gateway` and `explain --gateway` (docs/query.md#gateway): kept apart from cmd_query.cpp and
// cmd_explain.cpp, which only hand over to these when --gateway is given.
#pragma once

#include <string>

#include "analysis/gateway_trace.h"
#include "common.h"

namespace meshproof::cli {

int run_gateway_query(const InputFlags& input, const analysis::GatewayTraceSpec& spec, const std::string& output);
int run_gateway_explain(const InputFlags& input, const std::string& gateway, const std::string& output);

}  // namespace meshproof::cli
