// `query --gateway` and `explain --gateway`: one analysis run, the library's trace or explanation, one
// renderer (report/gateway_trace.h). Exit 0 whatever the decision; 2 for bad input or flags.
#include "gateway_commands.h"

#include <iostream>

#include "report/gateway_trace.h"

namespace meshproof::cli {

int run_gateway_query(const InputFlags& input, const analysis::GatewayTraceSpec& spec, const std::string& output) {
  if (output != "text" && output != "json") {
    std::cerr << "meshproof: error: -o must be text or json\n";
    return 2;
  }
  if (spec.host.empty()) {
    std::cerr << "meshproof: error: --gateway needs --host (the request's Host header and SNI)\n";
    return 2;
  }
  std::unique_ptr<analysis::Analysis> a = run_analysis(input, /*keep_going=*/true);
  if (!a) return 2;
  analysis::GatewayTrace trace;
  if (auto err = analysis::trace_gateway(*a, spec, trace)) {
    std::cerr << "meshproof: error: " << *err << "\n";
    return 2;
  }
  const SourceSet& sources = a->input->sources;
  bool ok = write_stdout(output == "json" ? report::format_gateway_trace_json(trace, sources)
                                          : report::format_gateway_trace_text(trace, sources));
  return ok ? finish_with_skipped(*a, 0) : 2;
}

int run_gateway_explain(const InputFlags& input, const std::string& gateway, const std::string& output) {
  if (output != "text" && output != "json") {
    std::cerr << "meshproof: error: -o must be text or json\n";
    return 2;
  }
  std::unique_ptr<analysis::Analysis> a = run_analysis(input, /*keep_going=*/true);
  if (!a) return 2;
  analysis::GatewayExplanation e;
  if (auto err = analysis::explain_gateway(*a, gateway, e)) {
    std::cerr << "meshproof: error: " << *err << "\n";
    return 2;
  }
  bool ok = write_stdout(output == "json" ? report::format_gateway_explanation_json(e)
                                          : report::format_gateway_explanation_text(e));
  return ok ? finish_with_skipped(*a, 0) : 2;
}

}  // namespace meshproof::cli
