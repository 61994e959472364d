// The solver-free answers, and the engine that asks them first (solver_free.h).
#include "engine/solver_free.h"

#include "engine/canonical_search.h"
#include "engine/refute.h"
#include "engine/rule_cover.h"

namespace meshproof::engine {

std::optional<QueryResult> answer_without_solver(const ir::Program& program, const Query& query,
                                                 const EngineOptions& options, const Engine* answering,
                                                 CanonicalMemo* memo) {
  if (auto refuted = refute_without_solver(program, query, options)) return refuted;
  if (auto quick = find_concretely(program, query, options)) return quick;
  if (auto decided = decide_rule_matches(program, query, options)) return decided;
  if (query.witness_shown() && answering && answering->has_query_variables()) return std::nullopt;
  return canonical_without_solver(program, query, options, memo);
}

LazyEngine::LazyEngine(const ir::Program& program, EngineOptions options)
    : program_(program), options_(std::move(options)) {}

LazyEngine::~LazyEngine() = default;

QueryResult LazyEngine::find(const Query& query) {
  if (auto quick = answer_without_solver(program_, query, options_, engine_.get(), &memo_)) return *quick;
  if (!engine_) engine_ = std::make_unique<Engine>(program_, options_);
  return engine_->find(query);
}

}  // namespace meshproof::engine
