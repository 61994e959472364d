// Linkerd data-plane membership (docs/semantics.md#linkerd): whether Linkerd's proxy injector puts its proxy
// into a workload's pods, from the pod template's and the Namespace's annotations, and the per-pod settings
// that change what the proxy admits (the default inbound policy, ports that bypass the proxy). Computed on
// demand from the resolved workload, so that mesh.h stays unchanged; the data plane decision
// (mesh/data_plane.cpp) and the checks that must not judge Linkerd members as Istio workloads use it.
#pragma once

#include <string>

#include "base/location.h"
#include "mesh/mesh.h"

namespace meshproof::mesh {

struct LinkerdMembership {
  bool member = false;  // the injector injects the pods (or they carry an injected proxy already)
  std::string reason;   // why, for messages: "pod annotation linkerd.io/inject: enabled", ...
  Loc loc;              // the annotation that decided, when the input has it
  // config.linkerd.io/default-inbound-policy as the pod gets it (its own annotation, else the namespace's,
  // which the injector copies onto the pod); "" when neither sets it (the install's proxy.defaultInboundPolicy,
  // all-unauthenticated by default, applies).
  std::string default_inbound_policy;
  std::string skip_inbound_ports;  // config.linkerd.io/skip-inbound-ports (pod, else namespace), as written
};

// Linkerd's injection decision for a declared workload (the proxy injector's truth table in linkerd2
// pkg/inject/report.go disableByAnnotation): a namespace annotation linkerd.io/inject enabled or ingress
// injects unless the pod says disabled; otherwise the pod's own enabled or ingress injects; an invalid value
// at either level disables. A pod template that already carries linkerd.io/proxy-version was injected.
// Synthetic and "other" workloads (pods the input does not show) are members when their namespace says so.
LinkerdMembership linkerd_membership(const Workload& w, const Mesh& mesh);

// A workload Linkerd's injector skips on purpose: its pod template, or its Namespace without a pod-level
// enabled/ingress, says linkerd.io/inject: disabled (report.go disableByAnnotation).
bool linkerd_opted_out(const Workload& w, const Mesh& mesh);

// A workload whose inbound traffic Linkerd's proxy serves and no Istio proxy does: Istio's
// PeerAuthentication and AuthorizationPolicy say nothing about it (data plane none, opted out, with a
// Linkerd reason).
bool served_by_linkerd(const Workload& w, const Mesh& mesh);

// The default inbound policy of a member's ports without a Server (docs/semantics.md#linkerd-policy LK14): its
// config.linkerd.io/default-inbound-policy when Linkerd accepts the value, else the install's
// proxy.defaultInboundPolicy, taken to be Linkerd's default all-unauthenticated (meshproof does not read install
// values). `from` (when given) says which: "annotation config.linkerd.io/default-inbound-policy" or "Linkerd's
// install default".
// `install`: the install value when the user gives it (--linkerd-default-policy), else "".
std::string linkerd_default_policy(const LinkerdMembership& m, std::string* from = nullptr,
                                   const std::string& install = "");
// all-unauthenticated, cluster-unauthenticated and audit admit connections without a client identity (LK15).
bool linkerd_policy_admits_plaintext(const std::string& policy);

}  // namespace meshproof::mesh
