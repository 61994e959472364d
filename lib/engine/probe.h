// Internal to lib/engine: candidate requests built directly from a rule, for the concrete fast path of
// existence-only queries (query.h, find_concretely). A candidate proves nothing by itself: the caller
// replays it through the concrete evaluator and accepts it only if every condition of the query holds
// and the request lies in the engine's domain (request_in_domain), so a bad guess costs a solver call,
// never a wrong answer.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/query.h"
#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine::detail {

// Up to `max` requests, each satisfying the positive atoms of one (principal clause, permission clause)
// pair of `rule` as far as a single value per attribute can; mTLS unless `mtls` says otherwise. Empty
// when the rule uses atoms a literal value cannot stand for (globs, path templates, regexes).
std::vector<ir::Request> probe_requests(const ir::Program& program, const ir::Rule& rule, bool mtls,
                                        const std::vector<uint32_t>& declared_ports, size_t max);

// Whether the request is one the symbolic encoding admits (symbolic_encoder.h program_domain): port,
// peer identity present exactly under mTLS, string values in their attribute's domain, a method on HTTP
// when the options require one, a token only where jwt_authn runs.
bool request_in_domain(const ir::Program& program, const ir::Request& r, const EngineOptions& options);

}  // namespace meshproof::engine::detail
