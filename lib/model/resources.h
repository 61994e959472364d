// Typed Kubernetes and Istio resources, as Istio reads them. Every value that a finding may point at
// keeps its source position. Built from load::Document by model/parse.h; checked by model/validate.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/finding.h"
#include "base/location.h"
#include "model/gateway_api.h"
#include "model/object_meta.h"

namespace meshproof::model {

struct Selector {
  bool present = false;  // `selector:` written (even if empty)
  Labels match_labels;
  Loc loc;
  bool empty() const { return match_labels.empty(); }
  // selector ⊆ labels (istio-semantics.md §10). An absent or empty selector matches everything.
  bool matches(const Labels& labels) const;
};

struct TargetRef {
  std::string group, kind, name, ns;
  Loc loc;
  bool has_kind = false;  // `kind:` written (the CRD requires it)
  bool has_name = false;  // `name:` written (the CRD requires it)
};

// ---- Kubernetes ----

struct Namespace : ResourceBase {};

struct ServiceAccount : ResourceBase {};

struct ContainerPort {
  std::string name;
  uint32_t port = 0;
  std::string protocol = "TCP";  // TCP, UDP, SCTP
  Loc loc;
};

// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod: what the mesh needs of it.
struct Workload : ResourceBase {
  Labels pod_labels;            // spec.template.metadata.labels (Pod: metadata.labels)
  Labels pod_annotations;       // e.g. sidecar.istio.io/inject
  Loc pod_labels_loc;           // the pod template's `labels` key (Pod: metadata.labels), when written
  std::string service_account;  // "default" when not set
  std::vector<ContainerPort> ports;
  Selector selector;  // spec.selector.matchLabels (informational)
  // The pod runs Istio's proxy as a gateway of its own (classic ingress/egress gateways, which carry
  // sidecar.istio.io/inject: "false"): its istio-proxy container runs `pilot-agent proxy router`, or, without
  // args, is the pod's only container. An injected pod's `proxy sidecar` container does not count. Read by the
  // mesh layer.
  bool runs_proxy_as_gateway = false;
};

struct ServicePort {
  std::string name;
  uint32_t port = 0;
  // targetPort: a number, or the name of a container port; when absent equals `port`.
  uint32_t target_port_number = 0;
  std::string target_port_name;
  std::string protocol = "TCP";
  std::string app_protocol;
  Loc loc;
};

struct Service : ResourceBase {
  Labels selector;  // spec.selector
  bool has_selector = false;
  std::vector<ServicePort> ports;
};

// ---- Istio security ----

enum class MtlsMode : uint8_t { Unset, Disable, Permissive, Strict };
const char* to_string(MtlsMode m);

struct PortMtls {
  uint32_t port = 0;  // 0 when the key is not a number in 0..2^32-1 (see port_written)
  MtlsMode mode = MtlsMode::Unset;
  Loc loc;                   // the port key
  std::string port_written;  // the key as written
  std::string mode_written;  // `mode` as written
  Loc mode_loc;
};

struct PeerAuthentication : ResourceBase {
  Selector selector;
  bool mtls_present = false;  // `mtls:` present (absent ≡ UNSET, inherit)
  MtlsMode mode = MtlsMode::Unset;
  Loc mode_loc;
  std::string mode_written;          // `mtls.mode` as written; validation rejects values outside the enum
  std::vector<PortMtls> port_level;  // sorted by port
  bool port_level_present = false;
  Loc port_level_loc;
};

enum class Action : uint8_t { Allow, Deny, Audit, Custom };
const char* to_string(Action a);

struct Source {
  StrList principals, not_principals;
  StrList request_principals, not_request_principals;
  StrList namespaces, not_namespaces;
  StrList service_accounts, not_service_accounts;
  StrList trust_domains, not_trust_domains;
  StrList ip_blocks, not_ip_blocks;
  StrList remote_ip_blocks, not_remote_ip_blocks;
  Loc loc;
  bool present = false;     // `source:` given and not null
  bool null_entry = false;  // the `from` list item itself was null (rejected by validation)
};

struct Operation {
  StrList hosts, not_hosts;
  StrList ports, not_ports;
  StrList methods, not_methods;
  StrList paths, not_paths;
  Loc loc;
  bool present = false;     // `operation:` given and not null
  bool null_entry = false;  // the `to` list item itself was null (rejected by validation)
};

struct Condition {
  Str key;
  StrList values, not_values;
  Loc loc;
  bool null_entry = false;  // the `when` list item itself was null (rejected by validation)
};

// Note on empty lists: Istio decodes policies into protobuf messages, where a repeated field has no
// presence, so `from: []` reads exactly like an absent `from` (and `rules: []` like absent `rules`)
// (golang/protobuf#1348; docs/semantics.md §2). The `*_present` flags record what was written; meaning
// must be taken from the lists being empty or not.
struct Rule {
  bool is_null = false;  // `- null` / `- ~` in rules (rejected by validation, skipped by the builder)
  bool from_present = false;
  std::vector<Source> from;  // one per `from` entry
  bool to_present = false;
  std::vector<Operation> to;
  bool when_present = false;
  std::vector<Condition> when;
  Loc loc;
};

struct AuthorizationPolicy : ResourceBase {
  Selector selector;
  std::vector<TargetRef> target_refs;  // targetRef (singular) is folded in here when targetRefs is empty
  bool has_target_ref_singular = false;
  bool has_target_refs_plural = false;
  Action action = Action::Allow;
  Loc action_loc;
  std::string action_written;  // `action` as written ("" when absent); may be outside the enum
  std::string provider;        // CUSTOM only
  Loc provider_loc;
  bool provider_present = false;  // `provider:` written (validation rejects it with non-CUSTOM actions)
  TargetRef target_ref;           // the singular targetRef as written, when has_target_ref_singular
  bool rules_present = false;     // `rules:` key present (even `rules: []`)
  std::vector<Rule> rules;
  Loc rules_loc;
  bool dry_run = false;  // annotation istio.io/dry-run: "true"
};

struct JwtRule {
  Str issuer;
  StrList audiences;
  Str jwks_uri;
  Str jwks;
  bool forward_original_token = false;
  std::vector<Str> from_header_names;
  StrList from_params, from_cookies;
  std::vector<std::pair<Str, Str>> output_claim_to_headers;  // claim, header
  Str timeout;
  Loc loc;
  bool null_entry = false;  // the jwtRules list item was null
  uint8_t jwks_fields = 0;  // how many of jwksUri, jwks_uri, jwks are written (the CRD allows one)
  StrList space_delimited_claims;
  Str presence;  // OPTIONAL / REQUIRED (not read by pilot, IS §9)
  Str output_payload_to_header;
};

struct RequestAuthentication : ResourceBase {
  Selector selector;
  std::vector<TargetRef> target_refs;  // targetRef (singular) is folded in here when targetRefs is empty
  bool has_target_ref_singular = false;
  bool has_target_refs_plural = false;
  TargetRef target_ref;  // the singular targetRef as written, when has_target_ref_singular
  std::vector<JwtRule> jwt_rules;
};

// ---- Istio networking and telemetry (what the checks read of them) ----

// A Gateway server's `tls` block (istio.io Gateway reference, ServerTLSSettings). Strings keep what was
// written; `mode` empty means the field was omitted (the proto enum's 0, PASSTHROUGH; docs/semantics.md#gateways).
struct GatewayTls {
  bool present = false;  // a `tls` map is written
  Loc loc;               // the `tls` key
  Str mode;
  bool https_redirect = false;
  Loc https_redirect_loc;
  Str credential_name, server_certificate, private_key, ca_certificates, ca_crl, ca_cert_credential_name;
  std::vector<Str> credential_names;
  size_t tls_certificates = 0;  // entries of tlsCertificates
  Str min_protocol_version, max_protocol_version;
  std::vector<Str> cipher_suites;
};

struct GatewayServer {
  uint32_t port = 0;
  bool port_present = false;
  bool target_port = false;  // port.targetPort written (an error: no impact on Gateways)
  std::string port_name, protocol;
  Loc port_loc, protocol_loc;
  std::vector<std::string> hosts;
  std::vector<Loc> host_locs;  // parallel to hosts
  std::string tls_mode;        // SIMPLE, MUTUAL, ISTIO_MUTUAL, PASSTHROUGH, AUTO_PASSTHROUGH, OPTIONAL_MUTUAL
  bool tls_present = false;    // a `tls` map is written (its mode defaults to PASSTHROUGH, the proto's 0)
  GatewayTls tls;
  Loc loc;
};

struct Gateway : ResourceBase {
  Labels selector;
  bool selector_present = false;  // `selector:` written (absent: every gateway pod, docs/semantics.md#gateways)
  Loc selector_loc;
  std::vector<GatewayServer> servers;
};

// A route destination of a VirtualService (http/tls/tcp[].route[].destination.host).
struct RouteDestination {
  std::string kind;  // "http", "tls" or "tcp": which servers use the route (docs/semantics.md#gateways)
  Str host;
  std::string subset;  // destination.subset ("" when absent)
  uint32_t port = 0;   // destination.port.number (0 when absent)
};

struct VirtualServiceRoutes;  // model/virtual_service_routes.h

struct VirtualService : ResourceBase {
  std::vector<std::string> hosts;
  std::vector<std::string> gateways;
  std::vector<Loc> gateway_locs;  // parallel to gateways
  std::vector<std::string> export_to;
  std::vector<RouteDestination> destinations;
  // The http/tls/tcp routes in order with their match conditions (the gateway trace chooses one). Declared
  // in its own header so that this one stays unchanged when it grows; never null after parsing.
  std::shared_ptr<const VirtualServiceRoutes> routes;
};

// A Kubernetes Secret (only its identity and data keys), or one that a cert-manager Certificate declares
// (`spec.secretName`): what gateway-credential-missing compares credentialName with.
struct Secret : ResourceBase {
  std::vector<std::string> keys;  // data and stringData keys; empty for a Certificate's secret
  bool from_certificate = false;  // declared by a cert-manager Certificate (keys tls.crt, tls.key, ca.crt)
  // key -> value: `data` base64-decoded ("" when it is not valid base64), `stringData` as written. What Istio's
  // credential reader looks at (docs/semantics.md#gateways, IST0161).
  std::map<std::string, std::string> values;
};

// A DestinationRule's ClientTLSSettings (istio.io DestinationRule reference; docs/semantics.md#client-tls).
struct TlsSettings {
  bool present = false;  // a `tls` map is written
  std::string mode;      // DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL; "" when omitted (the proto's 0: DISABLE, T1)
  Loc loc;               // the `tls` key
  Loc mode_loc;
  std::string credential_name, client_certificate, private_key, ca_certificates, ca_crl, sni;
  bool subject_alt_names_present = false;
  bool insecure_skip_verify = false;
};

// A trafficPolicy, a subset's trafficPolicy or one portLevelSettings entry: its tls and what Istio's
// validation looks at (which fields are written, loadBalancer.warmup).
struct TrafficPolicy {
  bool present = false;
  Loc loc;
  size_t fields = 0;  // known fields written (outlierDetection, connectionPool, loadBalancer, tls, ...)
  bool tunnel = false, proxy_protocol = false;
  bool port_present = false;  // portLevelSettings only: `port` written
  uint32_t port = 0;          // portLevelSettings only: port.number
  Loc port_loc;
  bool warmup_present = false, warmup_duration = false;
  std::optional<double> warmup_minimum_percent, warmup_aggression;
  Loc warmup_loc;
  TlsSettings tls;
};

struct DestinationRuleSubset {
  std::string name;
  Loc loc;
  Labels labels;
  TrafficPolicy traffic_policy;
  std::vector<TrafficPolicy> port_level;  // traffic_policy's portLevelSettings
};

struct DestinationRule : ResourceBase {
  std::string host;
  Loc host_loc;
  bool has_workload_selector = false;
  Labels workload_selector;
  TrafficPolicy traffic_policy;           // trafficPolicy
  std::vector<TrafficPolicy> port_level;  // trafficPolicy.portLevelSettings
  std::vector<DestinationRuleSubset> subsets;
  std::vector<std::string> export_to;
  Loc export_to_loc;
};

struct ServiceEntryPort {
  uint32_t number = 0;
  std::string protocol, name;
  uint32_t target_port = 0;
  Loc loc;  // the port entry
};

struct ServiceEntry : ResourceBase {
  std::vector<std::string> hosts;
  std::vector<std::string> addresses;
  std::vector<ServiceEntryPort> ports;
  std::string location;    // MESH_EXTERNAL or MESH_INTERNAL
  std::string resolution;  // NONE, STATIC, DNS, DNS_ROUND_ROBIN
  Labels workload_selector;
  std::vector<std::string> export_to;
  // Egress model and validation (docs/semantics.md#egress).
  std::vector<Loc> host_locs;  // parallel to hosts
  Loc location_loc, resolution_loc;
  size_t endpoints = 0;                         // entries of spec.endpoints
  std::vector<std::string> endpoint_addresses;  // spec.endpoints[].address, in order ("" when absent)
  bool status_addresses = false;                // status.addresses holds an allocated address (IST0134)
  bool has_workload_selector = false;           // spec.workloadSelector written
};

struct Sidecar : ResourceBase {
  Labels workload_selector;
  bool has_workload_selector = false;
  std::string outbound_traffic_policy;  // REGISTRY_ONLY / ALLOW_ANY / ""
  std::vector<std::string> egress_hosts;
  struct Ingress {
    uint32_t port = 0;
    std::string protocol, name, default_endpoint;
    Loc loc;
  };
  std::vector<Ingress> ingress;
  // `outboundTrafficPolicy:` written: it replaces the mesh's mode, and without `mode` it is REGISTRY_ONLY
  // (the proto enum's 0, docs/semantics.md#egress E3).
  bool outbound_traffic_policy_present = false;
  Loc outbound_traffic_policy_loc;
  std::vector<Loc> egress_host_locs;  // parallel to egress_hosts
};

// One entry of a Telemetry's accessLogging list (docs/semantics.md#access-logging).
struct TelemetryAccessLogging {
  Str mode;                    // match.mode as written; "" (absent) matches CLIENT and SERVER
  std::vector<Str> providers;  // providers[].name; empty: the previous entry's providers (L3)
  bool disabled = false;
  Loc disabled_loc;
  Str filter;  // filter.expression (CEL)
  Loc loc;
};

struct Telemetry : ResourceBase {
  Selector selector;
  bool access_logging = false;  // some accessLogging entry not disabled
  bool access_logging_disabled = false;
  std::vector<std::string> access_log_providers;
  std::vector<TelemetryAccessLogging> access_log_entries;  // in order
  bool access_logging_present = false;                     // `accessLogging:` written
  bool has_target_refs = false;                            // targetRef or targetRefs written (sidecars ignore it)
};

// ---- Mesh configuration ----

struct ExtensionProvider {
  std::string name;
  std::string type;  // "envoyExtAuthzHttp", "envoyExtAuthzGrpc", or another provider kind
  // Why Istio's authz builder refuses this ext_authz provider (processExtensionProvider: bad port,
  // statusOnError, pathPrefix, name...), so that CUSTOM policies naming it fail closed; empty when usable.
  std::string problem;
};

struct MeshConfig {
  std::string root_namespace = "istio-system";
  std::string trust_domain = "cluster.local";
  std::vector<std::string> trust_domain_aliases;
  std::string outbound_traffic_policy = "ALLOW_ANY";
  bool enable_auto_mtls = true;  // enableAutoMtls (docs/semantics.md#client-tls, T3)
  // pathNormalization.normalization: NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES; DEFAULT ≡ BASE.
  std::string path_normalization = "DEFAULT";
  std::vector<ExtensionProvider> extension_providers;
  // Access logging without Telemetry (docs/semantics.md#access-logging L4, L5): accessLogFile ("" is off),
  // enableEnvoyAccessLogService, defaultProviders.accessLogging.
  Str access_log_file;
  bool envoy_access_log_service = false;
  std::vector<Str> default_access_log_providers;
  Loc outbound_traffic_policy_loc;  // outboundTrafficPolicy.mode, when written
  // defaultConfig.proxyMetadata: ISTIO_META_DNS_CAPTURE "true" and ISTIO_META_DNS_AUTO_ALLOCATE or
  // PILOT_ENABLE_IP_AUTOALLOCATE "true": ServiceEntries without addresses get one (IST0134).
  bool auto_allocates_addresses = false;
  ResourceRef source;  // the ConfigMap or IstioOperator it came from; empty kind when defaulted
  bool from_input = false;
};

// ---- Validation diagnostics (what Istio's admission rejects or warns about) ----

struct Diagnostic {
  Severity severity = Severity::Error;  // Error: Istio rejects the object; Warning: Istio warns
  std::string message;                  // names the field and why
  std::string help;
  ResourceRef resource;
  Loc loc;
  std::string field;                     // dotted path, e.g. "spec.rules[0].from[1].source.principals[2]"
  std::vector<RelatedLocation> related;  // e.g. the first definition of a duplicate key
};

// Objects with the same identity (API group, kind, namespace, name): applying the input in order keeps
// the last one, which replaces the earlier ones (model/apply.h, docs/semantics.md §2.7).
struct Override {
  ResourceRef kept;                     // the last copy, in force
  std::vector<ResourceRef> overridden;  // the earlier copies, in input order
};

// Everything read from the input, in input order per kind.
struct ResourceSet {
  std::vector<Namespace> namespaces;
  std::vector<ServiceAccount> service_accounts;
  std::vector<Workload> workloads;
  std::vector<Service> services;
  std::vector<PeerAuthentication> peer_authentications;
  std::vector<AuthorizationPolicy> authorization_policies;
  std::vector<RequestAuthentication> request_authentications;
  std::vector<Gateway> gateways;
  std::vector<VirtualService> virtual_services;
  std::vector<DestinationRule> destination_rules;
  std::vector<ServiceEntry> service_entries;
  std::vector<Sidecar> sidecars;
  std::vector<Telemetry> telemetries;
  std::vector<gwapi::Gateway> gateway_api_gateways;  // gateway.networking.k8s.io Gateways (model/gateway_api.h)
  std::vector<gwapi::Route> gateway_api_routes;      // HTTPRoute, GRPCRoute, TLSRoute, TCPRoute
  std::vector<gwapi::ReferenceGrant> reference_grants;
  // Secrets and cert-manager Certificates' secrets. Not counted among the modelled objects (the summary's
  // `resources`), not subject to admission or duplicates: only their names are compared.
  std::vector<Secret> secrets;
  MeshConfig mesh;

  // Parse-time and validation problems, including wrong types, duplicate keys and resources Istio rejects.
  std::vector<Diagnostic> diagnostics;
  // Objects that a later copy replaced (model::take_overridden); reported by duplicate-resource.
  std::vector<Override> overrides;
  // Documents skipped because they are not Kubernetes objects or are kinds meshproof does not model.
  std::vector<std::pair<Loc, std::string>> notes;

  // Appends another set (used to merge per-file results from parallel parsing), keeping input order.
  void merge(ResourceSet&& other);
};

}  // namespace meshproof::model
