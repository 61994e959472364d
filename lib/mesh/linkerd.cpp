// Linkerd membership of a workload (mesh/linkerd.h). Sources: linkerd2 pkg/inject/report.go
// (disableByAnnotation: the truth table of linkerd.io/inject at namespace and pod level), charts/partials
// _metadata.tpl (linkerd.io/proxy-version marks an injected pod), pkg/inject/inject.go (the config.linkerd.io
// annotations a namespace gives the pods injected in it); docs/semantics.md#linkerd.
#include "mesh/linkerd.h"

#include "model/linkerd_policy.h"

namespace meshproof::mesh {

namespace {

constexpr const char* kInject = "linkerd.io/inject";
constexpr const char* kProxyVersion = "linkerd.io/proxy-version";
constexpr const char* kDefaultInboundPolicy = "config.linkerd.io/default-inbound-policy";
constexpr const char* kSkipInboundPorts = "config.linkerd.io/skip-inbound-ports";

const std::string* find(const model::Labels& annotations, const char* key) {
  auto it = annotations.find(key);
  return it == annotations.end() ? nullptr : &it->second;
}

const model::Namespace* declared_namespace(const Workload& w, const Mesh& mesh) {
  auto it = mesh.namespaces.find(w.ns);
  return it == mesh.namespaces.end() ? nullptr : it->second.decl;
}

bool valid_inject(const std::string* v) { return !v || *v == "enabled" || *v == "disabled" || *v == "ingress"; }
bool injects(const std::string* v) { return v && (*v == "enabled" || *v == "ingress"); }

// The injector's decision from the two annotations; `reason` names the one that decided.
bool injected_by_annotation(const std::string* pod, const std::string* ns, const std::string& ns_name,
                            std::string& reason, bool& at_namespace) {
  if (!valid_inject(ns) || !valid_inject(pod)) return false;
  if (injects(ns)) {
    if (pod && *pod == "disabled") return false;
    reason = "namespace " + ns_name + " annotation " + kInject + ": " + *ns;
    at_namespace = true;
    return true;
  }
  if (!injects(pod)) return false;
  reason = std::string("pod annotation ") + kInject + ": " + *pod;
  return true;
}

// A config.linkerd.io annotation as the pod ends up with it: its own, else its namespace's (copied at injection).
std::string pod_config(const model::Labels& pod, const model::Namespace* ns, const char* key) {
  if (const std::string* v = find(pod, key)) return *v;
  if (ns)
    if (const std::string* v = find(ns->meta.annotations, key)) return *v;
  return "";
}

}  // namespace

LinkerdMembership linkerd_membership(const Workload& w, const Mesh& mesh) {
  LinkerdMembership m;
  // Synthetic and "other" workloads stand for pods the input does not show: only their namespace speaks.
  static const model::Labels kNoAnnotations;
  const model::Labels& pod = w.decl ? w.decl->pod_annotations : kNoAnnotations;
  const model::Namespace* ns = declared_namespace(w, mesh);
  const Loc pod_loc = !w.decl ? Loc{} : w.decl->pod_labels_loc.known() ? w.decl->pod_labels_loc : w.decl->loc;
  if (find(pod, kProxyVersion)) {
    m.member = true;
    m.reason = std::string("pod annotation ") + kProxyVersion + " (already injected by Linkerd)";
    m.loc = pod_loc;
  } else {
    bool at_namespace = false;
    m.member = injected_by_annotation(find(pod, kInject), ns ? find(ns->meta.annotations, kInject) : nullptr, w.ns,
                                      m.reason, at_namespace);
    m.loc = at_namespace ? ns->meta.loc : pod_loc;
  }
  if (!m.member) return m;
  m.default_inbound_policy = pod_config(pod, ns, kDefaultInboundPolicy);
  m.skip_inbound_ports = pod_config(pod, ns, kSkipInboundPorts);
  return m;
}

bool linkerd_opted_out(const Workload& w, const Mesh& mesh) {
  if (!w.decl) return false;
  const std::string* pod = find(w.decl->pod_annotations, kInject);
  const model::Namespace* ns = declared_namespace(w, mesh);
  const std::string* at_ns = ns ? find(ns->meta.annotations, kInject) : nullptr;
  if (pod) return *pod == "disabled";
  return at_ns && *at_ns == "disabled";
}

bool served_by_linkerd(const Workload& w, const Mesh& mesh) {
  return !w.has_proxy() && linkerd_membership(w, mesh).member;
}

std::string linkerd_default_policy(const LinkerdMembership& m, std::string* from, const std::string& install) {
  // workload.rs 164-167: an invalid annotation is logged and ignored; the cluster default applies.
  const bool annotated = model::valid_linkerd_default_policy(m.default_inbound_policy);
  const bool given = model::valid_linkerd_default_policy(install);
  if (from)
    *from = annotated ? std::string("annotation ") + kDefaultInboundPolicy
            : given   ? std::string("the install value proxy.defaultInboundPolicy, --linkerd-default-policy")
                      : std::string("Linkerd's install default, assumed: --linkerd-default-policy sets the install "
                                    "value");
  return annotated ? m.default_inbound_policy : given ? install : "all-unauthenticated";
}

bool linkerd_policy_admits_plaintext(const std::string& policy) {
  return policy == "all-unauthenticated" || policy == "cluster-unauthenticated" || policy == "audit";
}

}  // namespace meshproof::mesh
