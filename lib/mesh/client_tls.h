// The client side of every hop inside the mesh (docs/semantics.md#client-tls): which DestinationRule a
// client proxy uses for a Service (lookup order, exportTo, host precedence, port-level settings, subsets),
// what it therefore sends (Istio mTLS, its own TLS, plaintext), and what the server's data plane and
// PeerAuthentication make of it. Computed on demand from a resolved Mesh; kept out of mesh.h so that the
// checks that need it are the only ones that see it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mesh/mesh.h"

namespace meshproof::mesh {

// The outcome of one client → server hop.
enum class HopTransport : uint8_t {
  Mtls,       // Istio mTLS between two proxies: encrypted, the server sees the client's identity
  Hbone,      // an ambient server: the client's proxy tunnels over HBONE (mTLS)
  Tls,        // the client's own TLS (DestinationRule SIMPLE/MUTUAL) that the server side passes through
  Plaintext,  // accepted in plaintext: no encryption, no peer identity
  Broken      // the server (or the application) refuses what the client sends: the connection fails
};
const char* to_string(HopTransport t);  // "mtls", "hbone", "tls", "plaintext", "broken"

// Why the hop carries what it carries: the deciding fact, named in findings.
enum class HopCause : uint8_t {
  AutoMtls,              // no DestinationRule tls: auto mTLS to a proxy that accepts it
  DestinationRule,       // the effective DestinationRule tls (mode in Hop::client_mode)
  CredentialNoSelector,  // SIMPLE/MUTUAL with credentialName on a selector-less rule: sidecars send plaintext (T7)
  AutoMtlsDisabled,      // meshConfig.enableAutoMtls: false
  ServicePaDisable,      // the Service's namespace (or mesh) PeerAuthentication is DISABLE: auto mTLS off (T6.3)
  ServerPaDisable,       // the endpoint's own PeerAuthentication is DISABLE for the port (T6.4)
  ServerNoProxy,         // the endpoint has no proxy: nothing terminates mTLS (T6.9, T5)
  ServerAmbient          // an ambient endpoint: HBONE
};

// The DestinationRule a client uses for a Service port (T4), and the tls it ends up with (T1, T2).
struct DrChoice {
  const model::DestinationRule* rule = nullptr;  // whose trafficPolicy decides (the namespace's oldest)
  std::string scope;                             // "client namespace", "service namespace", "root namespace"
  const model::TlsSettings* tls = nullptr;       // the effective tls; nullptr: none (auto mTLS decides)
  std::string level;                             // where tls came from: "trafficPolicy", "portLevelSettings[i]",
                                                 // "subsets[i]..." ("" when tls is nullptr)
  Loc loc;                                       // that tls key, or the port-level entry that reset it
  // Rules for the same host in a later namespace of the lookup that this one hides (no merging across
  // namespaces, T4).
  std::vector<const model::DestinationRule*> hidden;
};

struct Hop {
  // The clients: sidecar workloads (of one or more namespaces) that use the same DestinationRule for the
  // Service, or the pods of an Istio gateway for its routed backends. Hops of one partition share the list.
  std::string client_ns;  // the namespace of `client`
  size_t client = 0;      // a representative workload (index into Mesh::workloads): the witness's client
  std::shared_ptr<const std::vector<size_t>> clients;  // every client workload, ascending
  const GatewayInfo* gateway = nullptr;                // gateway → backend hop
  std::string client_name;  // set for a Gateway API gateway's hop: "Gateway ns/name" (its pods may be absent)
  // The server.
  const model::Service* service = nullptr;
  std::string host;  // the Service's FQDN
  uint32_t service_port = 0;
  std::string subset;  // the routed subset, "" when none
  size_t server = 0;   // the endpoint workload (index into Mesh::workloads)
  uint32_t target_port = 0;
  // What happens.
  DrChoice dr;
  std::string client_mode;  // what the client's cluster uses: "ISTIO_MUTUAL (auto)", "DISABLE", "SIMPLE", ...
  HopTransport transport = HopTransport::Mtls;
  HopCause cause = HopCause::AutoMtls;
  const model::PeerAuthentication* peer_authentication = nullptr;  // the PA named by the cause, if any
  std::string reason;                                              // one sentence: why, for messages
};

// Every hop of the mesh: sidecar clients (declared workloads with a sidecar; those that use the same
// DestinationRule for a Service form one hop) to every Service's declared endpoints on every TCP service port, and
// every Istio gateway to the backends its bound routes name. Clients without a proxy and ambient clients
// are not modelled (their traffic leaves without the proxy's TLS decision). In a stable order.
std::vector<Hop> client_tls_hops(const Mesh& mesh);

// The hops from one gateway proxy to a Service's declared endpoints on `service_port` (0: every TCP port):
// a Gateway API gateway (mesh/gateway_routes.h), whose pods run in `client_ns` with `client_labels`. Its pods
// may be absent from the input (Istio deploys them): `client` is then Mesh::workloads.size() and `clients`
// is empty. `gateway` is nullptr (that field names Istio Gateways).
std::vector<Hop> proxy_hops_to_service(const Mesh& mesh, const std::string& client_ns,
                                       const model::Labels& client_labels, const std::vector<size_t>& client_pods,
                                       const model::Service& s, uint32_t service_port);

// The DestinationRule a sidecar/gateway client in `client_ns` with `client_labels` uses for `host`
// (an FQDN), without port or subset resolution (T4). rule == nullptr: none.
DrChoice choose_destination_rule(const Mesh& mesh, const std::string& client_ns, const model::Labels& client_labels,
                                 const std::string& host);

// The tls that DestinationRule `d` sets for a service port and subset: trafficPolicy, replaced by a
// matching portLevelSettings entry (with or without tls, T2), then the subset's (T1, T2). nullptr: none.
const model::TlsSettings* effective_tls(const model::DestinationRule& d, uint32_t port, const std::string& subset = "");

// How a DestinationRule host names a Service: short names resolve against the rule's namespace
// (`reviews` in `foo` → reviews.foo.svc.cluster.local); names with a dot and `*` are taken as written.
std::string resolve_rule_host(const std::string& host, const std::string& ns);

// Istio's host.Name.Matches: "*" matches every host, "*.x" the hosts that end in ".x", else the names are
// equal (as written: the caller lowercases where Istio compares case-insensitively).
bool istio_host_matches(const std::string& pattern, const std::string& host);

}  // namespace meshproof::mesh
