// `meshproof query`: the decision for one concrete request to one workload and port, with the deciding
// policy and rule (concrete evaluator, DESIGN.md §5). Exit 0 whatever the decision; 2 for bad input.
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "engine/evaluate.h"
#include "ir/lower.h"
#include "ir/request_text.h"
#include "ir/target.h"

namespace meshproof::cli {

namespace {

struct QueryFlags {
  InputFlags input;
  std::string to;
  uint32_t port = 0;
  bool plaintext = false;
  std::string protocol;  // for sniffed ports: "http" (default) or "tcp"
  std::string output = "text";
  ir::RequestFlags request;
};

std::string port_protocol_name(const ir::PortPrograms& pp) {
  if (pp.sniffed) return "SNIFFED";
  return pp.views.empty() ? "" : ir::to_string(pp.views.front().protocol);
}

nlohmann::json rule_json(const ir::Rule* r, const SourceSet& sources) {
  if (!r) return nullptr;
  nlohmann::json j;
  j["policy"] = r->policy.display();
  j["action"] = model::to_string(r->policy.action);
  j["rule"] = r->index;
  j["dry_run"] = r->policy.dry_run;
  j["location"] = r->loc.known() ? sources.describe(r->loc) : "";
  return j;
}

nlohmann::json decision_json(const ir::Program& prog, const engine::Decision& d, const SourceSet& sources) {
  nlohmann::json j;
  j["decision"] = engine::to_string(d.verdict);
  j["decided_by"] = rule_json(d.decided_by, sources);
  j["reason"] = d.explanation;
  j["reason_code"] = engine::to_string(d.reason);
  j["protocol"] = ir::to_string(prog.protocol);
  if (d.if_authorizer_allows) {
    j["if_authorizer_allows"] = {{"decision", engine::to_string(*d.if_authorizer_allows)},
                                 {"reason_code", engine::to_string(*d.if_authorizer_allows_reason)},
                                 {"decided_by", rule_json(d.if_authorizer_allows_rule, sources)}};
  }
  nlohmann::json audit = nlohmann::json::array(), dry = nlohmann::json::array();
  for (const auto* r : d.audit_matches) audit.push_back(rule_json(r, sources));
  for (const auto* r : d.dry_run_matches) dry.push_back(rule_json(r, sources));
  j["audit_matches"] = audit;
  j["dry_run_matches"] = dry;
  return j;
}

std::string describe_request(const ir::Request& r, ir::Protocol p) {
  std::string s = r.mtls ? "mTLS from " + r.principal() : "plaintext (no peer identity)";
  if (r.source_ip) s += ", source " + r.source_ip->to_string();
  if (p == ir::Protocol::Http) {
    s += ", " + r.method + " " + r.path;
    if (!r.host.empty()) s += " host " + r.host;
    for (const auto& [k, v] : r.headers) s += ", " + k + ": " + v;
    if (r.token == ir::TokenState::Valid) s += ", JWT " + r.jwt_issuer + "/" + r.jwt_subject;
    if (r.token == ir::TokenState::Invalid) s += ", invalid JWT";
  }
  return s;
}

void print_text(const ir::Target& t, const ir::PortPrograms& pp, const ir::Program& primary,
                const engine::Decision& d, const std::vector<std::pair<const ir::Program*, engine::Decision>>& others,
                const ir::Request& req, const SourceSet& sources) {
  std::ostream& o = std::cout;
  o << engine::to_string(d.verdict) << "  " << t.workload->display() << " port "
    << (pp.port ? std::to_string(pp.port) : std::string("(undeclared)")) << " (" << ir::to_string(primary.protocol)
    << (pp.sniffed ? ", sniffed" : "") << ", mTLS " << model::to_string(primary.mtls) << ")\n";
  if (!t.note.empty()) o << "  note: " << t.note << "\n";
  o << "  request:    " << describe_request(req, primary.protocol) << "\n";
  if (d.decided_by)
    o << "  decided by: " << d.decided_by->display() << " (" << model::to_string(d.decided_by->policy.action)
      << ") at " << sources.describe(d.decided_by->loc) << "\n";
  else
    o << "  decided by: no rule\n";
  o << "  reason:     " << d.explanation << "\n";
  for (const auto* r : d.audit_matches) o << "  audited by: " << r->display() << "\n";
  for (const auto* r : d.dry_run_matches)
    o << "  dry-run:    " << r->display() << " (" << model::to_string(r->policy.action)
      << ") would match; not enforced\n";
  for (const auto& [prog, od] : others)
    o << "  as " << ir::to_string(prog->protocol) << " traffic (sniffed port): " << engine::to_string(od.verdict)
      << " — " << od.explanation << "\n";
}

void run_query(QueryFlags& f, int& exit_code) {
  exit_code = 2;
  if (f.output != "text" && f.output != "json") {
    std::cerr << "meshproof: error: -o must be text or json\n";
    return;
  }
  ir::Request req;
  if (f.plaintext) f.request.principal.clear();
  if (auto err = ir::build_request(f.request, req)) {
    std::cerr << "meshproof: error: " << *err << "\n";
    return;
  }
  auto input = load_or_report(f.input);
  if (!input) return;
  mesh::ResolveOptions ropts;
  if (!f.input.root_namespace.empty()) ropts.root_namespace = f.input.root_namespace;
  ir::Target target;
  if (auto err = ir::find_target(f.to, input->resources, input->mesh, ropts, target)) {
    std::cerr << "meshproof: error: --to: " << *err << "\n";
    return;
  }
  const mesh::Workload& w = *target.workload;
  ir::WorkloadPrograms progs = ir::build_programs(w, ir::LowerContext::from(target.mesh->config));

  // The port: as asked, else the first HTTP port, else the first sniffed, else the first declared.
  const ir::PortPrograms* pp = nullptr;
  if (f.port) {
    pp = progs.find_port(f.port);
  } else {
    for (int pass = 0; pass < 3 && !pp; ++pass)
      for (const auto& p : progs.ports) {
        if (p.port == 0) continue;
        bool http_only = !p.sniffed && p.view(ir::Protocol::Http);
        if ((pass == 0 && http_only) || (pass == 1 && p.sniffed) || pass == 2) {
          pp = &p;
          break;
        }
      }
    if (!pp) {
      std::cerr << "meshproof: error: " << w.display()
                << " declares no port (no container port and no Service selects it); give --port N\n";
      return;
    }
  }
  req.port = f.port ? f.port : pp->port;

  // Which view answers: the port's protocol; on a sniffed port HTTP unless --protocol tcp.
  ir::Protocol want = ir::Protocol::Http;
  if (f.protocol == "tcp") want = ir::Protocol::Tcp;
  else if (!f.protocol.empty() && f.protocol != "http") {
    std::cerr << "meshproof: error: --protocol must be http or tcp\n";
    return;
  }
  const ir::Program* primary = pp->view(want);
  if (!primary) {
    if (!f.protocol.empty()) {
      std::cerr << "meshproof: error: --protocol " << f.protocol << ": port " << req.port << " is "
                << port_protocol_name(*pp) << "\n";
      return;
    }
    primary = &pp->views.front();
  }
  // HTTP defaults: Envoy always has a method, a path and an authority.
  if (req.method.empty()) req.method = "GET";
  if (req.path.empty()) req.path = "/";
  if (req.host.empty()) {
    for (const auto& wp : w.ports)
      if (wp.port == req.port && !wp.services.empty()) {
        // "ns/name:port" → "name.ns.svc.cluster.local"
        const std::string& s = wp.services.front();
        size_t sl = s.find('/'), colon = s.rfind(':');
        req.host = s.substr(sl + 1, colon - sl - 1) + "." + s.substr(0, sl) + ".svc.cluster.local";
        break;
      }
  }

  engine::Decision d = engine::evaluate(*primary, req);
  std::vector<std::pair<const ir::Program*, engine::Decision>> others;
  for (const auto& v : pp->views)
    if (&v != primary) others.emplace_back(&v, engine::evaluate(v, req));

  if (f.output == "json") {
    nlohmann::json j = decision_json(*primary, d, input->sources);
    j["workload"] = w.display();
    if (!target.note.empty()) j["note"] = target.note;
    j["port"] = req.port;
    j["port_protocol"] = port_protocol_name(*pp);
    j["mtls"] = model::to_string(primary->mtls);
    j["mtls_decided_by"] = primary->mtls_decided_by;
    j["request"] = ir::to_query_args(req);
    nlohmann::json views = nlohmann::json::array();
    for (const auto& [prog, od] : others) views.push_back(decision_json(*prog, od, input->sources));
    j["other_views"] = views;
    std::cout << j.dump(2) << "\n";
  } else {
    print_text(target, *pp, *primary, d, others, req, input->sources);
  }
  exit_code = 0;
}

}  // namespace

void register_query(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand("query", "Decide one concrete request to one workload: ALLOW, DENY, DELEGATED or REJECTED, and why");
  add_input_flags(cmd, f->input);
  cmd->add_option("--to", f->to, "Destination workload: NAMESPACE/NAME, or NAMESPACE/key=value,... for a workload known by labels")
      ->required();
  cmd->add_option("--port", f->port, "Workload (container/target) port (default: its first HTTP port)")
      ->check(CLI::Range(1, 65535));
  auto* principal = cmd->add_option("--principal", f->request.principal,
                                    "Caller's mesh identity TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT (mTLS)");
  auto* plain = cmd->add_flag("--plaintext", f->plaintext, "Plaintext connection without a peer identity (the default)");
  principal->excludes(plain);
  cmd->add_option("--source-ip", f->request.source_ip, "Connection source address (ipBlocks, source.ip)");
  cmd->add_option("--remote-ip", f->request.remote_ip, "Original client address (remoteIpBlocks; default: --source-ip)");
  cmd->add_option("--destination-ip", f->request.destination_ip, "Destination address (destination.ip)");
  cmd->add_option("--sni", f->request.sni, "TLS server name (connection.sni)");
  cmd->add_option("--method", f->request.method, "HTTP method (default: GET)");
  cmd->add_option("--path", f->request.path, "HTTP path (default: /); a query string is ignored");
  cmd->add_option("--host", f->request.host, "HTTP authority (default: the Service's cluster-local name)");
  cmd->add_option("--header", f->request.headers, "Request header NAME=VALUE (repeatable)");
  cmd->add_option("--request-principal", f->request.request_principal, "A valid JWT with issuer and subject ISSUER/SUBJECT");
  cmd->add_flag("--invalid-token", f->request.invalid_token, "A JWT that fails verification");
  cmd->add_option("--claim", f->request.claims, "JWT claim CLAIM=VALUE; nested claims as a.b; repeat for lists");
  cmd->add_option("--audience", f->request.audiences, "JWT audience (repeatable)");
  cmd->add_option("--presenter", f->request.presenters, "JWT authorized presenter azp (repeatable)");
  cmd->add_option("--protocol", f->protocol, "On a sniffed port: evaluate as http (default) or tcp");
  cmd->add_option("-o,--output", f->output, "Output format: text or json")->default_val("text");
  cmd->footer(
      "Examples:\n"
      "  meshproof query manifests/ --to bank/banking-api --principal cluster.local/ns/web/sa/frontend \\\n"
      "      --path /accounts --request-principal https://idp.example.com/alice --claim role=teller\n"
      "  meshproof query manifests/ --to shop/app=cart --port 9000 --plaintext -o json\n"
      "Exit code 0 whatever the decision; 2 when the input or a flag value is bad. See docs/query.md.");
  cmd->callback([f, &exit_code] { run_query(*f, exit_code); });
}

}  // namespace meshproof::cli
