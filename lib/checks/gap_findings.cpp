#include "checks/gap_findings.h"

#include "base/text.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "checks/gap_waypoints.h"
#include "engine/witness.h"

namespace meshproof::checks::gaps {

Finding inconclusive_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc, const std::string& subject,
                             const std::string& question, const std::string& reason, const std::string& key) {
  Finding f = make_finding(info, resource, loc,
                           subject + ": the proof was inconclusive: the solver answered unknown (" + reason +
                               "), so meshproof cannot say whether " + question,
                           "re-run with a larger --rlimit (or --timeout-ms, if the reason is the time limit); if it "
                           "stays unknown, check this by hand with "
                           "`meshproof query` (the solver's Unknown is never taken as safe)",
                           key + "/inconclusive");
  f.severity = Severity::Note;
  f.properties[kInconclusiveProperty] = "true";
  return f;
}

// The symbolic checks judge an ambient workload's ztunnel program: what ztunnel decides for a caller that
// reaches it with its own identity. `query` takes an mTLS caller to be an ambient workload, which passes
// the destination's waypoint when its Service has one, and ztunnel then sees the waypoint's identity
// (docs/semantics.md#enforcement-chain, A11/A12). So the reproduce command names a sidecar caller, which
// goes straight to ztunnel with its own identity, and replays the same decision with or without a waypoint.
Witness witness_of(const Shared& s, const ir::Program& program, const engine::QueryResult& r) {
  Witness w = engine::to_witness(program, *r.request, *r.decision, s.ctx.options.input_paths);
  if (is_waypoint_program(s.ctx, program)) {
    if (s.waypoints) return chain_witness(s.ctx, *s.waypoints, s.lower, program, *r.request, std::move(w));
    const mesh::WaypointModel wm = mesh::compute_waypoints(s.ctx.mesh);  // a Shared made outside the pass
    return chain_witness(s.ctx, wm, s.lower, program, *r.request, std::move(w));
  }
  if (!w.mtls || w.reproduce.empty()) return w;
  const size_t slash = program.workload.find('/');
  const mesh::Workload* dest = slash == std::string::npos ? nullptr
                                                          : s.ctx.mesh.find(program.workload.substr(0, slash),
                                                                            program.workload.substr(slash + 1));
  if (dest && dest->data_plane == mesh::DataPlane::Ambient) w.reproduce += " --caller sidecar";
  return w;
}

std::string witness_summary(const Witness& w) {
  std::string s;
  if (!w.method.empty() || !w.path.empty())
    s = (w.method.empty() ? std::string("a request") : w.method) + (w.path.empty() ? "" : " " + w.path);
  else
    s = "a " + (w.port_protocol.empty() ? std::string("TCP") : w.port_protocol) + " connection";
  s += w.mtls ? " from " + w.source_principal : std::string(" from a plaintext caller");
  if (w.has_token) s += " with a token from " + w.jwt_issuer;
  s += " to " + w.destination + " port " + std::to_string(w.port) + " (" + w.port_protocol + ")";
  return s;
}

std::string rule_text(const ir::RuleId& id) {
  return "AuthorizationPolicy " + namespace_of(*id.policy) + "/" + id.policy->meta.name + " rules[" +
         std::to_string(id.index) + "]";
}

Loc rule_loc(const ir::RuleId& id) {
  if (id.index >= 0 && static_cast<size_t>(id.index) < id.policy->rules.size()) {
    Loc l = id.policy->rules[id.index].loc;
    if (l.known()) return l;
  }
  return id.policy->loc;
}

std::string list_text(const std::vector<std::string>& items, size_t max) {
  if (items.size() <= max) return join(items, ", ");
  std::vector<std::string> head(items.begin(), items.begin() + static_cast<long>(max));
  return join(head, ", ") + " and " + std::to_string(items.size() - max) + " more";
}

std::vector<std::string> member_names(const ClassView& cls) {
  std::vector<std::string> out;
  if (!cls.point.empty()) out.push_back(cls.point);
  for (const mesh::Workload* w : cls.members) out.push_back(describe_workload(*w));
  return out;
}

namespace {

template <typename Pred>
bool match_has(const ir::Match& m, Pred pred) {
  for (const ir::Term& t : m.terms)
    for (const ir::Atom& a : t.atoms)
      if (pred(a.attr)) return true;
  return false;
}

}  // namespace

bool match_on_peer(const ir::Match& m) {
  if (match_has(m, ir::attribute_is_peer)) return true;
  // A value that lowers to false (e.g. a principal of the wrong shape) still names an identity.
  const std::string& f = m.field;
  for (const char* p : {"principals", "notPrincipals", "namespaces", "notNamespaces", "serviceAccounts",
                        "notServiceAccounts", "trustDomains", "notTrustDomains", "when[source.principal]",
                        "when[source.namespace]", "when[source.serviceAccount]", "when[source.trustDomain]"})
    if (f.rfind(p, 0) == 0) return true;
  return false;
}

bool match_on_jwt(const ir::Match& m) {
  if (match_has(m, ir::attribute_is_jwt)) return true;
  const std::string& f = m.field;
  return f.rfind("requestPrincipals", 0) == 0 || f.rfind("notRequestPrincipals", 0) == 0 ||
         f.rfind("when[request.auth.", 0) == 0;
}

bool match_on_ip(const ir::Match& m) {
  return match_has(m, [](ir::Attribute a) { return a == ir::Attribute::SourceIp || a == ir::Attribute::RemoteIp; });
}

}  // namespace meshproof::checks::gaps
