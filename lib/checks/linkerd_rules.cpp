// The checks on Linkerd's inbound policy (checks/linkerd_rules.h). Sources: ../shared/docs/semantics/linkerd.md
// (L1-L20) and linkerd2 at b24cd405, cited per rule in docs/semantics.md#linkerd-checks.
#include "checks/linkerd_rules.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "base/text.h"
#include "checks/describe.h"
#include "checks/gap_findings.h"
#include "checks/gap_views.h"
#include "engine/witness.h"
#include "mesh/linkerd.h"
#include "model/linkerd_policy.h"

namespace meshproof::checks::linkerd {

namespace {

using Authz = ir::LinkerdAuthorization;

// An authorization's identity across pods and ports: the object it comes from and what of it (an
// AuthorizationPolicy, a ServerAuthorization, or a Server's accessPolicy).
struct AuthzKey {
  std::string kind;
  const model::ResourceBase* object = nullptr;
  friend auto operator<=>(const AuthzKey&, const AuthzKey&) = default;
};

AuthzKey key_of(const Authz& a) { return AuthzKey{a.kind, a.object}; }

// Later in the input first: of two authorizations that cover each other, the later is reported (as
// redundant-rule decides Istio's rules).
bool later(const AuthzKey& a, const AuthzKey& b) {
  return std::tie(a.object->loc, a.kind) > std::tie(b.object->loc, b.kind);
}

std::vector<PortView> views_of(const Context& ctx, const std::vector<LinkerdUnit>& units) {
  std::vector<PortView> out;
  for (const LinkerdUnit& u : units) {
    std::vector<uint32_t> declared;
    for (const auto& pp : u.lowered.programs.ports)
      if (pp.port != 0) declared.push_back(pp.port);
    for (size_t i = 0; i < u.lowered.programs.ports.size(); ++i)
      for (const ir::Program& prog : u.lowered.programs.ports[i].views)
        if (prog.enforced) out.push_back(PortView{&u, &u.lowered.ports[i], gaps::View(prog, declared,
                                                                                       ctx.options.query_timeout_ms)});
  }
  return out;
}

// The declared workloads Linkerd serves, in workload order (none without Linkerd policy objects read).
std::vector<LinkerdUnit> linkerd_units(const Context& ctx) {
  std::vector<LinkerdUnit> out;
  if (!ctx.linkerd) return out;
  const ir::LinkerdCluster cluster = cluster_of(ctx);
  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (w.origin != mesh::WorkloadOrigin::Declared || !mesh::served_by_linkerd(w, ctx.mesh)) continue;
    out.push_back(LinkerdUnit{&w, ir::lower_linkerd_pod(ir::linkerd_pod(w, ctx.mesh), *ctx.linkerd, cluster)});
  }
  return out;
}

std::string where_text(PortView& pv) {
  return pv.view.describe() + " of " + pv.view.program().workload;
}

Witness witness(const Context& ctx, const ir::Program& program, const engine::QueryResult& r) {
  return engine::to_witness(program, *r.request, *r.decision, ctx.options.input_paths);
}

Loc authz_loc(const Authz& a) { return a.loc.known() ? a.loc : a.object->loc; }

// The identity values of an authorization that cannot name a Linkerd workload identity (lowered to false).
std::vector<std::string> foreign_identities(const Authz& a) {
  std::vector<std::string> out;
  for (const ir::Term& t : a.identities)
    if (t.is_false) out.push_back(t.source_value);
  return out;
}

// --- never-matching ------------------------------------------------------------------------------------

struct NeverFacts {
  const Authz* authz = nullptr;
  bool matched = false;
  std::string unknown;
  std::vector<std::string> workloads;
};

const model::ResourceBase* missing_authentication(const model::LinkerdAuthorizationPolicy& p,
                                                  const model::LinkerdPolicySet& set, std::string& what) {
  for (const model::LinkerdRef& r : p.authentications) {
    const std::string ns = r.ns.empty() ? p.meta.ns : r.ns;
    const std::string kind = ascii_lower(r.kind);
    bool found = true;
    if (kind == "meshtlsauthentication")
      found = std::any_of(set.meshtls_authentications.begin(), set.meshtls_authentications.end(),
                          [&](const auto& m) { return m.meta.ns == ns && m.meta.name == r.name; });
    else if (kind == "networkauthentication")
      found = std::any_of(set.network_authentications.begin(), set.network_authentications.end(),
                          [&](const auto& n) { return n.meta.ns == ns && n.meta.name == r.name; });
    if (!found) {
      what = r.kind + " " + ns + "/" + r.name;
      return &p;
    }
  }
  return nullptr;
}

void report_ignored_policies(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out) {
  for (const auto& p : ctx.linkerd->authorization_policies) {
    std::string what;
    if (!missing_authentication(p, *ctx.linkerd, what)) continue;
    Finding f = make_finding(
        info, p.ref(), p.loc,
        "AuthorizationPolicy " + p.meta.ns + "/" + p.meta.name + " authorizes nothing: it requires " + what +
            ", which does not exist, and Linkerd's policy controller ignores a policy whose authentication cannot "
            "be resolved (it does not fail open; docs/semantics.md#linkerd-policy LK12)",
        "create " + what + " or correct the name in spec.requiredAuthenticationRefs; until then the callers this "
                           "policy was written for are denied",
        "linkerd-unresolved");
    f.properties["missing"] = what;
    out.push_back(std::move(f));
  }
}

}  // namespace

ir::LinkerdCluster cluster_of(const Context& ctx) { return ir::linkerd_cluster(ctx.linkerd_default_policy); }

Pass& linkerd_pass(const Context& ctx) {
  if (!ctx.linkerd_pass) {
    auto pass = std::make_shared<Pass>();
    pass->units = linkerd_units(ctx);
    pass->views = views_of(ctx, pass->units);
    ctx.linkerd_pass = std::move(pass);
  }
  return *ctx.linkerd_pass;
}

void add_authorization_subjects(const Context& ctx, std::vector<ResourceRef>& out) {
  if (!ctx.linkerd) return;
  for (const auto& p : ctx.linkerd->authorization_policies) out.push_back(p.ref());
  for (const auto& a : ctx.linkerd->server_authorizations) out.push_back(a.ref());
}

void add_reference_subjects(const Context& ctx, std::vector<ResourceRef>& out) {
  if (!ctx.linkerd) return;
  for (const auto& s : ctx.linkerd->servers) out.push_back(s.ref());
  add_authorization_subjects(ctx, out);
  for (const auto& r : ctx.linkerd->http_routes) out.push_back(r.ref());
}

bool linkerd_in_use(const Context& ctx) {
  if (ctx.linkerd && ctx.linkerd->object_count() > 0) return true;
  return std::any_of(ctx.mesh.workloads.begin(), ctx.mesh.workloads.end(),
                     [&](const mesh::Workload& w) { return mesh::served_by_linkerd(w, ctx.mesh); });
}

void never_matching_authorizations(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out) {
  if (!ctx.linkerd) return;
  report_ignored_policies(ctx, info, out);
  std::vector<PortView>& views = linkerd_pass(ctx).views;
  std::map<AuthzKey, NeverFacts> facts;
  for (PortView& pv : views) {
    const auto& authzs = pv.authzs();
    for (size_t i = 0; i < authzs.size(); ++i) {
      if (!authzs[i].object) continue;
      NeverFacts& f = facts[key_of(authzs[i])];
      if (!f.authz) f.authz = &authzs[i];
      gaps::add_unique(f.workloads, describe_workload(*pv.unit->workload));
      if (f.matched) continue;
      engine::Query q;
      q.rule_matches(engine::RuleRef{model::Action::Allow, i});
      const engine::QueryResult r = pv.view.find(q.existence_only());
      if (r.answer == engine::SatAnswer::Sat) f.matched = true;
      if (r.answer == engine::SatAnswer::Unknown && f.unknown.empty()) f.unknown = r.reason + " on " + where_text(pv);
    }
  }
  for (const auto& [key, f] : facts) {
    if (f.matched) continue;
    const Authz& a = *f.authz;
    const std::string subject = "ALLOW " + a.display();
    if (!f.unknown.empty()) {
      out.push_back(gaps::inconclusive_finding(info, a.object->ref(), authz_loc(a), subject,
                                               "any request satisfies it", f.unknown, "linkerd-authorization"));
      continue;
    }
    const std::vector<std::string> foreign = foreign_identities(a);
    const bool route_policy = a.display().find(" on HTTPRoute ") != std::string::npos;
    std::string why = foreign.empty()
                          ? (route_policy ? ": every request its HTTPRoute matches is decided by a better (or equal and "
                                            "older) match of another route of the Server, since Linkerd's proxy takes "
                                            "the best match (docs/semantics.md#linkerd-routes LK33)"
                                          : std::string())
                          : ": its identities (" + gaps::list_text(foreign, 4) +
                                            ") cannot be the identity of a Linkerd-meshed pod (SA.NS.serviceaccount."
                                            "identity.linkerd.cluster.local; a SPIFFE id or another DNS name matches "
                                            "only exactly, docs/semantics.md#linkerd-policy LK9)";
    Finding fnd = make_finding(info, a.object->ref(), authz_loc(a),
                               subject + " never matches on " + gaps::list_text(f.workloads, 3) + why +
                                   "; proven by Z3: no connection or request on any port it applies to satisfies it, "
                                   "so it authorizes nothing",
                               route_policy && foreign.empty()
                                   ? "give the route matches no other route of the Server decides (a longer path, a "
                                     "method or headers), or target the route that decides those requests"
                                   : "name the callers by their Linkerd identities (SA.NS.serviceaccount.identity."
                                     "linkerd.cluster.local), a Namespace or ServiceAccount identityRef, or delete it",
                               "linkerd-authorization");
    fnd.properties["workloads"] = join(f.workloads, "; ");
    out.push_back(std::move(fnd));
  }
}

// --- redundant -------------------------------------------------------------------------------------------

namespace {

struct RedundantAuthzFacts {
  const Authz* authz = nullptr;
  bool matchable = false, uncovered = false;
  std::string unknown;
  std::vector<AuthzKey> cover;
  std::map<AuthzKey, std::string> cover_names;
  std::vector<std::string> workloads;
  std::optional<Witness> example;
};

// A reportable subject: an object the user wrote as an authorization (not a Server's accessPolicy default).
bool redundancy_subject(const Authz& a) {
  return a.object && (a.kind == "AuthorizationPolicy" || a.kind == "ServerAuthorization");
}

void cover_on_view(const Context& ctx, PortView& pv, size_t i, RedundantAuthzFacts& f) {
  const auto& authzs = pv.authzs();
  engine::RuleRef me{model::Action::Allow, i};
  std::vector<size_t> cover;
  for (size_t j = 0; j < authzs.size(); ++j)  // the same authorization on another route covers nothing
    if (j != i && key_of(authzs[j]) != key_of(authzs[i])) cover.push_back(j);
  // Shrink: drop later authorizations the rest still covers.
  std::vector<size_t> by_lateness = cover;
  std::sort(by_lateness.begin(), by_lateness.end(), [&](size_t a, size_t b) {
    if (!authzs[a].object || !authzs[b].object) return authzs[a].object != nullptr && !authzs[b].object;
    return later(key_of(authzs[a]), key_of(authzs[b]));
  });
  for (size_t j : by_lateness) {
    if (cover.size() <= 1) break;
    engine::Query without;
    without.rule_matches(me);
    for (size_t k : cover)
      if (k != j) without.rule_matches(engine::RuleRef{model::Action::Allow, k}, false);
    if (pv.view.find(without.existence_only()).answer == engine::SatAnswer::Unsat)
      cover.erase(std::find(cover.begin(), cover.end(), j));
  }
  for (size_t j : cover) {
    const AuthzKey k = key_of(authzs[j]);
    gaps::add_unique(f.cover, k);
    f.cover_names.emplace(k, authzs[j].display());
  }
  if (!f.example) {
    const engine::QueryResult any = pv.view.find(engine::Query().rule_matches(me));
    if (any.answer == engine::SatAnswer::Sat) f.example = witness(ctx, pv.view.program(), any);
  }
}

void visit_redundant(const Context& ctx, PortView& pv, size_t i, RedundantAuthzFacts& f) {
  const auto& authzs = pv.authzs();
  engine::RuleRef me{model::Action::Allow, i};
  engine::Query alone;
  alone.rule_matches(me);
  for (size_t j = 0; j < authzs.size(); ++j)
    if (j != i) alone.rule_matches(engine::RuleRef{model::Action::Allow, j}, false);
  const engine::QueryResult r = pv.view.find(alone.existence_only());
  if (r.answer == engine::SatAnswer::Sat) {
    f.uncovered = true;
    return;
  }
  if (r.answer == engine::SatAnswer::Unknown) {
    if (f.unknown.empty()) f.unknown = r.reason + " on " + where_text(pv);
    return;
  }
  const engine::QueryResult any = pv.view.find(engine::Query().rule_matches(me).existence_only());
  if (any.answer == engine::SatAnswer::Unknown && f.unknown.empty()) f.unknown = any.reason + " on " + where_text(pv);
  if (any.answer != engine::SatAnswer::Sat) return;  // matches nothing here: never-matching-rule's question
  f.matchable = true;
  gaps::add_unique(f.workloads, describe_workload(*pv.unit->workload));
  cover_on_view(ctx, pv, i, f);
}

}  // namespace

void redundant_authorizations(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out) {
  if (!ctx.linkerd) return;
  std::vector<PortView>& views = linkerd_pass(ctx).views;
  std::map<AuthzKey, RedundantAuthzFacts> facts;
  for (PortView& pv : views) {
    const auto& authzs = pv.authzs();
    for (size_t i = 0; i < authzs.size(); ++i) {
      if (!redundancy_subject(authzs[i])) continue;
      RedundantAuthzFacts& f = facts[key_of(authzs[i])];
      if (!f.authz) f.authz = &authzs[i];
      if (!f.uncovered) visit_redundant(ctx, pv, i, f);
    }
  }
  std::vector<AuthzKey> order;
  for (const auto& [k, f] : facts) order.push_back(k);
  std::sort(order.begin(), order.end(), [](const AuthzKey& a, const AuthzKey& b) { return later(a, b); });
  std::set<AuthzKey> reported;
  for (const AuthzKey& k : order) {
    const RedundantAuthzFacts& f = facts.at(k);
    if (!f.matchable || f.uncovered) continue;
    const Authz& a = *f.authz;
    if (!f.unknown.empty()) {
      out.push_back(gaps::inconclusive_finding(info, a.object->ref(), authz_loc(a), "ALLOW " + a.display(),
                                               "other authorizations admit every request it admits", f.unknown,
                                               "linkerd-authorization"));
      continue;
    }
    if (std::any_of(f.cover.begin(), f.cover.end(), [&](const AuthzKey& c) { return reported.count(c) > 0; }))
      continue;
    reported.insert(k);
    std::vector<std::string> names;
    std::vector<RelatedLocation> related;
    for (const AuthzKey& c : f.cover) {
      names.push_back(f.cover_names.at(c));
      if (c.object) related.push_back({"also admits every request of the redundant authorization", c.object->ref(),
                                       c.object->loc});
    }
    std::string msg = "ALLOW " + a.display() + " is redundant on " + gaps::list_text(f.workloads, 3) +
                      ": every request it admits is also admitted by " + gaps::list_text(names, 4) +
                      ", and Linkerd's authorizations are a union with no DENY (docs/semantics.md#linkerd-policy "
                      "LK10), so removing it changes no decision; proven by Z3 (no request matches it and none of "
                      "those)";
    if (f.example) msg += "; e.g. " + gaps::witness_summary(*f.example) + " matches both";
    Finding fnd = make_finding(info, a.object->ref(), authz_loc(a), std::move(msg),
                               "delete it; if it was meant to admit something the others do not, fix what makes it "
                               "a copy, or narrow the broader authorization",
                               "linkerd-authorization");
    fnd.witness = f.example;
    fnd.related = std::move(related);
    fnd.properties["covered_by"] = join(names, "; ");
    fnd.properties["workloads"] = join(f.workloads, "; ");
    out.push_back(std::move(fnd));
  }
}

// --- overly permissive -----------------------------------------------------------------------------------

namespace {

enum class LinkerdShape { Constrained, Open, ClusterOpen, NetworkOnly, AnyIdentity };

// The caller condition of an authorization, as overly-permissive-rule's shapes read Istio's rules: none at
// all, the cluster's networks only, written networks only (an address range is not an identity), or any
// meshed identity and nothing else.
LinkerdShape shape_of(const Authz& a) {
  if (a.authn == Authz::Authn::Unauthenticated) {
    if (a.networks_written) return LinkerdShape::NetworkOnly;
    return a.cluster_networks ? LinkerdShape::ClusterOpen : LinkerdShape::Open;
  }
  if (a.any_identity && !a.networks_written) return LinkerdShape::AnyIdentity;
  return LinkerdShape::Constrained;
}

// A pod injected in Linkerd's ingress mode (linkerd.io/inject: ingress) serves clients from outside the mesh,
// which have no identity: an address range or "any caller" is its purpose, as for Istio's ingress gateways.
bool ingress_mode(const Context& ctx, const mesh::Workload& w) {
  return mesh::linkerd_membership(w, ctx.mesh).reason.ends_with(": ingress");
}

struct PermissiveAuthzFacts {
  const Authz* authz = nullptr;
  std::string kind, why;
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string unknown;
};

std::optional<std::string> permissive_kind(const Context& ctx, const PortView& pv, const Authz& a) {
  const LinkerdShape shape = shape_of(a);
  if (shape == LinkerdShape::Constrained || ingress_mode(ctx, *pv.unit->workload)) return std::nullopt;
  const bool regulated = ctx.is_regulated(a.ns);
  bool names = false;
  for (const Authz& other : pv.authzs())
    names = names || (other.object && shape_of(other) == LinkerdShape::Constrained);
  if (shape == LinkerdShape::NetworkOnly) return std::string("ip-as-identity");
  if (shape == LinkerdShape::AnyIdentity) return regulated ? std::optional<std::string>("any-identity") : std::nullopt;
  if (names || regulated) return std::string("any-caller");
  return std::nullopt;
}

std::string permissive_text(const Authz& a, const std::string& kind, const Witness& w) {
  const std::string who = w.mtls ? "with any meshed identity" : "with any identity or none (plaintext)";
  if (kind == "ip-as-identity")
    return " admits callers by network only: an address range is not an identity, so every pod or node in it is "
           "allowed " +
           who + " (docs/semantics.md#linkerd-policy LK27)";
  if (kind == "any-identity")
    return " admits every workload with a Linkerd identity" +
           std::string(a.any_identity && a.authn == Authz::Authn::TlsUnauthenticated ? " (unauthenticatedTLS)"
                                                                                       : " (`*`)") +
           ", in regulated namespace " + a.ns;
  const std::string opens =
      a.object && a.display().find(" on HTTPRoute ") != std::string::npos
          ? "the route (" + a.display().substr(a.display().find(" on HTTPRoute ") + 4) + ")"
          : std::string("the port");
  return std::string(" has no caller condition") + (a.cluster_networks ? " beyond the cluster networks" : "") +
         ", so it admits any caller " + who + "; Linkerd's authorizations are a union, so it opens " + opens +
         " whatever the others name, in " +
         (a.ns.empty() ? std::string("its namespace") : "namespace " + a.ns);
}

}  // namespace

void overly_permissive_authorizations(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out) {
  if (!ctx.linkerd) return;
  std::vector<PortView>& views = linkerd_pass(ctx).views;
  std::map<AuthzKey, PermissiveAuthzFacts> facts;
  for (PortView& pv : views) {
    const auto& authzs = pv.authzs();
    for (size_t i = 0; i < authzs.size(); ++i) {
      if (!authzs[i].object) continue;
      const std::optional<std::string> kind = permissive_kind(ctx, pv, authzs[i]);
      if (!kind) continue;
      PermissiveAuthzFacts& f = facts[key_of(authzs[i])];
      f.authz = &authzs[i];
      f.kind = *kind;
      if (f.example) {
        gaps::add_unique(f.workloads, describe_workload(*pv.unit->workload));
        continue;
      }
      const engine::RuleRef ref{model::Action::Allow, i};
      const bool plaintext = *kind != "any-identity" && pv.view.program().mtls != model::MtlsMode::Strict;
      engine::QueryResult r = pv.view.find(engine::Query().decided_by(ref).verdict(engine::Verdict::Allow).mtls(!plaintext));
      if (r.answer == engine::SatAnswer::Unsat)
        r = pv.view.find(engine::Query().rule_matches(ref).verdict(engine::Verdict::Allow).mtls(!plaintext));
      if (r.answer == engine::SatAnswer::Unknown && f.unknown.empty()) f.unknown = r.reason + " on " + where_text(pv);
      if (r.answer != engine::SatAnswer::Sat) continue;
      gaps::add_unique(f.workloads, describe_workload(*pv.unit->workload));
      f.example = witness(ctx, pv.view.program(), r);
    }
  }
  for (const auto& [key, f] : facts) {
    const Authz& a = *f.authz;
    const std::string subject = "ALLOW " + a.display();
    if (!f.example) {
      if (!f.unknown.empty())
        out.push_back(gaps::inconclusive_finding(info, a.object->ref(), authz_loc(a), subject,
                                                 "it admits callers it does not name", f.unknown,
                                                 "linkerd-authorization"));
      continue;
    }
    std::string msg = subject + permissive_text(a, f.kind, *f.example) + "; on " + gaps::list_text(f.workloads, 3) +
                      ", e.g. " + gaps::witness_summary(*f.example) + " is " + f.example->decision;
    if (!f.example->decided_by.empty()) msg += " by " + f.example->decided_by;
    const std::string help =
        f.kind == "ip-as-identity"
            ? "require a MeshTLSAuthentication (or ServiceAccount) naming the callers in the same AuthorizationPolicy, "
              "so that the network is an extra condition, not the identity"
            : "name the callers: a MeshTLSAuthentication with their identities, or ServiceAccount refs "
              "(requiredAuthenticationRefs), instead of every caller";
    Finding fnd = make_finding(info, a.object->ref(), authz_loc(a), std::move(msg), help, "linkerd-authorization");
    fnd.witness = f.example;
    fnd.properties["kind"] = f.kind;
    fnd.properties["workloads"] = join(f.workloads, "; ");
    out.push_back(std::move(fnd));
  }
}

// --- selector-matches-nothing -----------------------------------------------------------------------------

namespace {

// The injector adds the proxy container with ports named linkerd-proxy and linkerd-admin to every pod it
// injects (linkerd2 charts/partials/templates/proxy.tpl), so a Server may name them although the pod template
// does not show them.
bool has_named_port(const Context& ctx, const mesh::Workload& w, const std::string& name) {
  if ((name == "linkerd-proxy" || name == "linkerd-admin") && mesh::linkerd_membership(w, ctx.mesh).member) return true;
  if (!w.decl) return false;
  return std::any_of(w.decl->ports.begin(), w.decl->ports.end(),
                     [&](const model::ContainerPort& p) { return p.name == name && p.protocol == "TCP"; });
}

void check_server_selector(const Context& ctx, const CheckInfo& info, const model::LinkerdServer& s,
                           std::vector<Finding>& out) {
  if (!s.pod_selector.present) return;
  bool declared = false, selected = false, port = false;
  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (w.origin != mesh::WorkloadOrigin::Declared || w.ns != s.meta.ns) continue;
    declared = true;
    if (!s.pod_selector.matches(w.labels)) continue;
    selected = true;
    port = port || s.port_number != 0 || has_named_port(ctx, w, s.port_name);
  }
  if (!declared || (selected && port)) return;
  const std::string name = "Server " + s.meta.ns + "/" + s.meta.name;
  const std::string msg =
      !selected ? name + "'s podSelector matches no pod the input declares in namespace " + s.meta.ns +
                      ", so it governs no port and the authorizations that target it apply nowhere "
                      "(docs/semantics.md#linkerd-checks LK24)"
                : name + " selects pods of namespace " + s.meta.ns + ", but none has a TCP container port named " +
                      s.port_name + ", so it governs no port (linkerd2 index.rs 1379-1390; docs/semantics.md#linkerd-checks LK24)";
  Finding f = make_finding(info, s.ref(), s.pod_selector.loc.known() ? s.pod_selector.loc : s.loc, msg,
                           "correct the podSelector labels (or the port name) to those of the pods it is for",
                           "linkerd-server");
  out.push_back(std::move(f));
}

bool server_exists(const model::LinkerdPolicySet& set, const std::string& ns, const std::string& name) {
  return std::any_of(set.servers.begin(), set.servers.end(),
                     [&](const model::LinkerdServer& s) { return s.meta.ns == ns && s.meta.name == name; });
}

void check_server_authorization(const Context& ctx, const CheckInfo& info, const model::LinkerdServerAuthorization& a,
                                std::vector<Finding>& out) {
  const model::LinkerdPolicySet& set = *ctx.linkerd;
  std::string problem;
  if (!a.server_name.empty() && !server_exists(set, a.meta.ns, a.server_name))
    problem = "names Server " + a.server_name + ", which the input does not declare in namespace " + a.meta.ns;
  if (a.server_name.empty() && a.server_selector.present &&
      std::none_of(set.servers.begin(), set.servers.end(), [&](const model::LinkerdServer& s) {
        return s.meta.ns == a.meta.ns && a.server_selector.matches(s.meta.labels);
      }))
    problem = "selects Servers by labels, and no Server of namespace " + a.meta.ns + " has them";
  if (problem.empty()) return;
  out.push_back(make_finding(info, a.ref(), a.server_selector.loc.known() ? a.server_selector.loc : a.loc,
                             "ServerAuthorization " + a.meta.ns + "/" + a.meta.name + " " + problem +
                                 ", so it authorizes nothing (linkerd2 index.rs 1823-1830; "
                                 "docs/semantics.md#linkerd-checks LK24)",
                             "name a Server of its namespace in spec.server (name or selector)", "linkerd-server"));
}

bool route_exists(const model::LinkerdPolicySet& set, const model::LinkerdAuthorizationPolicy& p) {
  return std::any_of(set.http_routes.begin(), set.http_routes.end(), [&](const model::LinkerdHTTPRoute& r) {
    return r.meta.ns == p.meta.ns && r.meta.name == p.target.name &&
           r.api_version.substr(0, r.api_version.rfind('/')) == p.target.group;
  });
}

// An AuthorizationPolicy whose targetRef is an HTTPRoute the input does not declare authorizes nothing (index.rs
// 1937-1995: route policies attach to the route only).
void check_policy_route_target(const Context& ctx, const CheckInfo& info, const model::LinkerdAuthorizationPolicy& p,
                               std::vector<Finding>& out) {
  if (ascii_lower(p.target.kind) != "httproute" || route_exists(*ctx.linkerd, p)) return;
  out.push_back(make_finding(info, p.ref(), p.target.loc.known() ? p.target.loc : p.loc,
                             "AuthorizationPolicy " + p.meta.ns + "/" + p.meta.name + " targets HTTPRoute " +
                                 p.target.name + " (" + p.target.group + "), which the input does not declare in "
                                 "namespace " + p.meta.ns + ", so it authorizes nothing (docs/semantics.md#linkerd-routes LK35)",
                             "correct spec.targetRef (group and name) to an HTTPRoute of the policy's namespace",
                             "linkerd-target"));
}

// An HTTPRoute whose Server parentRefs name no Server of its namespace is attached to nothing (inbound/routes.rs).
void check_route_parents(const Context& ctx, const CheckInfo& info, const model::LinkerdHTTPRoute& r,
                         std::vector<Finding>& out) {
  std::vector<std::string> missing;
  for (const model::gwapi::ParentReference& p : r.parent_refs)
    if (model::is_linkerd_server_parent(p) && !server_exists(*ctx.linkerd, r.meta.ns, p.name))
      missing.push_back(p.name);
  if (missing.empty()) return;
  out.push_back(make_finding(info, r.ref(), r.parent_refs_loc.known() ? r.parent_refs_loc : r.loc,
                             "HTTPRoute " + r.meta.ns + "/" + r.meta.name + " names Server " +
                                 gaps::list_text(missing, 3) + ", which the input does not declare in namespace " +
                                 r.meta.ns + ", so it routes and authorizes nothing (docs/semantics.md#linkerd-routes LK35)",
                             "correct spec.parentRefs to a Server of the route's namespace", "linkerd-route"));
}

void check_policy_target(const Context& ctx, const CheckInfo& info, const model::LinkerdAuthorizationPolicy& p,
                         std::vector<Finding>& out) {
  check_policy_route_target(ctx, info, p, out);
  if (ascii_lower(p.target.kind) != "server" || server_exists(*ctx.linkerd, p.meta.ns, p.target.name)) return;
  out.push_back(make_finding(info, p.ref(), p.target.loc.known() ? p.target.loc : p.loc,
                             "AuthorizationPolicy " + p.meta.ns + "/" + p.meta.name + " targets Server " +
                                 p.target.name + ", which the input does not declare in namespace " + p.meta.ns +
                                 ", so it authorizes nothing (docs/semantics.md#linkerd-checks LK24)",
                             "correct spec.targetRef.name to a Server of the policy's namespace", "linkerd-target"));
}

}  // namespace

void linkerd_references_matching_nothing(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out) {
  if (!ctx.linkerd) return;
  for (const auto& s : ctx.linkerd->servers) check_server_selector(ctx, info, s, out);
  for (const auto& a : ctx.linkerd->server_authorizations) check_server_authorization(ctx, info, a, out);
  for (const auto& p : ctx.linkerd->authorization_policies) check_policy_target(ctx, info, p, out);
  for (const auto& r : ctx.linkerd->http_routes) check_route_parents(ctx, info, r, out);
}

// --- mtls-not-strict on Servers ----------------------------------------------------------------------------

void plaintext_server_ports(const Context& ctx, const CheckInfo& info, std::vector<Finding>& out) {
  for (const LinkerdUnit& u : linkerd_pass(ctx).units) {
    if (!ctx.is_regulated(u.workload->ns)) continue;
    for (const ir::LinkerdPortPolicy& port : u.lowered.ports) {
      if (!port.server || port.skipped) continue;
      std::vector<std::string> open;
      for (const auto* list : {&port.authorizations, &port.http_authorizations})  // Server's, then its routes'
        for (const Authz& a : *list)
          if (a.authn == Authz::Authn::Unauthenticated) gaps::add_unique(open, a.display());
      if (open.empty()) continue;
      const std::string p = std::to_string(port.port);
      Finding f = make_finding(
          info, u.workload->ref(), port.server->loc,
          describe_workload(*u.workload) + " accepts plaintext on port " + p + ": its Server " +
              port.server->meta.ns + "/" + port.server->meta.name + " is authorized by " + gaps::list_text(open, 3) +
              ", which admits connections without a client identity (docs/semantics.md#linkerd-policy LK20)",
          "require a MeshTLSAuthentication or ServiceAccount in those authorizations (or meshTLS in a "
          "ServerAuthorization), so that only meshed callers with an identity reach port " + p,
          "linkerd-server-port=" + p);
      f.properties["workload"] = u.workload->display();
      f.properties["workload_kind"] = workload_kind(*u.workload);
      f.properties["port"] = p;
      f.properties["mode"] = "PERMISSIVE";
      f.properties["decided_by"] = "Server " + port.server->meta.ns + "/" + port.server->meta.name;
      f.properties["level"] = "linkerd-server";
      out.push_back(std::move(f));
    }
  }
}

}  // namespace meshproof::checks::linkerd
