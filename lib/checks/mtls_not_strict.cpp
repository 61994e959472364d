// mtls-not-strict (MP1002): in a regulated namespace, every workload × port must be STRICT. PERMISSIVE
// accepts plaintext next to mTLS and DISABLE accepts only plaintext; plaintext requests are neither
// encrypted nor carry a peer identity (IS §8, §11). The effective mode and the PeerAuthentication that
// decided it come from the mesh layer (IS §11: most specific level wins, UNSET inherits, no policy at
// all means PERMISSIVE).
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/linkerd_rules.h"
#include "mesh/linkerd.h"

namespace meshproof::checks {
namespace {

const char* level_name(mesh::MtlsLevel l) {
  switch (l) {
    case mesh::MtlsLevel::Default:
      return "default";
    case mesh::MtlsLevel::Mesh:
      return "mesh";
    case mesh::MtlsLevel::Namespace:
      return "namespace";
    case mesh::MtlsLevel::Workload:
      return "workload";
    case mesh::MtlsLevel::WorkloadPort:
      return "port";
  }
  return "default";
}

const char* level_phrase(mesh::MtlsLevel l) {
  switch (l) {
    case mesh::MtlsLevel::Default:
      return "";
    case mesh::MtlsLevel::Mesh:
      return "mesh-wide";
    case mesh::MtlsLevel::Namespace:
      return "namespace-wide";
    case mesh::MtlsLevel::Workload:
      return "workload-level";
    case mesh::MtlsLevel::WorkloadPort:
      return "port-level";
  }
  return "";
}

class MtlsNotStrict final : public Check {
 public:
  MtlsNotStrict()
      : Check(
            CheckInfo{"mtls-not-strict", "MP1002", Severity::Error,
                      "A workload port in a regulated namespace accepts plaintext (mTLS mode not STRICT)",
                      "For every workload and port in a regulated namespace, resolves the effective PeerAuthentication "
                      "mode as Istio does (mesh, namespace, workload and port level; UNSET inherits; no policy means "
                      "PERMISSIVE) and reports each one that is not STRICT, naming the PeerAuthentication that decided "
                      "it. PERMISSIVE and DISABLE accept plaintext connections, which are neither encrypted nor "
                      "authenticated, and identity-based authorization rules do not match them."}) {}

  // What this check examines is every workload of a regulated namespace (not the default, the policies),
  // so that JUnit lists a passing case per workload and auditor reports show the workloads as evidence.
  std::vector<ResourceRef> subjects(const Context& ctx) const override { return regulated_workloads(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (!ctx.is_regulated(w.ns)) continue;
      // Linkerd's proxy serves it: PeerAuthentication does not decide (the run lists it as not analyzed).
      if (mesh::served_by_linkerd(w, ctx.mesh)) {
        report_linkerd_default(ctx, w, out);
        report_linkerd_skipped_ports(ctx, w, out);
        continue;
      }
      if (w.ports.empty()) {
        report(ctx, w, nullptr, w.default_mtls, out);
        continue;
      }
      for (const mesh::WorkloadPort& p : w.ports) report(ctx, w, &p, p.mtls, out);
    }
    // Ports a Linkerd Server governs: plaintext passes iff one of its authorizations is unauthenticated (LK28).
    linkerd::plaintext_server_ports(ctx, info(), out);
  }

 private:
  // A Linkerd member (docs/semantics.md#linkerd, L17): the ports config.linkerd.io/skip-inbound-ports names
  // reach the application past Linkerd's proxy (iptables), so they accept plaintext whatever Linkerd's policy
  // says. The rest of its inbound policy is Linkerd's, listed as not analyzed.
  // A Linkerd member whose default inbound policy admits unauthenticated connections (docs/semantics.md#linkerd-policy
  // LK15, LK20): every port no Linkerd Server covers (at least every port the pod does not declare) takes
  // plaintext; Servers' own authorizations are decided by query/explain.
  void report_linkerd_default(const Context& ctx, const mesh::Workload& w, std::vector<Finding>& out) const {
    const mesh::LinkerdMembership m = mesh::linkerd_membership(w, ctx.mesh);
    std::string from;
    const std::string policy = mesh::linkerd_default_policy(m, &from, ctx.linkerd_default_policy);
    if (!mesh::linkerd_policy_admits_plaintext(policy)) return;
    const std::string subject = describe_workload(w);
    Finding f =
        make(w.ref(), m.loc.known() ? m.loc : workload_loc(ctx.mesh, w),
             subject + " accepts plaintext on every port no Linkerd Server covers: it is injected by Linkerd (" +
                 m.reason + ") and its default inbound policy is " + policy + " (" + from +
                 "), which admits connections without a client identity (docs/semantics.md#linkerd-policy)",
             "set config.linkerd.io/default-inbound-policy: all-authenticated (or cluster-authenticated, or "
             "deny) on namespace " +
                 w.ns +
                 " or the pod template and recreate the pods, and give each port that must take "
                 "plaintext a Server with its own authorization; if the install sets "
                 "proxy.defaultInboundPolicy, annotate the namespace to say so",
             "linkerd-default=" + policy);
    f.properties["workload"] = w.display();
    f.properties["workload_kind"] = workload_kind(w);
    f.properties["port"] = "";
    f.properties["mode"] = "PERMISSIVE";
    f.properties["decided_by"] = policy;
    f.properties["level"] = "linkerd-default-inbound-policy";
    out.push_back(std::move(f));
  }

  void report_linkerd_skipped_ports(const Context& ctx, const mesh::Workload& w, std::vector<Finding>& out) const {
    const mesh::LinkerdMembership m = mesh::linkerd_membership(w, ctx.mesh);
    for (const std::string& entry : split(m.skip_inbound_ports, ',')) {
      const std::string port = trim(entry);
      if (port.empty()) continue;
      const std::string subject = describe_workload(w);
      Finding f = make(w.ref(), m.loc.known() ? m.loc : workload_loc(ctx.mesh, w),
                       subject + " accepts plaintext on port " + port + ": it is injected by Linkerd (" + m.reason +
                           "), and config.linkerd.io/skip-inbound-ports sends that port past Linkerd's proxy, so "
                           "neither mTLS nor Linkerd's policy applies to it (docs/semantics.md#linkerd)",
                       "remove " + port +
                           " from config.linkerd.io/skip-inbound-ports, or restrict who reaches it with a "
                           "NetworkPolicy; if it must accept plaintext, record a profile exception with a "
                           "justification (docs/profiles.md)",
                       "port=" + port);
      f.properties["workload"] = w.display();
      f.properties["workload_kind"] = workload_kind(w);
      f.properties["port"] = port;
      f.properties["mode"] = "NONE";
      f.properties["decided_by"] = "";
      f.properties["level"] = "linkerd-skip-inbound-ports";
      out.push_back(std::move(f));
    }
  }

  void report(const Context& ctx, const mesh::Workload& w, const mesh::WorkloadPort* port, const mesh::MtlsDecision& d,
              std::vector<Finding>& out) const {
    const bool no_sidecar = !w.has_proxy();
    if (!no_sidecar && d.mode == model::MtlsMode::Strict) return;
    // A gateway listener's TLS comes from its Gateway server, not PeerAuthentication (D6): gateway-* checks
    // judge it.
    if (d.gateway_listener) return;

    const std::string subject = describe_workload(w);
    const std::string port_key = port ? std::to_string(port->port) : "*";
    std::string port_text = port ? "port " + std::to_string(port->port) : "every port";
    if (port && !port->name.empty()) port_text += " (" + port->name + ")";
    const std::string mode = model::to_string(d.mode);

    std::string message, help;
    Loc loc = workload_loc(ctx.mesh, w);
    if (no_sidecar) {
      // PeerAuthentication configures the sidecar's inbound listener; without a sidecar nothing
      // terminates mTLS, so the workload takes plaintext whatever the policy says.
      message = subject + " accepts plaintext on " + port_text + ": it runs without an Istio sidecar (" +
                w.injection_reason + "), so no PeerAuthentication applies to it";
      help = "enable sidecar injection for " + subject + " so that mTLS is enforced on it";
    } else {
      const char* accepts =
          d.mode == model::MtlsMode::Disable ? "accepts only plaintext" : "accepts plaintext as well as mTLS";
      message = subject + " " + accepts + " on " + port_text + ": its mTLS mode is " + mode;
      if (d.decided_by) {
        message += ", set by " + std::string(level_phrase(d.level)) + " PeerAuthentication " +
                   namespace_of(*d.decided_by) + "/" + d.decided_by->meta.name;
      } else {
        // A PeerAuthentication may apply and still decide nothing: UNSET (or no `mtls`) inherits, and
        // with nothing above it Istio's default PERMISSIVE remains (IS §11).
        std::vector<std::string> inheriting;
        for (const model::PeerAuthentication* pa : {w.pa_workload, w.pa_namespace, w.pa_mesh})
          if (pa) inheriting.push_back("PeerAuthentication " + namespace_of(*pa) + "/" + pa->meta.name);
        if (inheriting.empty())
          message += " because no PeerAuthentication applies to it and Istio's default is PERMISSIVE";
        else
          message += " because " + join(inheriting, " and ") +
                     " leaves the mode UNSET (inherit) and no level above sets one, so Istio's default "
                     "PERMISSIVE applies";
      }
      message += "; plaintext callers are neither encrypted nor authenticated";
      help = fix_for(ctx, w, port, d);
      if (d.decided_by) loc = decided_loc(d, port);
    }

    Finding f = make(w.ref(), loc, std::move(message), std::move(help), "port=" + port_key);
    if (!no_sidecar && d.decided_by) {
      f.related.push_back(RelatedLocation{"decides mode " + mode + " (" + level_name(d.level) + " level)",
                                          d.decided_by->ref(), decided_loc(d, port)});
    }
    f.properties["workload"] = w.display();
    f.properties["workload_kind"] = workload_kind(w);
    f.properties["port"] = port_key;
    f.properties["mode"] = no_sidecar ? "NONE" : mode;
    f.properties["decided_by"] = (!no_sidecar && d.decided_by) ? resource_text(*d.decided_by) : "";
    f.properties["level"] = no_sidecar ? "no-sidecar" : level_name(d.level);
    out.push_back(std::move(f));
  }

  // The mode field that decided: the portLevelMtls entry for a port-level decision, else `mtls.mode`.
  static Loc decided_loc(const mesh::MtlsDecision& d, const mesh::WorkloadPort* port) {
    if (d.level == mesh::MtlsLevel::WorkloadPort && port) {
      for (const model::PortMtls& pm : d.decided_by->port_level)
        if (pm.port == port->port && pm.loc.known()) return pm.loc;
    }
    if (d.decided_by->mode_loc.known()) return d.decided_by->mode_loc;
    return d.decided_by->loc;
  }

  static std::string fix_for(const Context& ctx, const mesh::Workload& w, const mesh::WorkloadPort* port,
                             const mesh::MtlsDecision& d) {
    std::string fix;
    std::string pa = d.decided_by ? namespace_of(*d.decided_by) + "/" + d.decided_by->meta.name : "";
    const std::string& root = ctx.mesh.config.root_namespace;
    switch (d.level) {
      case mesh::MtlsLevel::Default:
        fix = "add a PeerAuthentication with mtls.mode: STRICT in namespace " + w.ns +
              " (without a selector it covers every workload there)";
        if (w.ns != root) fix += ", or mesh-wide in the root namespace " + root;
        break;
      case mesh::MtlsLevel::Mesh:
        fix = "set mtls.mode: STRICT in PeerAuthentication " + pa;
        if (w.ns != root)
          fix += ", or add a PeerAuthentication with mtls.mode: STRICT in namespace " + w.ns +
                 " (a namespace-wide policy takes precedence over the mesh-wide one)";
        break;
      case mesh::MtlsLevel::Namespace:
        fix = "set mtls.mode: STRICT in PeerAuthentication " + pa;
        break;
      case mesh::MtlsLevel::Workload:
        fix = "set mtls.mode: STRICT in PeerAuthentication " + pa +
              " (a workload-level policy overrides the namespace-wide one)";
        break;
      case mesh::MtlsLevel::WorkloadPort:
        fix = "set mode: STRICT for port " + (port ? std::to_string(port->port) : std::string("*")) +
              " under portLevelMtls in PeerAuthentication " + pa + ", or remove that port entry";
        break;
    }
    return fix + "; if " + (port ? "this port" : "the workload") +
           " must accept plaintext, record a profile exception with a justification (docs/profiles.md)";
  }
};

}  // namespace

std::unique_ptr<Check> make_mtls_not_strict_check() { return std::make_unique<MtlsNotStrict>(); }

}  // namespace meshproof::checks
