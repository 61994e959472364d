// Deciding a request through an enforcement chain (ir/lower_chain.h; docs/semantics.md#enforcement-chain):
// each point in order, with the request as that point receives it (after a waypoint: the waypoint's
// identity, A12); the first point that does not allow decides, else the last one. The concrete walk is the
// specification; ChainEngine decides the same walk with one symbolic engine per program, and the
// differential test requires both to agree.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "engine/evaluate.h"
#include "engine/query.h"
#include "ir/lower_chain.h"

namespace meshproof::engine {

struct HopDecision {
  const ir::ChainHop* hop = nullptr;
  const ir::Program* program = nullptr;  // the view that decided at this point
  ir::Request request;                   // as this point received it
  Decision decision;
};

struct ChainDecision {
  std::vector<HopDecision> hops;  // the points the request reached, in order; the last one decided
  const HopDecision& decisive() const { return hops.back(); }
};

// The view of a hop that answers for protocol `want` (the hop's only view when it has one protocol).
const ir::Program* hop_view(const ir::ChainHop& hop, ir::Protocol want);

// Walks the chain concretely. `want` picks the view on a hop with two (a sniffed port).
ChainDecision evaluate_chain(const ir::Chain& chain, const ir::Request& request, ir::Protocol want);

struct SymbolicHopDecision {
  SymbolicDecision decision;
  std::optional<size_t> hop;  // the index of the hop that decided
};

// The symbolic side of the same walk: one engine per program of the chain (built lazily).
class ChainEngine {
 public:
  explicit ChainEngine(const ir::Chain& chain);
  ~ChainEngine();
  SymbolicHopDecision decide(const ir::Request& request, ir::Protocol want);

 private:
  const ir::Chain& chain_;
  std::vector<std::unique_ptr<Engine>> engines_;  // parallel to the programs visited
  std::vector<const ir::Program*> programs_;
};

}  // namespace meshproof::engine
