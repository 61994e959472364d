// query/explain on Linkerd-served workloads (analysis/linkerd_query.h).
#include "analysis/linkerd_query.h"

#include "analysis/query.h"
#include "base/text.h"
#include "ir/lower_linkerd.h"
#include "mesh/linkerd.h"
#include "model/linkerd_policy.h"

namespace meshproof::analysis {

bool linkerd_programs(const mesh::Workload& w, const app::Input& input, ir::WorkloadPrograms& programs) {
  if (!input.linkerd || !mesh::served_by_linkerd(w, input.mesh)) return false;
  ir::LinkerdLowered l = ir::lower_linkerd_pod(ir::linkerd_pod(w, input.mesh), *input.linkerd, ir::linkerd_cluster(input.linkerd_default_policy));
  l.programs.class_id = programs.class_id;
  programs = std::move(l.programs);
  return true;
}

std::string linkerd_principal_as_spiffe(const std::string& principal) {
  std::string td, ns, sa;
  if (!ir::parse_linkerd_identity(principal, ir::LinkerdCluster{}, td, ns, sa)) return principal;
  return td + "/ns/" + ns + "/sa/" + sa;
}

namespace {

std::string linkerd_port_text(const ir::LinkerdPortPolicy& p) {
  return p.port == 0 ? std::string("other ports") : "port " + std::to_string(p.port);
}

std::string linkerd_authorizations_text(const ir::LinkerdPortPolicy& p, const SourceSet& src) {
  if (p.authorizations.empty() && !p.routes.empty()) return "no Server-level authorization";
  if (p.authorizations.empty()) return "no authorization: every connection is denied";
  std::string out;
  for (const ir::LinkerdAuthorization& a : p.authorizations) {
    if (!out.empty()) out += "; ";
    out += a.display();
    if (a.object) out += " (" + src.describe(a.loc.known() ? a.loc : a.object->loc) + ")";
  }
  return "authorized by " + out;
}

}  // namespace

std::vector<std::string> explain_linkerd(const mesh::Workload& w, const app::Input& input,
                                         std::vector<std::string>& assumptions) {
  std::vector<std::string> out;
  if (!input.linkerd || !mesh::served_by_linkerd(w, input.mesh)) return out;
  const mesh::LinkerdMembership m = mesh::linkerd_membership(w, input.mesh);
  std::string from;
  const std::string policy = mesh::linkerd_default_policy(m, &from, input.linkerd_default_policy);
  out.push_back("injected by Linkerd (" + m.reason + "); default inbound policy " + policy + " (" + from + ")");
  if (!model::valid_linkerd_default_policy(m.default_inbound_policy) &&
      !model::valid_linkerd_default_policy(input.linkerd_default_policy))
    assumptions.push_back("Linkerd's install value proxy.defaultInboundPolicy is all-unauthenticated, its default "
                          "(--linkerd-default-policy states another)");
  const ir::LinkerdLowered l = ir::lower_linkerd_pod(ir::linkerd_pod(w, input.mesh), *input.linkerd,
                                                     ir::linkerd_cluster(input.linkerd_default_policy));
  for (const ir::LinkerdPortPolicy& p : l.ports) {
    std::string line = linkerd_port_text(p) + ": ";
    if (p.skipped)
      line += "skips Linkerd's proxy (config.linkerd.io/skip-inbound-ports or the install's ignoreInboundPorts): "
              "plaintext, no policy";
    else if (p.server)
      line += "Server " + p.server->meta.ns + "/" + p.server->meta.name + " (" + input.sources.describe(p.server->loc) +
              (p.server->proxy_protocol.empty() ? "" : ", proxyProtocol " + p.server->proxy_protocol) + "), " +
              linkerd_authorizations_text(p, input.sources);
    else
      line += "no Server: default inbound policy " + p.default_policy + ", " + linkerd_authorizations_text(p, input.sources);
    if (!p.routes.empty()) {
      std::vector<std::string> names;
      for (const model::LinkerdHTTPRoute* r : p.routes) names.push_back(r->meta.name);
      line += "; HTTP requests are decided by route: HTTPRoute " + join(names, ", ") +
              " (each authorized by its own AuthorizationPolicies and the Server's; a request no route matches gets "
              "404)";
    }
    for (const std::string& note : p.notes) line += "; " + note;
    out.push_back(std::move(line));
  }
  return out;
}

void explain_linkerd_route_decision(QueryAnswer& out) {
  const ir::Program& prog = *out.primary;
  if (prog.protocol != ir::Protocol::Http || prog.deny.empty() || !ir::is_linkerd_no_route_rule(prog.deny.back())) return;
  engine::Decision& d = out.decision;
  if (d.decided_by && ir::is_linkerd_no_route_rule(*d.decided_by)) {
    const std::string& name = d.decided_by->policy.name;
    d.explanation = "no HTTPRoute of Server " + d.decided_by->policy.ns + "/" +
                    name.substr(7, name.find(':') - 7) +
                    " matches the request, so Linkerd's proxy answers 404 before authorization";
    return;
  }
  if (d.verdict != engine::Verdict::Deny || d.reason != engine::Reason::NoAllowMatched) return;
  const ir::Request r = engine::effective_request(prog, out.request);
  for (const ir::Rule& rule : prog.allow)
    for (const ir::Clause& c : rule.permissions)
      if (engine::eval_clause(c, r, prog.protocol)) {
        const std::string& name = rule.policy.name;
        const size_t at = name.rfind(" (HTTPRoute ");
        const std::string route = at == std::string::npos ? name : name.substr(at + 2, name.size() - at - 3);
        d.explanation = "the request's route is " + route + ", and no authorization of the route or of its Server "
                        "admits this caller, so Linkerd's proxy answers 403";
        return;
      }
}

bool apply_linkerd_caller(const mesh::Workload& caller, const app::Input& input, QueryAnswer& out) {
  if (!mesh::served_by_linkerd(caller, input.mesh) || caller.service_account.empty()) return false;
  const ir::LinkerdCluster cluster;
  out.caller = "Linkerd-meshed workload " + caller.display() + " (identity " +
               ir::linkerd_identity(caller.service_account, caller.ns, cluster) + ")";
  out.request.set_principal(cluster.trust_domain + "/ns/" + caller.ns + "/sa/" + caller.service_account);
  return true;
}

}  // namespace meshproof::analysis
