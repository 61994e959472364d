// What plaintext-hop and client-tls-conflict share: hops of one cause toward one Service port grouped into
// one finding, the resource responsible for them, and how clients and servers are named
// (docs/semantics.md#client-tls).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "checks/check.h"
#include "mesh/client_tls.h"

namespace meshproof::checks {

// Hops with the same outcome, cause, responsible resource, Service port and subset.
struct HopGroup {
  std::vector<const mesh::Hop*> hops;  // in model order; the first is the witness
  ResourceRef responsible;             // the DestinationRule, PeerAuthentication, workload or mesh config
  Loc loc;                             // the field that decides (tls, mode, pod labels), else the resource
  const mesh::Hop& first() const { return *hops.front(); }
};
std::vector<HopGroup> group_hops(const mesh::Mesh& mesh, const std::vector<mesh::Hop>& hops,
                                 mesh::HopTransport transport);

// "sidecars of namespaces a, b" and/or "Gateway ns/name"; "Deployment a/x" when one client. The text of a set
// of client lists is kept in `memo` for the other groups of the run: hops toward one Service share their client
// list, which can hold every workload of the mesh, so computing it per group grew with groups × workloads.
using ClientListTexts = std::map<std::vector<const std::vector<size_t>*>, std::string>;
std::string clients_text(const mesh::Mesh& mesh, const HopGroup& g, ClientListTexts& memo);
// "Deployment pay/api" or "Deployment pay/api and 2 more"; servers of the group, unique.
std::string servers_text(const mesh::Mesh& mesh, const HopGroup& g);
std::vector<std::string> server_namespaces(const mesh::Mesh& mesh, const HopGroup& g);
// "Service pay/api port 8080" (+ " subset v1").
std::string service_text(const mesh::Hop& h);
// "DestinationRule a/x (client namespace, trafficPolicy.tls)" or "no DestinationRule".
std::string rule_text(const mesh::Hop& h);
// The witness pair and the deciding facts as properties.
void hop_properties(const mesh::Mesh& mesh, const HopGroup& g, Finding& f);
// The subjects of both checks: every DestinationRule and PeerAuthentication of the input.
std::vector<ResourceRef> hop_subjects(const Context& ctx);

}  // namespace meshproof::checks
