// The concretizer: the canonical witness construction. PRIVATE to lib/engine.
//
// Two steps make a witness depend only on the problem, not on the solver's search:
//   1. canonical_order + canonicalize: the lexicographically smallest model (false before true) over the
//      request's Booleans in an order that depends only on the atoms themselves;
//   2. concretize: the truths of that model (symbolic_decoder.h) become an ir::Request — strings by the
//      completeness construction of symbolic_strings.h (the sequence theory for opaque atoms), addresses
//      and the port chosen from fixed candidates that have the same truths, plausible values for what no
//      atom reads.
#pragma once

#include <z3++.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/symbolic_decoder.h"
#include "engine/symbolic_encoder.h"
#include "engine/symbolic_z3.h"
#include "ir/request.h"

namespace meshproof::engine::detail {

// Every Boolean that describes the request (connection facts, then per attribute D and its atoms, then
// IP families and CIDR atoms, then port atoms), in an order that depends only on the atoms themselves.
std::vector<z3::expr> canonical_order(const RequestVars& vars);

// After a Sat check under `assumptions`: moves the solver to the lexicographically smallest model over
// `order`. Each variable that is true in the current model is tried false; the model found for that try
// replaces the current one. Ends with the solver holding that model. False when a check is Unknown.
using CheckFn = std::function<z3::check_result(const z3::expr_vector& assumptions)>;
bool canonicalize(z3::solver& solver, NegationIds& negations, const std::vector<z3::expr>& order,
                  const z3::expr_vector& assumptions, const CheckFn& check);

// What the model says about one request: the witness, or why none could be built.
struct ModelRequest {
  enum class Status : uint8_t { Ok, Refine, Unknown } status = Status::Ok;
  ir::Request request;
  std::vector<z3::expr> lemmas;  // Refine: valid clauses that exclude this model's impossible polarities
  std::string reason;            // Unknown: "ATTRIBUTE: why"
};

// Builds the witness request from the model (read through the decoder).
ModelRequest concretize(ModelReader& m, const RequestVars& vars, unsigned timeout_ms);

}  // namespace meshproof::engine::detail
