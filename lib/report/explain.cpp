// `meshproof explain` output: effective mTLS per port and who decided it, the RequestAuthentications in
// force, the applicable policies by action with their rules as lowered (and what Istio drops or widens on
// TCP ports, and why), and a decision summary per protocol.
#include <sstream>

#include <nlohmann/json.hpp>

#include "ir/describe.h"
#include "ir/lower_ztunnel.h"
#include "report/query.h"

namespace meshproof::report {

namespace {

using nlohmann::json;

const model::Action kActionOrder[] = {model::Action::Custom, model::Action::Deny, model::Action::Allow,
                                      model::Action::Audit};

std::string port_label(uint32_t port) { return port ? std::to_string(port) : "other ports"; }

std::string port_list(const analysis::Explanation& e, ir::Protocol p) {
  std::string s;
  auto it = e.ports_by_protocol.find(p);
  if (it == e.ports_by_protocol.end()) return s;
  for (uint32_t port : it->second) s += (s.empty() ? "" : ", ") + port_label(port);
  return s;
}

std::string where(const SourceSet& sources, const Loc& loc) { return loc.known() ? sources.describe(loc) : ""; }

json drop_json(const ir::Drop& d, const SourceSet& sources) {
  return {{"kind", ir::to_string(d.kind)}, {"item", d.item}, {"reason", d.reason}, {"location", where(sources, d.loc)}};
}

json lowered_json(const ir::LoweredPolicy& lp, const SourceSet& sources) {
  json rules = json::array(), drops = json::array();
  for (const auto& r : lp.rules) {
    ir::RuleDescription d = ir::describe(r);
    rules.push_back({{"rule", r.index},
                     {"from", d.principals},
                     {"to", d.permissions},
                     {"never_matches", d.never_matches},
                     {"location", where(sources, r.loc)}});
  }
  for (const auto& d : lp.drops) drops.push_back(drop_json(d, sources));
  return {{"rules", rules}, {"drops", drops}};
}

// One line per clause (OR), its fields (AND) continued on indented lines.
void print_clauses(std::ostream& o, const std::string& indent, const char* label,
                   const std::vector<std::vector<std::string>>& clauses) {
  for (size_t i = 0; i < clauses.size(); ++i) {
    o << indent << "  " << (i ? "or   " : label) << clauses[i].front() << "\n";
    for (size_t k = 1; k < clauses[i].size(); ++k) o << indent << "         and " << clauses[i][k] << "\n";
  }
}

void print_lowered(std::ostream& o, const ir::LoweredPolicy& lp, const std::string& indent) {
  for (const auto& r : lp.rules) {
    ir::RuleDescription d = ir::describe(r);
    o << indent << "rules[" << r.index << "]" << (d.never_matches ? ": never matches" : "") << "\n";
    if (r.from_empty_spec) {
      o << indent
        << "  (the policy has no rules; Istio emits a rule that matches nothing, docs/semantics.md#empty-policies)\n";
      continue;
    }
    print_clauses(o, indent, "from: ", d.principal_matches);
    print_clauses(o, indent, "to:   ", d.permission_matches);
  }
  for (const auto& d : lp.drops)
    o << indent << "! " << ir::to_string(d.kind) << " " << d.item << ": " << d.reason << "\n";
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

json ports_json(const analysis::Explanation& e, const SourceSet& src) {
  json ports = json::array();
  for (const auto& pp : e.programs.ports) {
    const ir::Program& p = pp.views.front();
    ports.push_back({{"port", pp.port},
                     {"name", pp.name},
                     {"protocol", pp.sniffed ? "SNIFFED" : ir::to_string(p.protocol)},
                     {"mtls", model::to_string(p.mtls)},
                     {"mtls_decided_by", p.mtls_decided_by},
                     {"mtls_location", where(src, p.mtls_loc)}});
  }
  return ports;
}

json request_authentications_json(const mesh::Workload& w, const SourceSet& src) {
  json ras = json::array();
  for (const auto* ra : w.request_authentications) {
    json issuers = json::array();
    for (const auto& jr : ra->jwt_rules) issuers.push_back(jr.issuer.value);
    ras.push_back(
        {{"name", ra->meta.ns + "/" + ra->meta.name}, {"issuers", issuers}, {"location", src.describe(ra->loc)}});
  }
  return ras;
}

bool is_ambient(const analysis::Explanation& e) { return e.target.workload->data_plane == mesh::DataPlane::Ambient; }

json policies_json(const analysis::Explanation& e, const SourceSet& src) {
  json pols = json::array();
  for (auto action : kActionOrder)
    for (const auto& v : e.policies) {
      if (v.policy->action != action) continue;
      json pj{{"policy", v.policy->meta.ns + "/" + v.policy->meta.name},
              {"action", model::to_string(action)},
              {"dry_run", v.policy->dry_run},
              {"location", src.describe(v.policy->loc)}};
      if (action == model::Action::Custom) pj["provider"] = v.policy->provider;
      if (is_ambient(e)) {  // one lowering, ztunnel's, or the reason ztunnel does not enforce the policy
        pj["enforced_by"] = "ztunnel";
        if (v.tcp)
          pj["ztunnel"] = lowered_json(*v.tcp, src);
        else
          pj["not_enforced"] = ir::ztunnel_skip_reason(*v.policy);
        pols.push_back(pj);
        continue;
      }
      if (v.http) pj["http"] = lowered_json(*v.http, src);
      if (v.tcp) pj["tcp"] = lowered_json(*v.tcp, src);
      pols.push_back(pj);
    }
  return pols;
}

json enforcement_json(const analysis::Explanation& e, const SourceSet& src) {
  json enforcement = json::object();
  for (const auto& [proto, p] : e.per_protocol) {
    json drops = json::array();
    for (const auto& d : p->drops)
      if (d.kind == ir::DropKind::PolicyNotEnforced) drops.push_back(drop_json(d, src));
    enforcement[ir::to_string(proto)] = {{"has_allow_policy", p->has_allow_policy},
                                         {"custom_mode", ir::to_string(p->custom_mode)},
                                         {"custom_reason", p->custom_reason},
                                         {"not_enforced", drops}};
  }
  return enforcement;
}

void print_ports(std::ostream& o, const analysis::Explanation& e, const SourceSet& src) {
  o << "\nPorts and effective mTLS:\n";
  for (const auto& pp : e.programs.ports) {
    const ir::Program& p = pp.views.front();
    o << "  " << port_label(pp.port) << (pp.name.empty() ? "" : " (" + pp.name + ")") << "  "
      << (pp.sniffed ? "sniffed (HTTP and TCP)" : ir::to_string(p.protocol)) << "  mTLS " << model::to_string(p.mtls)
      << "  "
      << (p.mtls_decided_by.empty() ? "(Istio default: no PeerAuthentication applies)"
                                    : "by " + p.mtls_decided_by + " at " + src.describe(p.mtls_loc))
      << "\n";
  }
}

void print_request_authentications(std::ostream& o, const mesh::Workload& w, const SourceSet& src) {
  o << "\nRequestAuthentication in force:";
  if (w.request_authentications.empty())
    o << " none (tokens are ignored; request.auth.* never matches)\n";
  else
    o << "\n";
  for (const auto* ra : w.request_authentications) {
    o << "  " << ra->meta.ns << "/" << ra->meta.name << " at " << src.describe(ra->loc) << ":";
    for (const auto& jr : ra->jwt_rules) o << " issuer \"" << jr.issuer.value << "\"";
    o << "\n";
  }
  if (!w.request_authentications.empty())
    o << "  (a request without a token passes authentication; an invalid token or an unknown issuer is rejected)\n";
}

void print_policy(std::ostream& o, const analysis::Explanation& e, const analysis::PolicyLowering& v,
                  const SourceSet& src) {
  const model::AuthorizationPolicy& p = *v.policy;
  o << "  " << p.meta.ns << "/" << p.meta.name << " at " << src.describe(p.loc)
    << (p.dry_run ? "  [dry-run: evaluated, not enforced]" : "")
    << (p.action == model::Action::Custom ? "  provider \"" + p.provider + "\"" : "") << "\n";
  if (is_ambient(e)) {
    if (!v.tcp) {
      o << "    not enforced by ztunnel: " << ir::ztunnel_skip_reason(p) << "\n";
      return;
    }
    o << "    at ztunnel (every port, L4 only):\n";
    print_lowered(o, *v.tcp, "      ");
    return;
  }
  if (v.http && v.tcp && same_lowering(*v.http, *v.tcp)) {
    o << "    on all ports:\n";
    print_lowered(o, *v.http, "      ");
    return;
  }
  if (v.http) {
    o << "    on HTTP ports (" << port_list(e, ir::Protocol::Http) << "):\n";
    print_lowered(o, *v.http, "      ");
  }
  if (v.tcp) {
    o << "    on TCP ports (" << port_list(e, ir::Protocol::Tcp) << "):\n";
    print_lowered(o, *v.tcp, "      ");
  }
}

void print_policies(std::ostream& o, const analysis::Explanation& e, const SourceSet& src) {
  for (auto action : kActionOrder) {
    bool header = false;
    for (const auto& v : e.policies) {
      if (v.policy->action != action) continue;
      if (!header) o << "\n" << model::to_string(action) << " policies:\n";
      header = true;
      print_policy(o, e, v, src);
    }
  }
  // A workload Linkerd serves is decided by Linkerd's policy (its own section below), not by Istio's.
  if (e.policies.empty() && e.linkerd.empty())
    o << "\nNo AuthorizationPolicy applies: every request that passes mTLS is allowed.\n";
  const mesh::Workload& w = *e.target.workload;
  if (!is_ambient(e) || w.ignored_target_ref_authorization_policies.empty()) return;
  o << "\nNot enforced by ztunnel (targetRefs: only a waypoint enforces them, see the enforcement chain):\n";
  for (const auto* p : w.ignored_target_ref_authorization_policies)
    o << "  " << p->meta.ns << "/" << p->meta.name << " at " << src.describe(p->loc) << "\n";
}

void print_summary(std::ostream& o, const analysis::Explanation& e) {
  o << "\nDecision summary:\n";
  for (const auto& [proto, p] : e.per_protocol) {
    const std::string where = is_ambient(e) ? "ztunnel" : ir::to_string(proto);
    o << "  " << where << ": "
      << (p->has_allow_policy ? "ALLOW policies apply, so a request must match an ALLOW rule"
                              : "no enforced ALLOW policy, so anything not denied is allowed");
    if (p->has_allow_policy && p->allow.empty())
      o << "; every ALLOW rule is dropped " << (is_ambient(e) ? "at ztunnel" : "on " + where + " ports")
        << ", so every request there is denied";
    if (p->custom_mode == ir::CustomMode::FailClosed)
      o << "; CUSTOM rules deny (fail closed): " << p->custom_reason;
    else if (p->custom_mode == ir::CustomMode::Delegate)
      o << "; CUSTOM matches go to the external authorizer";
    o << "\n";
    for (const auto& d : p->drops)
      if (d.kind == ir::DropKind::PolicyNotEnforced) o << "    ! " << d.reason << "\n";
  }
}

// "issuer-a, issuer-b": the JWT issuers a RequestAuthentication accepts.
std::string issuers_text(const model::RequestAuthentication& ra) {
  std::string s;
  for (const auto& jr : ra.jwt_rules) s += (s.empty() ? "" : ", ") + jr.issuer.value;
  return s.empty() ? "none" : s;
}

std::string points_text(const mesh::EnforcementChain& c) {
  std::string s;
  for (const auto& p : c.points) s += (s.empty() ? "" : " -> ") + p.display();
  return s;
}

std::string ports_text(const std::vector<uint32_t>& ports) {
  std::string s;
  for (uint32_t p : ports) s += (s.empty() ? "" : ", ") + std::to_string(p);
  return s;
}

void print_waypoint_policy(std::ostream& o, const analysis::WaypointPolicyLowering& l, const SourceSet& src) {
  const model::AuthorizationPolicy& p = *l.attached.policy;
  o << "      " << model::to_string(p.action) << " " << p.meta.ns << "/" << p.meta.name << " at " << src.describe(p.loc)
    << ", attached by targetRef " << l.attached.target << (p.dry_run ? "  [dry-run: evaluated, not enforced]" : "")
    << "\n";
  if (l.http) {
    o << "        on HTTP (Envoy semantics):\n";
    print_lowered(o, *l.http, "          ");
  }
  if (l.tcp && !(l.http && same_lowering(*l.http, *l.tcp))) {
    o << "        on TCP (Envoy semantics):\n";
    print_lowered(o, *l.tcp, "          ");
  }
}

// The enforcement chain per Service (docs/semantics.md#enforcement-chain): the points in order, the callers
// that go around the waypoint, and the waypoint's policies as lowered there.
void print_chains(std::ostream& o, const analysis::Explanation& e, const SourceSet& src) {
  if (!is_ambient(e)) return;
  o << "\nEnforcement chain (an ambient caller; docs/semantics.md#enforcement-chain):\n";
  if (e.chains.empty()) o << "  no Service routes to this workload and no workload waypoint serves it: ztunnel alone\n";
  for (const auto& c : e.chains) {
    o << "  " << (c.service.empty() ? "pod-addressed traffic" : "Service " + c.service) << " (port "
      << ports_text(c.ports) << "): " << points_text(c.chain) << "\n";
    o << "    " << c.chain.why << "\n";
    for (const auto& b : c.bypassed_by) o << "    bypassed by " << b << "\n";
    if (!c.chain.waypoint) continue;
    o << "    at waypoint " << c.chain.waypoint->display() << " (only targetRefs policies apply, A9):\n";
    if (c.waypoint_policies.empty()) o << "      none: the waypoint allows what reaches it\n";
    for (const auto& l : c.waypoint_policies) print_waypoint_policy(o, l, src);
    for (const model::RequestAuthentication* ra : c.chain.waypoint_request_authentications)
      o << "      RequestAuthentication " << ra->meta.ns << "/" << ra->meta.name << " at " << src.describe(ra->loc)
        << ": JWT issuers " << issuers_text(*ra) << " (validated on HTTP; a request with an invalid token is "
        << "rejected)\n";
    o << "    then at ztunnel, as " << c.chain.waypoint_principal
      << " (the waypoint's identity, A12): the policies above\n";
  }
}

json chains_json(const analysis::Explanation& e, const SourceSet& src) {
  json out = json::array();
  for (const auto& c : e.chains) {
    json j;
    j["service"] = c.service;
    j["ports"] = c.ports;
    json points = json::array();
    for (const auto& p : c.chain.points) points.push_back(p.display());
    j["points"] = points;
    j["why"] = c.chain.why;
    j["bypassed_by"] = c.bypassed_by;
    j["waypoint_principal"] = c.chain.waypoint_principal;
    json policies = json::array();
    for (const auto& l : c.waypoint_policies) {
      json p;
      p["policy"] = l.attached.policy->meta.ns + "/" + l.attached.policy->meta.name;
      p["action"] = model::to_string(l.attached.policy->action);
      p["attached_by"] = l.attached.target;
      p["location"] = src.describe(l.attached.policy->loc);
      if (l.http) p["http"] = lowered_json(*l.http, src);
      if (l.tcp) p["tcp"] = lowered_json(*l.tcp, src);
      policies.push_back(std::move(p));
    }
    j["waypoint_policies"] = policies;
    json authns = json::array();
    for (const model::RequestAuthentication* ra : c.chain.waypoint_request_authentications) {
      json a;
      a["request_authentication"] = ra->meta.ns + "/" + ra->meta.name;
      a["location"] = src.describe(ra->loc);
      json issuers = json::array();
      for (const auto& jr : ra->jwt_rules) issuers.push_back(jr.issuer.value);
      a["issuers"] = issuers;
      authns.push_back(std::move(a));
    }
    j["waypoint_request_authentications"] = authns;
    out.push_back(std::move(j));
  }
  return out;
}

json data_plane_json(const analysis::Explanation& e, const SourceSet& src) {
  const mesh::Workload& w = *e.target.workload;
  json j;
  j["mode"] = mesh::to_string(w.data_plane);
  j["assumed"] = w.data_plane_assumed;
  j["reason"] = w.injection_reason;
  j["location"] = where(src, w.data_plane_loc);
  j["enforced_by"] = mesh::enforcement_point(w.data_plane);
  return j;
}

void print_data_plane(std::ostream& o, const analysis::Explanation& e, const SourceSet& src) {
  const mesh::Workload& w = *e.target.workload;
  o << "  data plane: " << mesh::to_string(w.data_plane) << (w.data_plane_assumed ? " (assumed)" : "")
    << ", enforced by " << mesh::enforcement_point(w.data_plane) << ": " << w.injection_reason;
  if (w.data_plane_loc.known()) o << " (" << src.describe(w.data_plane_loc) << ")";
  o << "\n";
}

}  // namespace

std::string format_explanation_json(const analysis::Explanation& e, const SourceSet& src) {
  const mesh::Workload& w = *e.target.workload;
  json j;
  j["workload"] = w.display();
  j["origin"] = mesh::to_string(w.origin);
  j["sidecar"] = w.has_proxy();
  j["data_plane"] = data_plane_json(e, src);
  if (!e.target.note.empty()) j["note"] = e.target.note;
  if (!e.assumptions.empty()) j["assumptions"] = e.assumptions;
  j["ports"] = ports_json(e, src);
  j["request_authentications"] = request_authentications_json(w, src);
  j["policies"] = policies_json(e, src);
  j["enforcement"] = enforcement_json(e, src);
  if (is_ambient(e)) {
    json waypoint_only = json::array();
    for (const auto* p : w.ignored_target_ref_authorization_policies)
      waypoint_only.push_back({{"policy", p->meta.ns + "/" + p->meta.name}, {"location", src.describe(p->loc)}});
    j["not_enforced_by_ztunnel"] = waypoint_only;
    j["enforcement_chain"] = chains_json(e, src);
  }
  if (!e.network_layer.empty()) j["network_layer"] = e.network_layer;
  if (!e.linkerd.empty()) j["linkerd"] = e.linkerd;
  return j.dump(2) + "\n";
}

std::string format_explanation_text(const analysis::Explanation& e, const SourceSet& src) {
  const mesh::Workload& w = *e.target.workload;
  std::ostringstream o;
  o << "Workload " << w.display() << " (" << mesh::to_string(w.origin) << ")\n";
  if (!e.target.note.empty()) o << "  note: " << e.target.note << "\n";
  print_data_plane(o, e, src);
  for (const std::string& a : e.assumptions) o << "  assumption: " << a << "\n";
  if (!w.has_proxy() && e.linkerd.empty())
    o << "  no sidecar: Istio enforces neither mTLS nor authorization on this workload\n";
  print_ports(o, e, src);
  print_request_authentications(o, w, src);
  print_policies(o, e, src);
  print_chains(o, e, src);
  if (!e.network_layer.empty()) o << "  L3/L4 layer (NetworkPolicy):\n";
  for (const std::string& line : e.network_layer) o << "    " << line << "\n";
  if (!e.linkerd.empty()) o << "  Linkerd inbound policy (docs/semantics.md#linkerd-policy):\n";
  for (const std::string& line : e.linkerd) o << "    " << line << "\n";
  print_summary(o, e);
  return o.str();
}

}  // namespace meshproof::report
