// Renderings of `meshproof query --gateway` and `meshproof explain --gateway` (docs/query.md#gateway): text
// for people, JSON for scripts; they read only what analysis/gateway_trace.h computed.
#pragma once

#include <string>

#include "analysis/gateway_trace.h"
#include "base/location.h"

namespace meshproof::report {

std::string format_gateway_trace_text(const analysis::GatewayTrace& trace, const SourceSet& sources);
std::string format_gateway_trace_json(const analysis::GatewayTrace& trace, const SourceSet& sources);
std::string format_gateway_explanation_text(const analysis::GatewayExplanation& e);
std::string format_gateway_explanation_json(const analysis::GatewayExplanation& e);

}  // namespace meshproof::report
