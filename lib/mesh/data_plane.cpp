// Data-plane membership per workload (docs/semantics.md#data-plane-membership): which proxy, if any, serves
// a pod's inbound traffic. Sidecar injection follows Istio's injection webhooks (their namespaceSelector
// and objectSelector in the istiod chart's MutatingWebhookConfiguration, then injectRequired in
// pkg/kube/inject/inject.go); ambient enrollment follows istio-cni's enablement selectors (ambient.md A1, A2:
// a sidecar wins); gateway pods run the proxy themselves. Where the input declares neither the Namespace nor
// a decisive pod label, the membership is the assumption in ResolveOptions (default: sidecar).
#include <array>
#include <string_view>

#include "mesh/linkerd.h"
#include "mesh/resolve_internal.h"

namespace meshproof::mesh {

const char* to_string(DataPlane d) {
  switch (d) {
    case DataPlane::Sidecar:
      return "sidecar";
    case DataPlane::Ambient:
      return "ambient";
    case DataPlane::Gateway:
      return "gateway";
    case DataPlane::None:
      return "none";
  }
  return "?";
}

const char* enforcement_point(DataPlane d) {
  switch (d) {
    case DataPlane::Sidecar:
      return "sidecar";
    case DataPlane::Ambient:
      return "ztunnel";
    case DataPlane::Gateway:
      return "gateway";
    case DataPlane::None:
      return "none";
  }
  return "?";
}

std::optional<DataPlane> parse_assumed_data_plane(const std::string& s) {
  if (s == "sidecar") return DataPlane::Sidecar;
  if (s == "ambient") return DataPlane::Ambient;
  if (s == "none") return DataPlane::None;
  return std::nullopt;
}

namespace detail {

namespace {

constexpr const char* kInjectKey = "sidecar.istio.io/inject";
constexpr const char* kStatusAnnotation = "sidecar.istio.io/status";
constexpr const char* kInjectionLabel = "istio-injection";
constexpr const char* kRevLabel = "istio.io/rev";
constexpr const char* kDataplaneMode = "istio.io/dataplane-mode";
constexpr const char* kRedirection = "ambient.istio.io/redirection";

// The webhook's IgnoredNamespaces (pkg/kube/inject/inject.go): never injected.
bool never_injected_namespace(const std::string& ns) {
  static constexpr std::array<std::string_view, 4> kIgnored = {"kube-system", "kube-public", "kube-node-lease",
                                                               "local-path-storage"};
  for (std::string_view n : kIgnored)
    if (ns == n) return true;
  return false;
}

const std::string* label(const model::Labels& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? nullptr : &it->second;
}

void set(Workload& w, DataPlane d, std::string reason, Loc loc = {}, bool assumed = false) {
  w.data_plane = d;
  w.data_plane_opted_out = false;
  w.injection_reason = std::move(reason);
  w.data_plane_loc = loc;
  w.data_plane_assumed = assumed;
}

// Gateway pods that run the proxy as their main container (classic ingress/egress gateways, Gateway API
// gateways deployed by Istio).
bool decide_gateway(Workload& w) {
  if (w.decl && w.decl->runs_proxy_as_gateway) {
    set(w, DataPlane::Gateway, "runs the istio-proxy container itself (gateway)");
    return true;
  }
  if (!w.gateway_name.empty()) {
    set(w, DataPlane::Gateway, "Gateway API gateway pod (label " + std::string(kGatewayNameLabel) + ")");
    return true;
  }
  if (const std::string* v = label(w.labels, "istio"); v && (*v == "ingressgateway" || *v == "egressgateway")) {
    set(w, DataPlane::Gateway, "Istio gateway (label istio=" + *v + ")");
    return true;
  }
  return false;
}

Loc pod_labels_loc(const Workload& w) {
  if (!w.decl) return w.selector_loc;
  return w.decl->pod_labels_loc.known() ? w.decl->pod_labels_loc : w.decl->loc;
}

// The pod's sidecar.istio.io/inject: the label, else the annotation ("if both are present we prefer the
// label", injectRequired). `where` says which one, for messages.
std::string inject_value(const Workload& w, std::string& where) {
  if (const std::string* v = label(w.labels, kInjectKey)) {
    where = "pod label";
    return *v;
  }
  if (w.decl) {
    if (const std::string* v = label(w.decl->pod_annotations, kInjectKey)) {
      where = "pod annotation";
      return *v;
    }
  }
  return "";
}

// The pod is ambient by istio-cni's enablement selectors, given the namespace's labels (nullptr: unknown).
bool ambient_selected(const Workload& w, const model::Labels* ns_labels) {
  const std::string* pod = label(w.labels, kDataplaneMode);
  if (pod && *pod == "ambient") return true;
  if (pod && *pod == "none") return false;
  const std::string* ns = ns_labels ? label(*ns_labels, kDataplaneMode) : nullptr;
  return ns && *ns == "ambient";
}

// Which of the default revision's four injection webhooks is called for the pod in a declared namespace, by
// their namespaceSelector and objectSelector; "" when none is.
std::string webhook_called(const Workload& w, const model::Labels& ns_labels) {
  const std::string* injection = label(ns_labels, kInjectionLabel);
  const std::string* rev = label(ns_labels, kRevLabel);
  if (injection) return *injection == "enabled" ? "namespace label istio-injection=enabled" : "";
  if (rev) return "namespace label istio.io/rev=" + *rev;
  if (const std::string* v = label(w.labels, kInjectKey); v && *v == "true")
    return "pod label " + std::string(kInjectKey) + "=true";
  if (const std::string* v = label(w.labels, kRevLabel)) return "pod label istio.io/rev=" + *v;
  return "";
}

// A declared Namespace decides: sidecar when a webhook is called (the pod did not opt out: checked before),
// else ambient when istio-cni selects the pod, else no proxy at all (istioctl's IST0102 NamespaceNotInjected).
void decide_in_declared_namespace(Workload& w, const NamespaceInfo& ns) {
  const model::Namespace& decl = *ns.decl;
  const Loc ns_loc = decl.meta.labels_loc.known() ? decl.meta.labels_loc : decl.meta.loc;
  const std::string webhook = webhook_called(w, ns.labels);
  if (!webhook.empty()) {
    const bool pod_level = webhook.rfind("pod ", 0) == 0;
    set(w, DataPlane::Sidecar, webhook, pod_level ? pod_labels_loc(w) : ns_loc);
    return;
  }
  if (ambient_selected(w, &ns.labels)) {
    const std::string* pod = label(w.labels, kDataplaneMode);
    const bool pod_level = pod && *pod == "ambient";
    set(w, DataPlane::Ambient,
        std::string(pod_level ? "pod" : "namespace " + w.ns) + " label " + kDataplaneMode + "=ambient",
        pod_level ? pod_labels_loc(w) : ns_loc);
    return;
  }
  if (const std::string* v = label(ns.labels, kInjectionLabel)) {
    set(w, DataPlane::None, "namespace " + w.ns + " is labelled " + kInjectionLabel + "=" + *v, ns_loc);
    w.data_plane_opted_out = true;
    return;
  }
  std::string reason = "namespace " + w.ns + " is declared without an " + kInjectionLabel + ", " + kRevLabel + " or " +
                       kDataplaneMode + " label";
  const std::string* pod = label(w.labels, kDataplaneMode);
  const bool pod_opt_out = pod && *pod == "none";
  if (pod_opt_out) reason = "pod label " + std::string(kDataplaneMode) + "=none in namespace " + w.ns;
  set(w, DataPlane::None, reason, pod_opt_out ? pod_labels_loc(w) : ns_loc);
  w.data_plane_opted_out = pod_opt_out;
}

// The namespace is not in the input: a pod label still decides; otherwise the assumption.
void decide_undeclared(Workload& w, DataPlane assumed) {
  if (const std::string* v = label(w.labels, kInjectKey); v && *v == "true") {
    set(w, DataPlane::Sidecar, "pod label " + std::string(kInjectKey) + ": \"true\"", pod_labels_loc(w));
    return;
  }
  if (const std::string* v = label(w.labels, kDataplaneMode); v && *v == "ambient") {
    set(w, DataPlane::Ambient, "pod label " + std::string(kDataplaneMode) + "=ambient", pod_labels_loc(w));
    return;
  }
  const bool opted_out =
      assumed == DataPlane::Ambient && !ambient_selected(w, nullptr) && label(w.labels, kDataplaneMode) != nullptr;
  const DataPlane d = opted_out ? DataPlane::None : assumed;
  set(w, d,
      std::string("assumed ") + to_string(d) + " (namespace " + w.ns + " is not declared in the input" +
          (assumed == DataPlane::Sidecar ? "" : "; --data-plane " + std::string(to_string(assumed))) +
          (opted_out ? "; the pod label " + std::string(kDataplaneMode) + " opts it out" : "") + ")",
      opted_out ? pod_labels_loc(w) : Loc{}, true);
  w.data_plane_opted_out = opted_out;
}

// A pod that Linkerd's injector injects and Istio does not serve (no proxy by Istio's rules, or only the
// assumption) runs Linkerd's proxy: Istio's policies say nothing about it (mesh/linkerd.h).
void decide_linkerd(Workload& w, const Mesh& mesh) {
  if (w.data_plane != DataPlane::None && !w.data_plane_assumed) return;
  if (never_injected_namespace(w.ns)) return;
  const LinkerdMembership m = linkerd_membership(w, mesh);
  if (!m.member) return;
  set(w, DataPlane::None, "injected by Linkerd (" + m.reason + "): Linkerd's proxy, not Istio's, serves it", m.loc);
  w.data_plane_opted_out = true;
}

void decide_istio_data_plane(Workload& w, const Mesh& mesh);

}  // namespace

void decide_data_plane(Workload& w, const Mesh& mesh) {
  decide_istio_data_plane(w, mesh);
  decide_linkerd(w, mesh);
}

namespace {

void decide_istio_data_plane(Workload& w, const Mesh& mesh) {
  if (decide_gateway(w)) return;
  if (never_injected_namespace(w.ns)) {
    set(w, DataPlane::None, "namespace " + w.ns + " is never injected");
    w.data_plane_opted_out = true;
    return;
  }
  if (w.decl && label(w.decl->pod_annotations, kStatusAnnotation)) {
    set(w, DataPlane::Sidecar, "pod annotation " + std::string(kStatusAnnotation) + " (already injected)",
        pod_labels_loc(w));
    return;
  }
  // istio-cni marks the pods it redirected (ambient.md §1.3); istioctl's in_mesh.go reads the same mark.
  if (const std::string* v = w.decl ? label(w.decl->pod_annotations, kRedirection) : nullptr; v && *v == "enabled") {
    set(w, DataPlane::Ambient, "pod annotation " + std::string(kRedirection) + ": enabled (redirected by istio-cni)",
        pod_labels_loc(w));
    return;
  }
  std::string where;
  const std::string value = inject_value(w, where);
  if (value == "false") {
    set(w, DataPlane::None, where + " " + kInjectKey + ": \"false\"", pod_labels_loc(w));
    w.data_plane_opted_out = true;
    return;
  }
  auto ns = mesh.namespaces.find(w.ns);
  if (ns != mesh.namespaces.end() && ns->second.decl) {
    decide_in_declared_namespace(w, ns->second);
  } else {
    decide_undeclared(w, mesh.assumed_data_plane);
  }
  if (w.data_plane == DataPlane::Sidecar && !value.empty() && value != "true")
    w.injection_reason +=
        "; " + where + " " + kInjectKey + ": \"" + value + "\" is neither \"true\" nor \"false\", so Istio ignores it";
}

}  // namespace
}  // namespace detail
}  // namespace meshproof::mesh
