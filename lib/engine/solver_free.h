// The answers that need no solver, in one place (engine/solver_free.cpp): the atom algebra's refutation
// (refute.h), the concrete fast path (query.h find_concretely) and rule containment (rule_cover.h), and an
// engine that asks them first and builds its solver only for a query they leave open.
#pragma once

#include <memory>
#include <optional>

#include "engine/canonical_search.h"
#include "engine/query.h"
#include "ir/ir.h"

namespace meshproof::engine {

// What find() would answer, when it can be said without a solver: Unsat proven by the atom algebra, Sat with
// a witness replayed through the evaluator for existence-only queries, or Sat with the solver's own
// canonical witness (canonical_search.h). nullopt: ask an Engine. `answering` is the engine that would answer
// otherwise, if one was built: when an earlier query added variables to it (Engine::has_query_variables), its
// canonical witness reads them too, so a shown witness is left to it. `memo`: the program's canonical table,
// kept between the caller's questions (canonical_search.h).
std::optional<QueryResult> answer_without_solver(const ir::Program& program, const Query& query,
                                                 const EngineOptions& options = {}, const Engine* answering = nullptr,
                                                 CanonicalMemo* memo = nullptr);

// An Engine made on the first query that needs a solver. Checks that ask a handful of questions per program
// (often all refuted or answered concretely) pay for the solver only when one is needed; the answers are
// those of Engine::find.
class LazyEngine {
 public:
  // The program must outlive the engine.
  explicit LazyEngine(const ir::Program& program, EngineOptions options = {});
  ~LazyEngine();
  LazyEngine(const LazyEngine&) = delete;
  LazyEngine& operator=(const LazyEngine&) = delete;

  QueryResult find(const Query& query);
  bool built() const { return engine_ != nullptr; }

 private:
  const ir::Program& program_;
  EngineOptions options_;
  CanonicalMemo memo_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace meshproof::engine
