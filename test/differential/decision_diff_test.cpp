// engine::diff_decisions on random pairs of programs of one view (issue #14): every class's witness shows
// the stated change concretely, "no change" (Unsat) is never contradicted by a random request, and a
// complete answer has a class of each direction some random request shows.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "engine/decision_diff.h"
#include "engine/evaluate.h"
#include "random_program.h"

using namespace meshproof;

namespace {

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

bool allowed(const ir::Program& p, const ir::Request& r) {
  return engine::evaluate(p, r).verdict == engine::Verdict::Allow;
}

bool refused(const ir::Program& p, const ir::Request& r) {
  return engine::evaluate(p, r).reason == engine::Reason::PathRejected;
}

// A second program for the first one's view: the same protocol, port and path normalization.
ir::Program same_view(test::RandomPrograms& gen, const ir::Program& a) {
  while (true) {
    ir::Program b = gen.program();
    if (b.protocol != a.protocol) continue;
    b.port = a.port;
    b.workload = a.workload;
    b.path_normalization = a.path_normalization;
    return b;
  }
}

}  // namespace

TEST_CASE("differential: decision diff classes replay and no change is never contradicted", "[differential][diff]") {
  const uint64_t seed = env_or("MESHPROOF_DIFF_SEED", 7) + 3;
  const uint64_t pairs = env_or("MESHPROOF_DIFF_ITERATIONS", 100000) / 500;  // 200 by default
  INFO("seed " << seed);
  test::RandomPrograms gen(seed);
  uint64_t changed = 0, unchanged = 0, unknown = 0, classes = 0;
  for (uint64_t n = 0; n < pairs; ++n) {
    const ir::Program a = gen.program();
    const ir::Program b = gen.chance(20) ? a : same_view(gen, a);
    INFO("pair #" << n);
    engine::DecisionDiffOptions options;
    options.max_classes = 8;
    const engine::DecisionDiff d = engine::diff_decisions(a, b, options);
    bool seen_allowed = false, seen_denied = false;
    for (const auto& c : d.classes) {
      const bool newly_allowed = c.direction == engine::ChangeDirection::NewlyAllowed;
      (newly_allowed ? seen_allowed : seen_denied) = true;
      CHECK(allowed(b, c.witness) == newly_allowed);
      CHECK(allowed(a, c.witness) == !newly_allowed);
      ++classes;
    }
    if (d.answer == engine::SatAnswer::Unknown) {
      ++unknown;
      CHECK_FALSE(d.unknown_reason.empty());
      continue;
    }
    (d.answer == engine::SatAnswer::Unsat ? unchanged : changed)++;
    for (int k = 0; k < 40; ++k) {
      const ir::Request r = gen.request(a);
      if (refused(a, r) || refused(b, r)) continue;  // the engine's claims are about requests the filters see
      const bool before = allowed(a, r), after = allowed(b, r);
      if (before == after) continue;
      INFO("a request whose decision changes (" << (after ? "newly allowed" : "newly denied") << ")");
      REQUIRE(d.answer == engine::SatAnswer::Sat);  // "no change" must never be contradicted
      if (d.complete) CHECK((after ? seen_allowed : seen_denied));
    }
  }
  WARN("decision diff pairs: changed " << changed << ", unchanged " << unchanged << ", unknown " << unknown
                                       << ", classes " << classes);
  CHECK(changed > 0);
  CHECK(unchanged > 0);
  CHECK(unknown * 10 <= changed + unchanged);
}
