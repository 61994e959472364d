// The resolved world (DESIGN.md §3): which workloads exist, their ports and protocols, which policies
// apply to each, and the effective mTLS mode of every workload × port (istio-semantics.md §10, §11).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/resources.h"

namespace meshproof::mesh {

// selector ⊆ labels, for plain label maps (Service, Sidecar and Gateway selectors). Policy selectors use
// model::Selector::matches.
bool labels_subset(const model::Labels& selector, const model::Labels& labels);

enum class WorkloadOrigin : uint8_t {
  Declared,       // a Deployment, StatefulSet, ... in the input
  Synthetic,      // stands for a selector that no declared workload satisfies
  OtherWorkloads  // "any other workload" of a namespace: matches only namespace-wide policies
};
const char* to_string(WorkloadOrigin o);

// Which data plane serves a workload's inbound traffic (docs/semantics.md#data-plane-membership): an injected
// Envoy sidecar, ambient mode's ztunnel (istio.io/dataplane-mode=ambient), a gateway pod that runs the proxy
// as its main container, or nothing (the pod is outside the mesh: plaintext accepted, no policy enforced).
enum class DataPlane : uint8_t { Sidecar, Ambient, Gateway, None };
const char* to_string(DataPlane d);  // "sidecar", "ambient", "gateway", "none"
// The proxy that enforces policy on a workload of this data plane: "sidecar", "gateway" (the gateway pod's
// own Envoy), "ztunnel" (ambient, L4 only; its lowering is not modelled yet) or "none".
const char* enforcement_point(DataPlane d);
// `--data-plane` / the profile's `data-plane`: "sidecar", "ambient" or "none"; nullopt for anything else.
std::optional<DataPlane> parse_assumed_data_plane(const std::string& s);

// Which RBAC compilation a port gets (istio-semantics.md §1): HTTP filter chain, TCP filter chain, or
// both when the protocol is sniffed (HTTP-detected traffic gets HTTP RBAC, the rest TCP RBAC).
enum class PortProtocol : uint8_t { Http, Tcp, Sniffed };
const char* to_string(PortProtocol p);

// Which level of PeerAuthentication decided a mode.
enum class MtlsLevel : uint8_t { Default, Mesh, Namespace, Workload, WorkloadPort };
const char* to_string(MtlsLevel l);

struct MtlsDecision {
  model::MtlsMode mode = model::MtlsMode::Permissive;  // never Unset after resolution
  MtlsLevel level = MtlsLevel::Default;
  const model::PeerAuthentication* decided_by = nullptr;  // nullptr: Istio's default (PERMISSIVE)
  // No Istio proxy in the pod: nothing terminates mTLS or enforces policy, so plaintext is accepted
  // whatever PeerAuthentication says. Then mode is Disable, level Default, decided_by nullptr.
  bool no_sidecar = false;
  // A listener of an Istio gateway pod: its TLS comes from the Gateway server, and PeerAuthentication does
  // not govern it (docs/semantics.md#gateways, D6). Then mode is Permissive (callers with or without a
  // mesh identity reach authorization), level Default, decided_by nullptr.
  bool gateway_listener = false;
};

struct WorkloadPort {
  uint32_t port = 0;          // the workload (container/target) port: what `ports` and portLevelMtls name
  std::string name;           // container port name, else the Service port name
  std::string protocol_name;  // Istio's protocol, lower case: "http", "grpc", "tls", "" (unknown)...
  PortProtocol protocol = PortProtocol::Sniffed;
  std::vector<std::string> services;  // "ns/name:port" of Services that route here
  MtlsDecision mtls;
  Loc loc;                            // the container port or Service port that declared it
  bool from_port_level_only = false;  // known only from a portLevelMtls key
  // Where `protocol` came from: "appProtocol", "port name", "well-known port", "Sidecar ingress",
  // "container port" (not behind a Service: passthrough chain, sniffed), "policy" (named only by a policy
  // that applies to a synthetic/other workload), "portLevelMtls", "Gateway NS/NAME" (a listener of an Istio
  // gateway pod that the Gateway's servers define); "" for a Service or Sidecar port whose protocol Istio
  // does not recognize (sniffed).
  std::string protocol_source;
  // Several Service ports route here with different filter chains (HTTP vs TCP vs sniffed); the oldest
  // Service decided (Istio builds one inbound chain per target port, listener_inbound.go
  // getFilterChainsByServicePort).
  bool protocol_conflict = false;
};

struct Workload {
  std::string ns;
  std::string name;  // declared name; synthetic: "selector:k=v,k2=v2" (sorted); other: "*"
  WorkloadOrigin origin = WorkloadOrigin::Declared;
  const model::Workload* decl = nullptr;  // Declared only
  model::Labels labels;
  std::string service_account;  // "" when unknown (synthetic)
  // Which data plane serves the workload's inbound traffic, decided from the input (the Namespace's labels,
  // the pod template's labels and annotations, gateway markers) as Istio's injection webhook and istio-cni
  // decide; where the input does not say (the namespace is not declared and the pod carries no decisive
  // label), it is the assumption ResolveOptions::assumed_data_plane and data_plane_assumed is true.
  // Ambient workloads are still evaluated with sidecar semantics (ztunnel lowering is not modelled yet).
  DataPlane data_plane = DataPlane::Sidecar;
  bool data_plane_assumed = false;
  // None because a label or annotation keeps the pod out on purpose (istio-injection other than enabled,
  // sidecar.istio.io/inject: "false", istio.io/dataplane-mode: none) or a system namespace.
  bool data_plane_opted_out = false;
  std::string injection_reason;  // why data_plane has its value (for messages)
  Loc data_plane_loc;            // the line that decided (or would change) it: Namespace or pod labels; unknown
                                 // when assumed
  // Whether a proxy enforces policy on the workload. Policies are still listed below when this is false
  // (they select the workload) but nothing enforces them.
  bool has_proxy() const { return data_plane != DataPlane::None; }
  std::string gateway_name;  // label gateway.networking.k8s.io/gateway-name: a Gateway API gateway pod
  // Synthetic only: the policy whose selector created it (the earliest in the input) and that selector.
  ResourceRef created_by;
  Loc selector_loc;
  const model::Sidecar* sidecar = nullptr;  // the Sidecar whose ingress listeners replaced Service ports
  std::vector<WorkloadPort> ports;
  MtlsDecision default_mtls;  // the workload-level mode (ports without port-level overrides use it)

  // Applicable policies (istio-semantics.md §10), root namespace first, then own namespace, each in
  // creationTimestamp, name order.
  std::vector<const model::AuthorizationPolicy*> authorization_policies;
  std::vector<const model::RequestAuthentication*> request_authentications;
  // Candidate policies (root or own namespace) ignored because they use targetRef(s) and this workload
  // is an ordinary sidecar workload (or a gateway the targetRefs do not name), istio-semantics.md §10.
  std::vector<const model::AuthorizationPolicy*> ignored_target_ref_authorization_policies;
  std::vector<const model::RequestAuthentication*> ignored_target_ref_request_authentications;
  // The PeerAuthentications considered at each level (the winner is in default_mtls / ports).
  const model::PeerAuthentication* pa_mesh = nullptr;
  const model::PeerAuthentication* pa_namespace = nullptr;
  const model::PeerAuthentication* pa_workload = nullptr;

  uint32_t class_id = 0;  // index into Mesh::classes
  const WorkloadPort* find_port(uint32_t port) const;
  // The mode for a destination port: the port's own decision, else default_mtls (undeclared ports reach
  // the passthrough chains, which use the workload-level mode).
  const MtlsDecision& mtls_for(uint32_t port) const;
  std::string display() const { return ns + "/" + name; }
  ResourceRef ref() const;  // the declared object, or a pseudo-reference for synthetic workloads
};

// Workloads that share applicable policies, ports and modes are analyzed once (DESIGN.md §3).
// The key is: proxy present, the applicable AuthorizationPolicies and RequestAuthentications, the
// workload-level mode, and every port with its protocol and mode. Members may lie in different
// namespaces (when only root-namespace policies apply): a question that depends on the destination's
// own namespace must be asked per (class, namespace).
struct WorkloadClass {
  uint32_t id = 0;              // == index in Mesh::classes; ids follow the sorted workload order
  std::vector<size_t> members;  // indexes into Mesh::workloads, ascending
};

// What a route of a bound VirtualService reaches: its destination host, the Service it names and that
// Service's workloads (docs/semantics.md#gateways).
struct GatewayBackend {
  std::string host;                         // destination.host as written
  std::string ns;                           // the namespace the host resolves to ("" for an external host)
  const model::Service* service = nullptr;  // the Service it names, when the input declares it
  std::vector<size_t> workloads;            // indexes into Mesh::workloads (declared workloads only)
};

// A VirtualService bound to a Gateway server for one of its hosts (G6, G8).
struct GatewayRoute {
  const model::VirtualService* vs = nullptr;
  std::string host;  // the route domain: the narrower of the server host and the VirtualService host
  std::vector<GatewayBackend> backends;  // of the routes the server uses (http, tls or tcp)
};

// One server of an Istio Gateway as the gateway pods build it (G1-G4).
struct GatewayListener {
  const model::GatewayServer* server = nullptr;
  size_t index = 0;             // in Gateway::servers
  std::string protocol;         // lower case
  std::string tls_mode;         // "" without a tls block; else the mode, PASSTHROUGH when `mode` is omitted (G1)
  bool mode_omitted = false;    // a tls block without `mode`
  bool terminates_tls = false;  // SIMPLE, MUTUAL, OPTIONAL_MUTUAL or ISTIO_MUTUAL on an HTTPS/TLS server
  std::string route_kind;       // which VirtualService routes it uses: "http", "tls" or "tcp"
  std::vector<GatewayRoute> routes;
};

// An Istio Gateway: its gateway pods (G7) and listeners with their bound routes.
struct GatewayInfo {
  const model::Gateway* gateway = nullptr;
  std::vector<size_t> pods;                 // indexes into Mesh::workloads
  std::vector<std::string> pod_namespaces;  // sorted, unique: where credentialName Secrets are read (G5)
  std::vector<GatewayListener> listeners;   // one per server, in order
};

struct NamespaceInfo {
  std::string name;
  model::Labels labels;
  const model::Namespace* decl = nullptr;  // nullptr: only referenced by some object
  bool is_root = false;                    // the mesh root namespace
  bool has_objects = false;                // declared, or holds a workload, Service or security policy
  bool referenced_as_source = false;       // named by an AuthorizationPolicy source (namespaces, principals...)
};

struct ResolveOptions {
  std::optional<std::string> root_namespace;  // overrides the mesh config's rootNamespace
  // The data plane of workloads whose membership the input does not decide (`--data-plane`).
  DataPlane assumed_data_plane = DataPlane::Sidecar;
};

struct Mesh {
  const model::ResourceSet* resources = nullptr;
  model::MeshConfig config;                           // with root_namespace overridden when asked
  std::map<std::string, NamespaceInfo> namespaces;    // declared and referenced
  bool namespaces_declared = false;                   // the input declares at least one Namespace
  DataPlane assumed_data_plane = DataPlane::Sidecar;  // ResolveOptions::assumed_data_plane
  std::vector<Workload> workloads;                    // sorted by namespace, origin, name
  std::vector<WorkloadClass> classes;
  std::vector<GatewayInfo> gateways;  // one per networking.istio.io Gateway, in input order

  const std::string& root_namespace() const { return config.root_namespace; }
  const Workload* find(const std::string& ns, const std::string& name) const;
  std::vector<const Workload*> in_namespace(const std::string& ns) const;
};

Mesh resolve(const model::ResourceSet& resources, const ResolveOptions& options = {});

// An Istio gateway pod (not a Gateway API one): it runs the proxy as its main container or carries the
// standard label istio=ingressgateway|egressgateway. Its listeners come from the Gateways that select it.
bool is_istio_gateway_pod(const Workload& w);

// Whether a Gateway selects an Istio gateway pod (G7): no selector (or an empty one) selects every gateway
// pod, in any namespace; otherwise selector ⊆ the pod's labels.
bool gateway_selects(const model::Gateway& g, const Workload& w);

// Whether two host names may name the same host (a wildcard `*` or `*.suffix` on either side).
bool hosts_overlap(const std::string& a, const std::string& b);

// The namespace an object lives in: metadata.namespace, or "default" when absent.
std::string effective_namespace(const model::ResourceBase& r);

// Istio's order for policies of one kind: creationTimestamp, then name, then namespace (§10, §11).
bool istio_older(const model::ResourceBase& a, const model::ResourceBase& b);

}  // namespace meshproof::mesh
