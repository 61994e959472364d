// `meshproof explain`: what Istio enforces on one workload — effective mTLS per port and who decided
// it, the applicable policies by action with their rules as lowered (and what Istio drops or widens on
// TCP ports, and why), and the RequestAuthentications in force.
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "ir/describe.h"
#include "ir/lower.h"
#include "ir/target.h"

namespace meshproof::cli {

namespace {

struct ExplainFlags {
  InputFlags input;
  std::string workload;
  std::string output = "text";
};

const model::Action kActionOrder[] = {model::Action::Custom, model::Action::Deny, model::Action::Allow,
                                      model::Action::Audit};

std::string port_label(uint32_t port) { return port ? std::to_string(port) : "other ports"; }

nlohmann::json drop_json(const ir::Drop& d, const SourceSet& sources) {
  return {{"kind", ir::to_string(d.kind)},
          {"item", d.item},
          {"reason", d.reason},
          {"location", d.loc.known() ? sources.describe(d.loc) : ""}};
}

nlohmann::json lowered_json(const ir::LoweredPolicy& lp, const SourceSet& sources) {
  nlohmann::json rules = nlohmann::json::array(), drops = nlohmann::json::array();
  for (const auto& r : lp.rules) {
    ir::RuleDescription d = ir::describe(r);
    rules.push_back({{"rule", r.index},
                     {"from", d.principals},
                     {"to", d.permissions},
                     {"never_matches", d.never_matches},
                     {"location", r.loc.known() ? sources.describe(r.loc) : ""}});
  }
  for (const auto& d : lp.drops) drops.push_back(drop_json(d, sources));
  return {{"rules", rules}, {"drops", drops}};
}

void print_lowered(std::ostream& o, const ir::LoweredPolicy& lp, const std::string& indent) {
  for (const auto& r : lp.rules) {
    ir::RuleDescription d = ir::describe(r);
    o << indent << "rules[" << r.index << "]" << (d.never_matches ? ": never matches" : "") << "\n";
    if (r.from_empty_spec) {
      o << indent << "  (the policy has no rules; Istio emits a rule that matches nothing, IS §3)\n";
      continue;
    }
    // One line per clause (OR), its fields (AND) continued on indented lines.
    auto print = [&](const char* label, const std::vector<std::vector<std::string>>& clauses) {
      for (size_t i = 0; i < clauses.size(); ++i) {
        o << indent << "  " << (i ? "or   " : label) << clauses[i].front() << "\n";
        for (size_t k = 1; k < clauses[i].size(); ++k) o << indent << "         and " << clauses[i][k] << "\n";
      }
    };
    print("from: ", d.principal_matches);
    print("to:   ", d.permission_matches);
  }
  for (const auto& d : lp.drops) o << indent << "! " << ir::to_string(d.kind) << " " << d.item << ": " << d.reason << "\n";
}

// Whether two lowerings of the same policy say the same thing (so TCP needs no second listing).
bool same_lowering(const ir::LoweredPolicy& a, const ir::LoweredPolicy& b) {
  if (a.rules.size() != b.rules.size() || a.drops.size() != b.drops.size()) return false;
  for (size_t i = 0; i < a.rules.size(); ++i) {
    auto da = ir::describe(a.rules[i]), db = ir::describe(b.rules[i]);
    if (a.rules[i].index != b.rules[i].index || da.principals != db.principals || da.permissions != db.permissions)
      return false;
  }
  return true;
}

void run_explain(const ExplainFlags& f, int& exit_code) {
  exit_code = 2;
  if (f.output != "text" && f.output != "json") {
    std::cerr << "meshproof: error: -o must be text or json\n";
    return;
  }
  auto input = load_or_report(f.input);
  if (!input) return;
  mesh::ResolveOptions ropts;
  if (!f.input.root_namespace.empty()) ropts.root_namespace = f.input.root_namespace;
  ir::Target target;
  if (auto err = ir::find_target(f.workload, input->resources, input->mesh, ropts, target)) {
    std::cerr << "meshproof: error: --workload: " << *err << "\n";
    return;
  }
  const mesh::Workload& w = *target.workload;
  const SourceSet& src = input->sources;
  ir::LowerContext ctx = ir::LowerContext::from(target.mesh->config);
  ir::WorkloadPrograms progs = ir::build_programs(w, ctx);

  // Which protocols occur, and on which ports.
  std::map<ir::Protocol, std::vector<uint32_t>> ports_by_protocol;
  for (const auto& pp : progs.ports)
    for (const auto& v : pp.views) ports_by_protocol[v.protocol].push_back(pp.port);
  auto port_list = [&](ir::Protocol p) {
    std::string s;
    for (uint32_t port : ports_by_protocol[p]) s += (s.empty() ? "" : ", ") + port_label(port);
    return s;
  };

  // Lowered policies per protocol.
  struct PolicyView {
    const model::AuthorizationPolicy* policy;
    std::optional<ir::LoweredPolicy> http, tcp;
  };
  std::vector<PolicyView> views;
  for (const auto* p : w.authorization_policies) {
    PolicyView v{p, std::nullopt, std::nullopt};
    if (ports_by_protocol.count(ir::Protocol::Http)) v.http = ir::lower_policy(*p, ir::Protocol::Http, ctx);
    if (ports_by_protocol.count(ir::Protocol::Tcp)) v.tcp = ir::lower_policy(*p, ir::Protocol::Tcp, ctx);
    views.push_back(std::move(v));
  }
  // Program-level facts (CUSTOM mode, ALLOW presence) per protocol, from any port of that protocol.
  std::map<ir::Protocol, const ir::Program*> sample;
  for (const auto& pp : progs.ports)
    for (const auto& v : pp.views)
      if (!sample.count(v.protocol)) sample[v.protocol] = &v;

  if (f.output == "json") {
    nlohmann::json j;
    j["workload"] = w.display();
    j["origin"] = mesh::to_string(w.origin);
    j["sidecar"] = w.sidecar_injected;
    if (!target.note.empty()) j["note"] = target.note;
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& pp : progs.ports) {
      const ir::Program& p = pp.views.front();
      ports.push_back({{"port", pp.port},
                       {"name", pp.name},
                       {"protocol", pp.sniffed ? "SNIFFED" : ir::to_string(p.protocol)},
                       {"mtls", model::to_string(p.mtls)},
                       {"mtls_decided_by", p.mtls_decided_by},
                       {"mtls_location", p.mtls_loc.known() ? src.describe(p.mtls_loc) : ""}});
    }
    j["ports"] = ports;
    nlohmann::json ras = nlohmann::json::array();
    for (const auto* ra : w.request_authentications) {
      nlohmann::json issuers = nlohmann::json::array();
      for (const auto& jr : ra->jwt_rules) issuers.push_back(jr.issuer.value);
      ras.push_back({{"name", ra->meta.ns + "/" + ra->meta.name}, {"issuers", issuers}, {"location", src.describe(ra->loc)}});
    }
    j["request_authentications"] = ras;
    nlohmann::json pols = nlohmann::json::array();
    for (auto action : kActionOrder)
      for (const auto& v : views) {
        if (v.policy->action != action) continue;
        nlohmann::json pj{{"policy", v.policy->meta.ns + "/" + v.policy->meta.name},
                          {"action", model::to_string(action)},
                          {"dry_run", v.policy->dry_run},
                          {"location", src.describe(v.policy->loc)}};
        if (action == model::Action::Custom) pj["provider"] = v.policy->provider;
        if (v.http) pj["http"] = lowered_json(*v.http, src);
        if (v.tcp) pj["tcp"] = lowered_json(*v.tcp, src);
        pols.push_back(pj);
      }
    j["policies"] = pols;
    nlohmann::json enforcement = nlohmann::json::object();
    for (const auto& [proto, p] : sample) {
      nlohmann::json drops = nlohmann::json::array();
      for (const auto& d : p->drops)
        if (d.kind == ir::DropKind::PolicyNotEnforced) drops.push_back(drop_json(d, src));
      enforcement[ir::to_string(proto)] = {{"has_allow_policy", p->has_allow_policy},
                                          {"custom_mode", ir::to_string(p->custom_mode)},
                                          {"custom_reason", p->custom_reason},
                                          {"not_enforced", drops}};
    }
    j["enforcement"] = enforcement;
    std::cout << j.dump(2) << "\n";
    exit_code = 0;
    return;
  }

  std::ostream& o = std::cout;
  o << "Workload " << w.display() << " (" << mesh::to_string(w.origin) << ")\n";
  if (!target.note.empty()) o << "  note: " << target.note << "\n";
  if (!w.sidecar_injected)
    o << "  no sidecar: Istio enforces neither mTLS nor authorization on this workload\n";
  o << "\nPorts and effective mTLS:\n";
  for (const auto& pp : progs.ports) {
    const ir::Program& p = pp.views.front();
    o << "  " << port_label(pp.port) << (pp.name.empty() ? "" : " (" + pp.name + ")") << "  "
      << (pp.sniffed ? "sniffed (HTTP and TCP)" : ir::to_string(p.protocol)) << "  mTLS "
      << model::to_string(p.mtls) << "  "
      << (p.mtls_decided_by.empty() ? "(Istio default: no PeerAuthentication applies)"
                                    : "by " + p.mtls_decided_by + " at " + src.describe(p.mtls_loc))
      << "\n";
  }
  o << "\nRequestAuthentication in force:";
  if (w.request_authentications.empty()) o << " none (tokens are ignored; request.auth.* never matches)\n";
  else o << "\n";
  for (const auto* ra : w.request_authentications) {
    o << "  " << ra->meta.ns << "/" << ra->meta.name << " at " << src.describe(ra->loc) << ":";
    for (const auto& jr : ra->jwt_rules) o << " issuer \"" << jr.issuer.value << "\"";
    o << "\n";
  }
  if (!w.request_authentications.empty())
    o << "  (a request without a token passes authentication; an invalid token or an unknown issuer is rejected)\n";

  for (auto action : kActionOrder) {
    bool header = false;
    for (const auto& v : views) {
      if (v.policy->action != action) continue;
      if (!header) {
        o << "\n" << model::to_string(action) << " policies:\n";
        header = true;
      }
      o << "  " << v.policy->meta.ns << "/" << v.policy->meta.name << " at " << src.describe(v.policy->loc)
        << (v.policy->dry_run ? "  [dry-run: evaluated, not enforced]" : "")
        << (action == model::Action::Custom ? "  provider \"" + v.policy->provider + "\"" : "") << "\n";
      if (v.http && v.tcp && same_lowering(*v.http, *v.tcp)) {
        o << "    on all ports:\n";
        print_lowered(o, *v.http, "      ");
        continue;
      }
      if (v.http) {
        o << "    on HTTP ports (" << port_list(ir::Protocol::Http) << "):\n";
        print_lowered(o, *v.http, "      ");
      }
      if (v.tcp) {
        o << "    on TCP ports (" << port_list(ir::Protocol::Tcp) << "):\n";
        print_lowered(o, *v.tcp, "      ");
      }
    }
  }
  if (views.empty()) o << "\nNo AuthorizationPolicy applies: every request that passes mTLS is allowed.\n";
  o << "\nDecision summary:\n";
  for (const auto& [proto, p] : sample) {
    o << "  " << ir::to_string(proto) << ": "
      << (p->has_allow_policy ? "ALLOW policies apply, so a request must match an ALLOW rule"
                              : "no enforced ALLOW policy, so anything not denied is allowed");
    if (p->has_allow_policy && p->allow.empty())
      o << "; every ALLOW rule is dropped on " << ir::to_string(proto) << " ports, so every request there is denied";
    if (p->custom_mode == ir::CustomMode::FailClosed) o << "; CUSTOM rules deny (fail closed): " << p->custom_reason;
    else if (p->custom_mode == ir::CustomMode::Delegate) o << "; CUSTOM matches go to the external authorizer";
    o << "\n";
    for (const auto& d : p->drops)
      if (d.kind == ir::DropKind::PolicyNotEnforced) o << "    ! " << d.reason << "\n";
  }
  exit_code = 0;
}

}  // namespace

void register_explain(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<ExplainFlags>();
  CLI::App* cmd = app.add_subcommand("explain", "Show what Istio enforces on one workload: mTLS per port and the policies as lowered");
  add_input_flags(cmd, f->input);
  cmd->add_option("--workload", f->workload, "NAMESPACE/NAME, or NAMESPACE/key=value,... for a workload known by labels")
      ->required();
  cmd->add_option("-o,--output", f->output, "Output format: text or json")->default_val("text");
  cmd->footer(
      "Examples:\n"
      "  meshproof explain manifests/ --workload bank/banking-api\n"
      "  meshproof explain manifests/ --workload shop/app=cart -o json\n"
      "Exit code 0; 2 when the input or the workload is bad. See docs/query.md.");
  cmd->callback([f, &exit_code] { run_explain(*f, exit_code); });
}

}  // namespace meshproof::cli
