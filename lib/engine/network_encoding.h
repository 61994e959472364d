// The L3/L4 layer (mesh/network_layer.h) as a Z3 formula: NetworkLayer::admit over every connection between the
// declared pods of a world and from every IPv4 outside address (docs/semantics.md#networkpolicy-layer). The
// variables are the source (one of the pods, or outside), the outside source's address (a 32-bit vector), the
// destination pod, the protocol (TCP, UDP, SCTP) and the port the layer sees. What depends only on a pod —
// whether a policy selects it, whether a pod peer (selectors, namespaces, entities) matches it — is decided per
// pod with the concrete layer (mesh::NetworkLayer::selecting, mesh::peer_match) and enters the formula as a
// constant under `source == i` / `destination == i`; the CIDRs of outside peers, the ports (numbers, ranges,
// named container ports of each destination pod), the protocols and the tier logic (admin first match with
// Pass, the NetworkPolicy tier's deny-wins union with Cilium's "maybe" peers, isolation, the baseline, a pod's
// connection to itself) are encoded. Not encoded: equal AdminNetworkPolicy priorities (A4) and IPv6 outside
// addresses — `unsupported()` says so and nothing is decided. Z3 stays inside this file's .cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/symbolic_seq.h"
#include "mesh/network_layer.h"

namespace meshproof::engine {

// One connection of the layer's space.
struct NetConnection {
  std::optional<size_t> source;  // index into the pods; nullopt: outside the cluster
  uint32_t address = 0;          // the outside source's IPv4 address, most significant byte first
  size_t destination = 0;        // index into the pods
  std::string protocol = "TCP";  // TCP, UDP or SCTP
  uint32_t port = 0;             // the port the layer sees (mesh::wire_port)
};

// A connection two layers decide differently (Sat), none (Unsat), or the solver gave up (Unknown, never "no
// difference").
struct NetDifference {
  SatAnswer answer = SatAnswer::Unknown;
  std::optional<NetConnection> witness;
  bool admitted_after = false;  // the witness's verdict under the second layer
  std::string unknown_reason;
};

class NetworkEncoding {
 public:
  // `pods` are the declared workloads the source and destination range over (their order is the index).
  NetworkEncoding(const mesh::NetworkLayer& layer, const std::vector<const model::Workload*>& pods,
                  unsigned timeout_ms = 10000);
  ~NetworkEncoding();
  NetworkEncoding(const NetworkEncoding&) = delete;
  NetworkEncoding& operator=(const NetworkEncoding&) = delete;

  // "" when the whole layer is encoded; else what is not (and admits() answers nullopt).
  const std::string& unsupported() const;

  // The symbolic verdict at one connection: whether admit ∧ (the connection) is satisfiable. nullopt: the
  // solver's Unknown, or unsupported().
  std::optional<bool> admits(const NetConnection& c);

  // A connection `before` and `after` decide differently, over the same pods in the same order (matched by
  // name by the caller): a Sat check of admit_before ≠ admit_after. Unsupported layers answer Unknown.
  static NetDifference difference(const mesh::NetworkLayer& before, const std::vector<const model::Workload*>& pods_before,
                                  const mesh::NetworkLayer& after, const std::vector<const model::Workload*>& pods_after,
                                  unsigned timeout_ms = 10000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meshproof::engine
