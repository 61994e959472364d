// Programs: the policies that apply to a workload, lowered for each of its ports and protocol views into
// ir::Programs (CUSTOM provider checks, IS §2; JWT issuers of RequestAuthentication, IS §1, §12). Source
// references for each rule are in docs/semantics.md, section `ir`.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "ir/lower.h"
#include "ir/lower_ztunnel.h"

namespace meshproof::ir {

LowerContext LowerContext::from(const model::MeshConfig& mc) {
  LowerContext ctx;
  ctx.trust_domains.clear();
  ctx.trust_domains.push_back(mc.trust_domain.empty() ? "cluster.local" : mc.trust_domain);
  for (const auto& a : mc.trust_domain_aliases) ctx.trust_domains.push_back(a);
  ctx.providers = mc.extension_providers;
  ctx.providers_known = mc.from_input;
  ctx.path_normalization = parse_path_normalization(mc.path_normalization);
  return ctx;
}

namespace {

// Keyed by policy, protocol and whether it is ztunnel's lowering.
using PolicyCache = std::map<std::tuple<const model::AuthorizationPolicy*, Protocol, bool>, LoweredPolicy>;

const LoweredPolicy& lowered(PolicyCache& cache, const model::AuthorizationPolicy& p, Protocol proto,
                             const LowerContext& ctx) {
  auto key = std::make_tuple(&p, proto, false);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, lower_policy(p, proto, ctx)).first;
  return it->second;
}

// An ambient workload's inbound connections are authorized by its node's ztunnel (docs/semantics.md#ztunnel):
// only the policies istiod sends it, each lowered as ztunnel reads it (A4-A8).
void add_ztunnel_policies(Program& prog, const mesh::Workload& w, const LowerContext& ctx, PolicyCache& cache) {
  for (const model::AuthorizationPolicy* p : w.authorization_policies) {
    if (std::string skip = ztunnel_skip_reason(*p); !skip.empty()) {
      prog.drops.push_back({DropKind::PolicyNotEnforced, p->meta.ns + "/" + p->meta.name, skip, p->loc});
      continue;
    }
    auto key = std::make_tuple(p, Protocol::Tcp, true);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, lower_policy_ztunnel(*p, ctx)).first;
    const LoweredPolicy& lp = it->second;
    for (const auto& d : lp.drops)
      if (d.kind == DropKind::RuleDropped) prog.drops.push_back(d);
    std::vector<Rule>& dest = p->action == model::Action::Allow ? prog.allow : prog.deny;
    if (p->action == model::Action::Allow) prog.has_allow_policy = true;
    dest.insert(dest.end(), lp.rules.begin(), lp.rules.end());
  }
}

// The policies' surviving rules by action, with the rules Istio dropped; returns the CUSTOM providers.
std::set<std::string> add_policies(Program& prog, const mesh::Workload& w, Protocol protocol, const LowerContext& ctx,
                                   PolicyCache& cache) {
  std::set<std::string> providers;
  for (const model::AuthorizationPolicy* p : w.authorization_policies) {
    const LoweredPolicy& lp = lowered(cache, *p, protocol, ctx);
    for (const auto& d : lp.drops)
      if (d.kind == DropKind::RuleDropped) prog.drops.push_back(d);
    std::vector<Rule>* dest = nullptr;
    switch (p->action) {
      case model::Action::Allow:
        dest = &prog.allow;
        if (!p->dry_run) prog.has_allow_policy = true;  // dry-run ALLOW enforces nothing (IS §2)
        break;
      case model::Action::Deny:
        dest = &prog.deny;
        break;
      case model::Action::Audit:
        dest = &prog.audit;
        break;
      case model::Action::Custom:
        dest = &prog.custom;
        providers.insert(p->provider);
        break;
    }
    dest->insert(dest->end(), lp.rules.begin(), lp.rules.end());
  }
  return providers;
}

// An HTTP ext_authz provider has no TCP filter: the CUSTOM policy is silently ignored (IS §2, §7).
void drop_http_provider_on_tcp(Program& prog, const std::string& name) {
  std::set<const model::AuthorizationPolicy*> seen;
  for (const auto& r : prog.custom)
    if (r.policy.policy && seen.insert(r.policy.policy).second)
      prog.drops.push_back(
          {DropKind::PolicyNotEnforced, r.policy.display(),
           "CUSTOM policy with the HTTP ext_authz provider \"" + name +
               "\" is not enforced on a TCP port (docs/semantics.md#decision-order, #http-only-on-tcp)",
           r.policy.loc});
  prog.custom.clear();
  prog.custom_mode = CustomMode::None;
}

// CUSTOM: provider checks (IS §2).
void decide_custom(Program& prog, const std::set<std::string>& providers, Protocol protocol, const LowerContext& ctx) {
  if (prog.custom.empty()) return;
  prog.custom_mode = CustomMode::Delegate;
  if (providers.size() > 1) {
    prog.custom_mode = CustomMode::FailClosed;
    std::string names;
    for (const auto& n : providers) names += (names.empty() ? "" : ", ") + n;
    prog.custom_reason = "more than one CUSTOM provider applies (" + names +
                         ") and Istio supports one per workload by default, so it denies what the CUSTOM "
                         "rules match (docs/semantics.md#decision-order)";
    return;
  }
  const std::string& name = *providers.begin();
  const model::ExtensionProvider* found = nullptr;
  for (const auto& ep : ctx.providers)
    if (ep.name == name) found = &ep;
  bool is_ext_authz = found && (found->type == "envoyExtAuthzHttp" || found->type == "envoyExtAuthzGrpc");
  if (!found && ctx.providers_known) {
    prog.custom_mode = CustomMode::FailClosed;
    prog.custom_reason = "provider \"" + name +
                         "\" is not defined in meshConfig.extensionProviders, so Istio denies what the "
                         "CUSTOM rules match (docs/semantics.md#decision-order)";
  } else if (found && is_ext_authz && !found->problem.empty()) {
    prog.custom_mode = CustomMode::FailClosed;
    prog.custom_reason = "provider \"" + name + "\" is refused by Istio (" + found->problem +
                         "), so Istio denies what the CUSTOM rules match (docs/semantics.md#decision-order)";
  } else if (found && !is_ext_authz) {
    prog.custom_mode = CustomMode::FailClosed;
    prog.custom_reason = "provider \"" + name + "\" is a " + found->type +
                         " provider, not an ext_authz one, so Istio denies what the CUSTOM rules match "
                         "(docs/semantics.md#decision-order)";
  } else if (found && found->type == "envoyExtAuthzHttp" && protocol == Protocol::Tcp) {
    drop_http_provider_on_tcp(prog, name);
  } else if (!found) {
    prog.custom_reason =
        "provider \"" + name + "\" is assumed to be defined: the input has no mesh config to check it against";
  }
}

// RequestAuthentication: the jwt_authn filter exists on HTTP chains only (IS §1, §12).
void add_jwt_issuers(Program& prog, const mesh::Workload& w, Protocol protocol) {
  if (protocol != Protocol::Http) return;
  for (const model::RequestAuthentication* ra : w.request_authentications) {
    for (const auto& jr : ra->jwt_rules) {
      JwtIssuer j;
      j.issuer = jr.issuer.value;
      for (const auto& a : jr.audiences.items) j.audiences.push_back(a.value);
      j.request_authentication = ra->meta.ns + "/" + ra->meta.name;
      j.loc = jr.loc;
      prog.jwt_issuers.push_back(std::move(j));
    }
  }
  prog.has_request_authentication = !prog.jwt_issuers.empty();
}

Program make_program(const mesh::Workload& w, uint32_t port, const std::string& port_name, Protocol protocol,
                     bool sniffed, const mesh::MtlsDecision& mtls, const LowerContext& ctx, PolicyCache& cache) {
  Program prog;
  prog.workload = w.display();
  prog.class_id = w.class_id;
  prog.port = port;
  prog.port_name = port_name;
  prog.protocol = protocol;
  prog.path_normalization = ctx.path_normalization;
  prog.sniffed = sniffed;
  prog.mtls = mtls.mode == model::MtlsMode::Unset ? model::MtlsMode::Permissive : mtls.mode;
  if (mtls.decided_by) {
    prog.mtls_decided_by = "PeerAuthentication " + mtls.decided_by->meta.ns + "/" + mtls.decided_by->meta.name;
    prog.mtls_loc = mtls.decided_by->loc;
  }
  prog.enforced = w.has_proxy();
  if (w.data_plane == mesh::DataPlane::Ambient) {
    prog.mtls = ztunnel_mtls_mode(prog.mtls);  // A10: DISABLE is not supported, it reads as PERMISSIVE
    add_ztunnel_policies(prog, w, ctx, cache);
    return prog;
  }
  std::set<std::string> providers = add_policies(prog, w, protocol, ctx, cache);
  decide_custom(prog, providers, protocol, ctx);
  add_jwt_issuers(prog, w, protocol);
  return prog;
}

void add_port(WorkloadPrograms& out, const mesh::Workload& w, uint32_t port, const std::string& name,
              mesh::PortProtocol proto, const mesh::MtlsDecision& mtls, const LowerContext& ctx, PolicyCache& cache) {
  PortPrograms pp;
  pp.port = port;
  pp.name = name;
  if (w.data_plane == mesh::DataPlane::Ambient) {
    // ztunnel sees connections only, whatever the port's protocol: one L4 view (A4).
    pp.views.push_back(make_program(w, port, name, Protocol::Tcp, false, mtls, ctx, cache));
    out.ports.push_back(std::move(pp));
    return;
  }
  pp.sniffed = proto == mesh::PortProtocol::Sniffed;
  if (proto != mesh::PortProtocol::Tcp)
    pp.views.push_back(make_program(w, port, name, Protocol::Http, pp.sniffed, mtls, ctx, cache));
  if (proto != mesh::PortProtocol::Http)
    pp.views.push_back(make_program(w, port, name, Protocol::Tcp, pp.sniffed, mtls, ctx, cache));
  out.ports.push_back(std::move(pp));
}

}  // namespace

Program build_program(const mesh::Workload& workload, uint32_t port, const std::string& port_name, Protocol protocol,
                      bool sniffed, const mesh::MtlsDecision& mtls, const LowerContext& ctx) {
  PolicyCache cache;
  return make_program(workload, port, port_name, protocol, sniffed, mtls, ctx, cache);
}

WorkloadPrograms build_programs(const mesh::Workload& workload, const LowerContext& ctx) {
  WorkloadPrograms out;
  out.workload = workload.display();
  out.class_id = workload.class_id;
  PolicyCache cache;
  std::vector<const mesh::WorkloadPort*> ports;
  for (const auto& p : workload.ports) ports.push_back(&p);
  std::stable_sort(ports.begin(), ports.end(),
                   [](const mesh::WorkloadPort* a, const mesh::WorkloadPort* b) { return a->port < b->port; });
  std::set<uint32_t> seen;
  for (const auto* p : ports) {
    if (p->port == 0 || !seen.insert(p->port).second) continue;
    add_port(out, workload, p->port, p->name, p->protocol, p->mtls, ctx, cache);
  }
  // Every other port: inbound passthrough, protocol sniffed, workload-level mTLS mode.
  add_port(out, workload, 0, "", mesh::PortProtocol::Sniffed, workload.default_mtls, ctx, cache);
  return out;
}

std::vector<WorkloadPrograms> build_all_programs(const mesh::Mesh& mesh) {
  LowerContext ctx = LowerContext::from(mesh.config);
  std::vector<WorkloadPrograms> out;
  for (const auto& cls : mesh.classes) {
    if (cls.members.empty()) continue;
    out.push_back(build_programs(mesh.workloads[cls.members.front()], ctx));
  }
  return out;
}

}  // namespace meshproof::ir
