// `meshproof diff`: what a change to the policy set changes (docs/diff.md). Two analyses — the tree
// before and the tree after — are compared workload by workload (matched by namespace/name) and port by
// port:
//   * decisions: for every port view whose decision function changes, the requests newly allowed and
//     newly denied, partitioned into classes over the atoms of both policy sets (engine/decision_diff.h),
//     each with one concrete witness (replayed on both trees) and the deciding rules before and after;
//   * effective mTLS modes per workload × port;
//   * findings that appear or disappear (by fingerprint, as baselines match them: analysis/baseline.h).
// The solver's Unknown is reported as inconclusive (never as "no change").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "base/finding.h"
#include "engine/decision_diff.h"

namespace meshproof::diff {

struct Options {
  // The paths that start the witnesses' `meshproof query` commands on each side ("" entries: none; an
  // empty list leaves the command out, e.g. for a git revision extracted to a temporary directory).
  std::vector<std::string> before_paths, after_paths;
  unsigned max_classes = 20;  // per port view and direction (the solver's enumeration)
  unsigned timeout_ms = 60000;
};

// What decided one side of a witness.
struct SideDecision {
  std::string verdict;   // ALLOW, DENY, DELEGATED, REJECTED
  std::string reason;    // kebab-case engine::Reason
  std::string rule;      // "ns/name rules[i]", "" when no rule decided
  std::string location;  // "file:line:col" of that rule, "" when none
  std::string file;      // the rule's file as the user named it, "" when none
  uint32_t line = 0;
  std::string explanation;  // the evaluator's sentence
  Witness witness;          // the request as this side's program sees it, with its reproduce command
};

struct ClassChange {
  engine::ChangeDirection direction = engine::ChangeDirection::NewlyAllowed;
  std::vector<std::string> literals;  // the class, a conjunction
  SideDecision before, after;
};

// One port view whose decisions change (or could not be compared).
struct PortChange {
  std::string workload;  // "ns/name"
  uint32_t port = 0;     // 0: the ports the workload does not declare
  std::string port_name;
  std::string protocol;  // "HTTP" or "TCP"
  std::vector<ClassChange> classes;
  bool complete = true;       // the classes cover every changed request
  bool inconclusive = false;  // the solver gave up
  std::string unknown_reason;
  size_t newly_allowed() const;
  size_t newly_denied() const;
};

struct MtlsChange {
  std::string workload;
  uint32_t port = 0;
  std::string before, after;                        // STRICT, PERMISSIVE, DISABLE
  std::string before_decided_by, after_decided_by;  // "PeerAuthentication ns/name", "" = Istio's default
};

struct FindingChange {
  bool appeared = false;  // false: disappeared
  Finding finding;
  std::string location;  // "file:line:col" in its own tree
};

// One side of a connection's L3/L4 verdict (mesh/network_layer.h).
struct NetSide {
  bool admitted = true;
  std::string policy;     // "NetworkPolicy ns/name", "AdminNetworkPolicy name", ...; "" when none decided
  std::string tier;       // "AdminNetworkPolicy", "NetworkPolicy", "BaselineAdminNetworkPolicy"; "" likewise
  std::string direction;  // "ingress" (of the destination) or "egress" (of the source); "" likewise
  std::string location;   // the deciding rule's file:line:col (else the policy's); "" when none decided
  std::string file;       // that file as the user named it, and the line (for SARIF)
  uint32_t line = 0;
  std::string reason;     // the layer's sentence
  std::string unmodelled;  // what an admission rests on that is not modelled ("" when nothing)
  std::string reproduce;   // `meshproof query ... --from SRC` (or --plaintext --source-ip ADDR); "" when none
};

// A connection whose L3/L4 verdict changes (docs/diff.md#the-l3l4-layer): the source (a declared pod present
// on both sides, or an outside address representing one region of the CIDRs), the destination pod and port.
struct NetworkChange {
  bool newly_admitted = false;  // false: newly blocked
  std::string source;           // "pod ns/name", "outside address 10.0.0.0/32"
  std::string destination;      // "ns/name"
  uint32_t port = 0;            // the destination pod's port (after Service DNAT)
  std::string port_name;
  std::string protocol;    // TCP, UDP, SCTP
  uint32_t wire_port = 0;  // the port the layer sees: 15008 for HBONE (I3), else `port`
  bool found_by_solver = false;  // a connection outside the enumeration (an undeclared port or protocol)
  NetSide before, after;
};

struct Result {
  std::vector<std::string> workloads_added, workloads_removed;  // "ns/name"
  std::vector<PortChange> ports;                                // changed or inconclusive, in workload order
  std::vector<MtlsChange> mtls;
  std::vector<FindingChange> findings;
  size_t workloads_compared = 0;
  size_t views_compared = 0;  // port views whose decisions were compared
  size_t views_solved = 0;    // ... of which the solver had to compare (the rest are identical programs)

  // The L3/L4 layer (NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, Cilium): compared only
  // when one side has such policies (network_layer true); the connections whose verdict changes.
  bool network_layer = false;
  size_t connections_compared = 0;
  std::vector<NetworkChange> network;
  // The solver's check of the two layers over the compared pods, every port, protocol and IPv4 outside address
  // (engine/network_encoding.h): "equivalent", "differs", or "unknown: why" (never read as "no change").
  std::string network_solver;

  size_t newly_allowed() const;
  size_t newly_denied() const;
  size_t newly_admitted() const;  // connections the layer newly admits
  size_t newly_blocked() const;
  bool inconclusive() const;
  bool decisions_changed() const { return newly_allowed() + newly_denied() + network.size() > 0; }
};

// Compares two analyses (with their checks run, for the findings).
Result compare(const analysis::Analysis& before, const analysis::Analysis& after, const Options& options = {});

// The claim of `diff --expect`: equivalent (no decision changes), narrower (nothing newly allowed),
// wider (nothing newly denied).
enum class Expectation : uint8_t { None, Equivalent, Narrower, Wider };
// Whether the result proves the claim: every class contradicting it is a counterexample.
bool expectation_holds(const Result& r, Expectation e);
bool contradicts(const ClassChange& c, Expectation e);
bool contradicts(const NetworkChange& c, Expectation e);  // newly admitted counts as newly allowed

// The exit code (docs/diff.md): with a claim, 0 proven, 1 counterexamples, 4 inconclusive; without, 1 for
// a decision change at or above the gate (any change, or with fail_on_wider only newly allowed requests),
// else 4 when a port could not be compared, else 0. 1 wins over 4 (DESIGN.md §9).
int exit_code(const Result& r, bool fail_on_wider, Expectation e);

}  // namespace meshproof::diff
