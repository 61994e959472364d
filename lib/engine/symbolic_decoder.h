// The decoder: what a Z3 model says about the request variables and the decision. PRIVATE to lib/engine.
// It only reads (through ModelReader, symbolic_z3.h): the truths of the request's Booleans, the model's
// own address and port bits, the decision's named Booleans. Turning truths into a concrete request is the
// concretizer's job (symbolic_concretizer.h).
#pragma once

#include <z3++.h>

#include <optional>
#include <vector>

#include "engine/query.h"
#include "engine/symbolic_compiler.h"
#include "engine/symbolic_encoder.h"
#include "engine/symbolic_strings.h"
#include "engine/symbolic_z3.h"

namespace meshproof::engine::detail {

struct StringTruths {
  const StringAttr* attr = nullptr;
  StrAssignment assignment;  // D and every atom, as symbolic_strings.h builds a witness from them
};

struct IpTruths {
  ir::Attribute attr = ir::Attribute::SourceIp;
  const IpAttr* vars = nullptr;
  bool v6 = false;
  std::vector<std::pair<ir::Cidr, bool>> cidrs;  // every CIDR atom on the attribute with its truth
};

struct RequestTruths {
  bool mtls = false, token_valid = false, token_invalid = false;
  std::vector<StringTruths> strings;  // every string attribute, in RequestVars::strings() order
  std::vector<IpTruths> ips;          // the defined IP attributes, in RequestVars::ips() order
  std::optional<uint32_t> true_port;  // a domain without a fixed port: the port atom that holds, if any
};

RequestTruths read_truths(ModelReader& m, const RequestVars& vars);

// The model's own values of the bit-vectors (when no canonical choice fits).
ir::IpAddress read_ip(ModelReader& m, const IpAttr& ip);
uint32_t read_port(ModelReader& m, const RequestVars& vars);

// A clause that excludes the model's values of the request's Booleans (mTLS, every string atom and D,
// every IP's D): the equivalence prover's answer to a model whose witness did not replay.
z3::expr block_model(ModelReader& m, const RequestVars& vars);

// The decision the formulas give on the model (Engine::decide); throws InternalError when they are not a
// function (not exactly one verdict, reason, deciding rule).
SymbolicDecision read_decision(ModelReader& m, CompiledProgram& program);

}  // namespace meshproof::engine::detail
