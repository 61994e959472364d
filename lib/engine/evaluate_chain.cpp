// Deciding through an enforcement chain (engine/evaluate_chain.h).
#include "engine/evaluate_chain.h"

#include "engine/query.h"

namespace meshproof::engine {

const ir::Program* hop_view(const ir::ChainHop& hop, ir::Protocol want) {
  if (const ir::Program* p = hop.view(want)) return p;
  return hop.views.empty() ? nullptr : &hop.views.front();
}

ChainDecision evaluate_chain(const ir::Chain& chain, const ir::Request& request, ir::Protocol want) {
  ChainDecision out;
  for (const ir::ChainHop& hop : chain.hops) {
    const ir::Program* p = hop_view(hop, want);
    if (!p) continue;
    HopDecision h;
    h.hop = &hop;
    h.program = p;
    h.request = ir::request_at(hop, request);
    h.decision = evaluate(*p, h.request);
    const bool allowed = h.decision.verdict == Verdict::Allow;
    out.hops.push_back(std::move(h));
    if (!allowed) break;  // refused (or handed to an external authorizer) here: the request goes no further
  }
  return out;
}

ChainEngine::ChainEngine(const ir::Chain& chain) : chain_(chain) {}
ChainEngine::~ChainEngine() = default;

SymbolicHopDecision ChainEngine::decide(const ir::Request& request, ir::Protocol want) {
  SymbolicHopDecision out;
  for (size_t i = 0; i < chain_.hops.size(); ++i) {
    const ir::ChainHop& hop = chain_.hops[i];
    const ir::Program* p = hop_view(hop, want);
    if (!p) continue;
    size_t k = 0;
    while (k < programs_.size() && programs_[k] != p) ++k;
    if (k == programs_.size()) {
      programs_.push_back(p);
      engines_.push_back(std::make_unique<Engine>(*p));
    }
    out.decision = engines_[k]->decide(ir::request_at(hop, request));
    out.hop = i;
    if (out.decision.answer != SatAnswer::Sat || out.decision.verdict != Verdict::Allow) break;
  }
  return out;
}

}  // namespace meshproof::engine
