// `meshproof query`: the decision for one concrete request to one workload and port, with the deciding
// policy and rule (concrete evaluator, DESIGN.md §5). Exit 0 whatever the decision; 2 for bad input.
#include <iostream>

#include "analysis/query.h"
#include "commands.h"
#include "common.h"
#include "gateway_commands.h"
#include "report/query.h"

namespace meshproof::cli {

namespace {

struct QueryFlags {
  InputFlags input;
  analysis::QuerySpec spec;
  std::string output = "text";
  std::string gateway;  // --gateway: trace from the edge instead (gateway_commands.h)
};

int run_query(const QueryFlags& f) {
  if (!f.gateway.empty()) {
    analysis::GatewayTraceSpec g{f.gateway,   f.spec.request.host,   f.spec.request.path, f.spec.request.method,
                                 f.spec.port, f.spec.request.headers};
    if (g.path.empty()) g.path = "/";
    if (g.method.empty()) g.method = "GET";
    return run_gateway_query(f.input, g, f.output);
  }
  if (f.spec.to.empty()) {
    std::cerr << "meshproof: error: give --to NAMESPACE/NAME (or --gateway NAMESPACE/NAME to trace from the edge)\n";
    return 2;
  }
  if (f.output != "text" && f.output != "json") {
    std::cerr << "meshproof: error: -o must be text or json\n";
    return 2;
  }
  // Flag values that need no input are checked before it is read.
  ir::Request probe;
  if (auto err = analysis::build_query_request(f.spec, probe)) {
    std::cerr << "meshproof: error: " << *err << "\n";
    return 2;
  }
  std::unique_ptr<analysis::Analysis> a = run_analysis(f.input, /*keep_going=*/true);
  if (!a) return 2;
  analysis::QueryAnswer answer;
  if (auto err = analysis::answer_query(*a, f.spec, answer)) {
    std::cerr << "meshproof: error: " << *err << "\n";
    return 2;
  }
  const SourceSet& sources = a->input->sources;
  bool ok = write_stdout(f.output == "json" ? report::format_query_json(answer, sources)
                                            : report::format_query_text(answer, sources));
  if (!ok) return 2;
  // A destination Linkerd serves was decided on Linkerd's policy (analysis/linkerd_query.h): the input's lack of
  // Istio policy does not make this answer "nothing analyzed"; skipped files still give 2.
  if (answer.enforced_by == "Linkerd proxy" && a->input->skipped.empty()) return 0;
  return finish_with_skipped(*a, 0);
}

}  // namespace

void register_query(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "query", "Decide one concrete request to one workload: ALLOW, DENY, DELEGATED or REJECTED, and why");
  add_input_flags(cmd, f->input);
  auto* to = cmd->add_option("--to", f->spec.to,
                             "Destination workload: NAMESPACE/NAME, or NAMESPACE/key=value,... for a workload known by "
                             "labels");
  cmd->add_option("--gateway", f->gateway,
                  "Trace a request from outside through this Gateway (NAMESPACE/NAME; Istio or Gateway API) with "
                  "--host, --path, --method and --port: listener, route, hop TLS and each decision")
      ->excludes(to);
  cmd->add_option("--port", f->spec.port, "Workload (container/target) port (default: its first HTTP port)")
      ->check(CLI::Range(1, 65535));
  auto* principal = cmd->add_option("--principal", f->spec.request.principal,
                                    "Caller's mesh identity TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT (mTLS)");
  auto* plain =
      cmd->add_flag("--plaintext", f->spec.plaintext, "Plaintext connection without a peer identity (the default)");
  principal->excludes(plain);
  cmd->add_option("--from", f->spec.from,
                  "Client workload NAMESPACE/NAME: its identity, and whether it passes a waypoint (ambient)")
      ->excludes(principal)
      ->excludes(plain);
  cmd->add_option("--caller", f->spec.caller,
                  "Without --from: the caller's data plane, ambient (the default for mTLS), sidecar, ingress or none")
      ->excludes("--from");
  cmd->add_flag("--pod-ip", f->spec.pod_ip,
                "The caller dials the pod IP, not the Service (ambient: no Service waypoint)");
  cmd->add_option("--source-ip", f->spec.request.source_ip, "Connection source address (ipBlocks, source.ip)");
  cmd->add_option("--remote-ip", f->spec.request.remote_ip,
                  "Original client address (remoteIpBlocks; default: --source-ip)");
  cmd->add_option("--destination-ip", f->spec.request.destination_ip, "Destination address (destination.ip)");
  cmd->add_option("--sni", f->spec.request.sni, "TLS server name (connection.sni)");
  cmd->add_option("--method", f->spec.request.method, "HTTP method (default: GET)");
  cmd->add_option("--path", f->spec.request.path, "HTTP path (default: /); a query string is ignored");
  cmd->add_option("--host", f->spec.request.host, "HTTP authority (default: the Service's cluster-local name)");
  cmd->add_option("--header", f->spec.request.headers, "Request header NAME=VALUE (repeatable)");
  cmd->add_option("--request-principal", f->spec.request.request_principal,
                  "A valid JWT with issuer and subject ISSUER/SUBJECT");
  cmd->add_flag("--invalid-token", f->spec.request.invalid_token, "A JWT that fails verification");
  cmd->add_option("--claim", f->spec.request.claims, "JWT claim CLAIM=VALUE; nested claims as a.b; repeat for lists");
  cmd->add_option("--audience", f->spec.request.audiences, "JWT audience (repeatable)");
  cmd->add_option("--presenter", f->spec.request.presenters, "JWT authorized presenter azp (repeatable)");
  cmd->add_option("--protocol", f->spec.protocol, "On a sniffed port: evaluate as http (default) or tcp");
  cmd->add_option("-o,--output", f->output, "Output format: text or json")->default_val("text");
  cmd->footer(
      "Examples:\n"
      "  meshproof query manifests/ --to bank/banking-api --principal cluster.local/ns/web/sa/frontend \\\n"
      "      --path /accounts --request-principal https://idp.example.com/alice --claim role=teller\n"
      "  meshproof query manifests/ --to shop/app=cart --port 9000 --plaintext -o json\n"
      "Exit code 0 whatever the decision; 2 when the input or a flag value is bad. See docs/query.md.");
  cmd->callback([f, &exit_code] { exit_code = run_query(*f); });
}

}  // namespace meshproof::cli
