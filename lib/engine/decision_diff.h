// Where two decision programs of one port view decide differently (`meshproof diff`, docs/diff.md).
//
// `before` and `after` are the programs of the same workload, port and protocol view lowered from two
// policy sets. Both are compiled over ONE set of request variables (the engine's encoder and compiler,
// as the equivalence prover does), and the difference of the two decision functions is split by
// direction:
//   newly allowed: after's verdict is ALLOW and before's is not;
//   newly denied:  before's verdict is ALLOW and after's is not.
// Each direction is partitioned into classes over the atoms of both programs by a blocking-clause loop:
// a model of the region is made canonical and concretized into a witness request (replayed through the
// concrete evaluator on both programs: the specification), then generalized into a cube of atom
// literals that lies inside the region (a literal is dropped while "cube ∧ not region" stays Unsat), and
// the cube is blocked. The loop ends when the region is empty (complete) or after max_classes.
// The solver's Unknown is an answer of its own (inconclusive), never "no change".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/evaluate.h"
#include "engine/symbolic_seq.h"
#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine {

enum class ChangeDirection : uint8_t { NewlyAllowed, NewlyDenied };
const char* to_string(ChangeDirection d);  // "newly-allowed", "newly-denied"

// One class of requests whose decision changes the same way.
struct ChangeClass {
  ChangeDirection direction = ChangeDirection::NewlyAllowed;
  std::vector<std::string> literals;  // the class: a conjunction, e.g. "mTLS", "request.method == \"POST\""
  ir::Request witness;                // one request of the class, replayed on both programs
  Decision before, after;             // the concrete evaluator's decisions on the witness
};

struct DecisionDiffOptions {
  unsigned timeout_ms = 60000;             // wall-clock backstop per solver check (0: none)
  std::optional<unsigned> resource_limit;  // Z3's budget per check; unset: the process's
  unsigned max_classes = 20;               // per direction; more: complete = false
  unsigned max_refinements = 64;           // opaque-atom lemmas and replay refusals before Unknown
  std::vector<uint32_t> declared_ports;    // for a port-0 (undeclared ports) view: ports it cannot see
  // The port the requests use, when one side's view is the undeclared-ports program (port 0) and the
  // other declares the port; unset: before's port (or, for port 0, any port not in declared_ports).
  std::optional<uint32_t> port;
};

struct DecisionDiff {
  // Unsat: the decisions are the same on every request (proven); Sat: classes found; Unknown: the solver
  // could not decide (the classes found before it gave up are kept, unknown_reason says why).
  SatAnswer answer = SatAnswer::Unsat;
  std::vector<ChangeClass> classes;  // newly allowed first, then newly denied, each in discovery order
  bool complete = true;              // every changed request lies in one of the classes
  std::string unknown_reason;
};

// The programs must be views of the same protocol and port.
DecisionDiff diff_decisions(const ir::Program& before, const ir::Program& after,
                            const DecisionDiffOptions& options = {});

}  // namespace meshproof::engine
