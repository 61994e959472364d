// `meshproof explain`: what Istio enforces on one workload — effective mTLS per port and who decided
// it, the applicable policies by action with their rules as lowered (and what Istio drops or widens on
// TCP ports, and why), and the RequestAuthentications in force.
#include <iostream>

#include "analysis/query.h"
#include "commands.h"
#include "common.h"
#include "gateway_commands.h"
#include "report/query.h"

namespace meshproof::cli {

namespace {

struct ExplainFlags {
  InputFlags input;
  std::string workload;
  std::string output = "text";
  std::string gateway;  // --gateway: its listeners, routes and backends (gateway_commands.h)
};

int run_explain(const ExplainFlags& f) {
  if (!f.gateway.empty()) return run_gateway_explain(f.input, f.gateway, f.output);
  if (f.workload.empty()) {
    std::cerr << "meshproof: error: give --workload NAMESPACE/NAME (or --gateway NAMESPACE/NAME)\n";
    return 2;
  }
  if (f.output != "text" && f.output != "json") {
    std::cerr << "meshproof: error: -o must be text or json\n";
    return 2;
  }
  std::unique_ptr<analysis::Analysis> a = run_analysis(f.input, /*keep_going=*/true);
  if (!a) return 2;
  analysis::Explanation e;
  if (auto err = analysis::explain_workload(*a, f.workload, e)) {
    std::cerr << "meshproof: error: " << *err << "\n";
    return 2;
  }
  const SourceSet& sources = a->input->sources;
  bool ok = write_stdout(f.output == "json" ? report::format_explanation_json(e, sources)
                                            : report::format_explanation_text(e, sources));
  return ok ? finish_with_skipped(*a, 0) : 2;
}

}  // namespace

void register_explain(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<ExplainFlags>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Show what Istio enforces on one workload: mTLS per port and the policies as lowered");
  add_input_flags(cmd, f->input);
  auto* workload = cmd->add_option("--workload", f->workload,
                                   "NAMESPACE/NAME, or NAMESPACE/key=value,... for a workload known by labels");
  cmd->add_option("--gateway", f->gateway,
                  "A Gateway (NAMESPACE/NAME; Istio or Gateway API): its listeners, routes and backends")
      ->excludes(workload);
  cmd->add_option("-o,--output", f->output, "Output format: text or json")->default_val("text");
  cmd->footer(
      "Examples:\n"
      "  meshproof explain manifests/ --workload bank/banking-api\n"
      "  meshproof explain manifests/ --workload shop/app=cart -o json\n"
      "Exit code 0; 2 when the input or the workload is bad. See docs/query.md.");
  cmd->callback([f, &exit_code] { exit_code = run_explain(*f); });
}

}  // namespace meshproof::cli
