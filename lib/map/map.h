// `meshproof map` as a library call (docs/map.md): who may call whom. For every workload, port and
// protocol view, the requests its program allows are partitioned into classes by the engine's
// decision-diff loop (engine/decision_diff.h, against a view that allows nothing), so each edge is a
// class of requests with one concrete witness that `meshproof query` replays, and the rule that admits it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analysis.h"

namespace meshproof::map {

// The L3/L4 layer's verdict for one source of an admission (docs/map.md#the-l3l4-layer).
struct NetSource {
  std::string source;  // "pod ns/name", "outside address 10.0.0.1/32"
  bool admitted = true;
  uint32_t port = 0;  // the port the layer saw: 15008 for HBONE (I3), else the pod's port
  std::string policy, tier, direction, location;  // what decided ("" when no policy of the layer did)
  std::string reason;
  std::string unmodelled;  // what an admission rests on that is not modelled ("" when nothing)
  std::string query;       // `meshproof query ... --from NS/POD` (or --source-ip) that gives this decision
};

// One class of allowed requests to one workload view.
struct Admission {
  uint32_t port = 0;  // 0: the ports the workload does not declare
  std::string port_name;
  std::string protocol;                 // "HTTP", "TCP"
  std::vector<std::string> conditions;  // what else the class needs: "methods: [POST]", "paths: [/v1/*]"
  std::string reason;                   // "allow-matched", "no-allow-policy", "no-sidecar"
  std::string rule;                     // "NS/NAME rules[i]"; "" without a rule
  std::string policy;                   // "NS/NAME" of the admitting policy; "" without a rule
  std::string location;                 // the rule's file:line:col
  std::string witness;                  // the request in words
  std::string query;                    // `meshproof query ...` that replays the witness (ALLOW; DENY if blocked)
  // When the input holds L3/L4 policies: the layer's verdict for each declared source pod of the caller class
  // (for plaintext and any caller, and a class no declared pod is in: one outside address per CIDR region).
  std::vector<NetSource> network;
  bool blocked = false;  // the layer blocks every source: the mesh admits the class, but nothing reaches it
};

// Who may call one workload: a caller class (an identity class, plaintext, or any caller) and every class
// of requests it may send.
struct Edge {
  std::string caller;    // the caller literals of the classes: "principals: [...]", "plaintext", "any caller"
  std::string workload;  // "NS/NAME"
  std::vector<Admission> admissions;
  bool blocked() const;  // every admission is blocked by the L3/L4 layer
};

struct Workload {
  std::string name;  // "NS/NAME"
  std::string data_plane;
  bool regulated = false;
};

struct Map {
  std::vector<std::string> callers;  // sorted
  std::vector<Workload> workloads;   // in the mesh's order
  std::vector<Edge> edges;           // by workload, then caller
  // Views the engine could not partition completely (class cap or solver unknown): "NS/NAME port 8080 HTTP:
  // more classes than 20" — the map shows what was found and says so.
  std::vector<std::string> incomplete;
  bool network_layer = false;  // the input holds L3/L4 policies: admissions carry `network`
};

struct Options {
  std::vector<std::string> paths;  // start the witnesses' query commands
  unsigned timeout_ms = 60000;
  unsigned max_classes = 20;  // per view
};

Map build_map(const analysis::Analysis& analysis, const Options& options);

}  // namespace meshproof::map
