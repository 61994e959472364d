// Verification of a running proxy: the RBAC filters in an Envoy config dump (what `/config_dump` or
// `istioctl proxy-config all -o json` prints) are decoded and proven equivalent to what the manifests say
// for that workload (docs/compile.md, "verify-envoy").
//
// Layout read: configs[] → the ListenerConfigDump (@type ...admin.v3.ListenerConfigDump) →
// dynamic_listeners[].active_state.listener (and static_listeners[].listener) → the inbound listener
// (name `virtualInbound`, or the one bound to port 15006) → filter_chains[] (and default_filter_chain).
// A chain with an http_connection_manager is HTTP: its typed_config.http_filters[] are decoded; any other
// chain is TCP: its network filters are decoded. The chain's filter_chain_match.destination_port picks
// the workload port (absent: every port the workload does not declare). Chains named *blackhole* are
// skipped. Field names may be snake_case or camelCase.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compile/decode/decode.h"
#include "engine/equivalence.h"
#include "ir/lower.h"
#include "load/node.h"
#include "mesh/mesh.h"

namespace meshproof::compile {

struct InboundChain {
  std::string listener;
  std::string name;  // filter chain name ("" when unnamed)
  std::string path;  // JSON path of the chain
  Loc loc;
  std::optional<uint32_t> port;  // filter_chain_match.destination_port
  ir::Protocol protocol = ir::Protocol::Tcp;
  std::vector<const load::Node*> filters;  // HTTP filters (HTTP) or network filters (TCP)
  std::vector<std::string> filter_paths;
};

// Finds the inbound chains. False (with errors) when the dump has no inbound listener or is malformed.
bool inbound_chains(const load::Node& root, std::vector<InboundChain>& out, std::vector<DecodeError>& errors);

struct ChainVerdict {
  InboundChain chain;
  uint32_t port = 0;  // the workload port verified (0: undeclared ports)
  engine::EquivalenceResult result;
  size_t rbac_filters = 0, ext_authz_filters = 0;
};

// Decodes and proves every inbound chain against the workload's program for that port and protocol.
// False (with errors: file positions through `errors`) when a chain's filters cannot be decoded.
bool verify_chains(const std::vector<InboundChain>& chains, const mesh::Workload& workload, const ir::LowerContext& ctx,
                   const engine::EquivalenceOptions& options, std::vector<ChainVerdict>& out,
                   std::vector<DecodeError>& errors);

}  // namespace meshproof::compile
