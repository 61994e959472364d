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
#include <optional>
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

// Builds the witness request from the model (read through the decoder): its truths through
// request_from_truths, then the IP addresses from the CIDR truths (or the model's bits).
ModelRequest concretize(ModelReader& m, const RequestVars& vars, unsigned timeout_ms);

// The truths of one string attribute as the witness construction reads them: no solver variables, so that a
// witness is built from truths found without a solver (canonical_search.h) exactly as from a model.
struct AttributeTruths {
  ir::Attribute attr = ir::Attribute::Method;
  const std::string* key = nullptr;
  const StrDomain* domain = nullptr;
  const std::vector<StrAtom>* atoms = nullptr;  // in the order the assignment follows
  StrAssignment assignment;
};

// The truths of one address attribute that exists: its family and every CIDR atom on it.
struct AddressTruths {
  ir::Attribute attr = ir::Attribute::SourceIp;
  bool v6 = false;
  std::vector<std::pair<ir::Cidr, bool>> cidrs;
};

struct WitnessTruths {
  bool mtls = false, token_valid = false, token_invalid = false;
  std::vector<AttributeTruths> strings;  // every string attribute with variables, in (attribute, key) order
  std::vector<AddressTruths> addresses;  // the address attributes that exist, in attribute order
  std::optional<uint32_t> true_port;     // a domain without a fixed port: the port atom that holds, if any
  std::vector<uint32_t> port_atoms;      // the ports port atoms name
};

// What only a solver gives: the value of an attribute whose truths the construction cannot realize alone
// (opaque atoms: the sequence theory; false with out.status Refine or Unknown when there is none), and the
// model's own port and addresses when no canonical one fits.
struct WitnessSolver {
  std::function<bool(size_t attribute, std::optional<std::string>& value, std::vector<std::string>& elements,
                     ModelRequest& out)>
      theory;
  std::function<std::optional<uint32_t>()> model_port;
  std::function<std::optional<ir::IpAddress>(size_t address)> model_address;
};

// The witness request of `truths` in `domain`.
ModelRequest request_from_truths(const WitnessTruths& truths, const RequestDomain& domain, const WitnessSolver& solver);

}  // namespace meshproof::engine::detail
