// The canonical witness without the solver (engine/canonical_search.cpp).
//
// The solver makes every shown witness canonical (symbolic_concretizer.h): the lexicographically smallest
// truths, false before true, over the request's Booleans in canonical_order, turned into a request by
// request_from_truths. When every atom of the program and the query is an exact, prefix, suffix or present
// atom on a string or set-valued attribute (the JWT's too), a CIDR, or a port atom, those truths are found
// without a solver: a depth-first
// search assigns the variables' attributes in canonical order, trying each attribute's representative
// values (representatives.h) in the order of their truths, and prunes with the three-valued evaluation of the
// query (three_valued.h); the first request the query holds on has the smallest truths. The request is then
// built from those truths by the solver's own construction, so it is the one Engine::find returns, byte
// for byte (test/differential compares the two on random programs and queries).
#pragma once

#include <memory>
#include <optional>

#include "engine/query.h"
#include "ir/ir.h"

namespace meshproof::engine {

namespace detail {
class CanonicalTable;
}

// What a program's canonical searches share (its variables and their sorted representatives), kept between
// its questions: made by the first question that adds no atom of its own, read by the later ones. One memo
// serves one program with one EngineOptions, on one thread.
class CanonicalMemo {
 public:
  CanonicalMemo();
  ~CanonicalMemo();
  CanonicalMemo(const CanonicalMemo&) = delete;
  CanonicalMemo& operator=(const CanonicalMemo&) = delete;

  // The program's table, made on the first call; null when an atom of the program is outside the fragment or
  // its representatives are too many (then for good).
  const detail::CanonicalTable* table(const ir::Program& program, const EngineOptions& options);

 private:
  const ir::Program* program_ = nullptr;
  std::unique_ptr<detail::CanonicalTable> table_;
  bool outside_ = false;
};

// What Engine::find answers — Sat with the canonical witness, or Unsat — or nullopt: an atom outside the
// fragment (a glob, a path template, a regex, a pseudo-header, metadata), too many candidates, or a
// construction that needs the sequence theory. The answer is that of an engine on which no earlier query
// added variables (an extra atom): such an engine's canonical witness reads those atoms too. With a memo, a
// query that adds no atom reuses the program's table (the answer is the same).
std::optional<QueryResult> canonical_without_solver(const ir::Program& program, const Query& query,
                                                    const EngineOptions& options = {}, CanonicalMemo* memo = nullptr);

}  // namespace meshproof::engine
