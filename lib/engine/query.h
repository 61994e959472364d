// The symbolic query API the checks use (DESIGN.md §5, §6): "is there a request such that ...?" over
// one decision program, answered by Z3 with a concrete, replayed witness — or Unsat, or Unknown with a
// reason. Unknown is a first-class answer: a caller must report it, never read it as "safe".
//
//   engine::Engine engine(program);
//   auto r = engine.find(engine::Query().mtls(false).verdict(engine::Verdict::Allow), 200);
//   if (r.answer == engine::SatAnswer::Sat) { ... r.request, r.decision ... }
//
// Every Sat answer carries a request that was built from the model (docs/engine.md: "longest true prefix
// + fresh middle + longest true suffix") and replayed through the concrete evaluator (evaluate.h); if the
// replay disagrees with what the query asked for, find() throws InternalError — a bug in meshproof,
// never a finding.
//
// Threads: Z3 contexts are not thread-safe. An Engine uses the context of the thread that created it (or
// the SolverContext passed in options) and must only be used from that thread; it checks this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/evaluate.h"
#include "engine/symbolic_seq.h"
#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine {

// A disagreement between the solver and the concrete evaluator, or a model that violates the axioms.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Z3's memory limit in MiB, for every solver of the process together (Z3's allocator is global). A check
// that would need more answers Unknown ("max. memory exceeded"), never Sat or Unsat. Default: half the
// physical memory, between 1 and 8 GiB; the environment variable MESHPROOF_Z3_MEMORY_MB overrides it.
void set_solver_memory_limit_mb(unsigned mb);
unsigned solver_memory_limit_mb();

// Z3's deterministic resource budget (`rlimit`) for each check of every solver of the process: a check that
// would need more answers Unknown ("resource limit reached"). Unlike a wall-clock limit it gives the same
// answer on every machine, under any load and with any thread count, so it is the limit that normally
// applies; the wall-clock limits (`--timeout-ms`) are a backstop set far above it (docs/engine.md §7).
// 0: no budget. The default is about 5 to 10 s of solving on the development machine, some 700 times
// what the largest check of the samples, the realworld corpus and a 10k-policy tree needs (docs/engine.md §7).
inline constexpr unsigned kDefaultSolverResourceLimit = 10'000'000;
void set_solver_resource_limit(unsigned units);
unsigned solver_resource_limit();

// One Z3 context. Create one per worker thread and pass it to the Engines that thread builds; creating
// a context costs milliseconds, an Engine on an existing context does not.
class SolverContext {
 public:
  SolverContext();
  ~SolverContext();
  SolverContext(const SolverContext&) = delete;
  SolverContext& operator=(const SolverContext&) = delete;
  // The calling thread's own context (created on first use, lives until the thread ends).
  static SolverContext& for_this_thread();

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// A rule of a program by action and position (program.custom / deny / allow / audit).
struct RuleRef {
  model::Action action = model::Action::Allow;
  size_t index = 0;
  friend bool operator==(const RuleRef&, const RuleRef&) = default;
};

enum class ConditionKind : uint8_t {
  RuleMatches,         // the rule's condition holds on the request (independent of order and dry-run)
  ActionMatches,       // some rule of the action that the evaluator enforces matches: dry-run ALLOW/DENY
                       //     rules are excluded; CUSTOM rules all count (dry-run CUSTOM still calls
                       //     ext_authz, IS §2); AUDIT rules all count (they only log)
  VerdictIs,           // the decision's verdict
  ReasonIs,            // the decision's reason
  DecidedBy,           // the decision's deciding rule (Decision::decided_by) is this rule
  IfAuthorizerAllows,  // the decision is DELEGATED and, if the external authorizer allows, the rest of the
                       //     chain decides this verdict (Decision::if_authorizer_allows)
  Mtls,                // the connection is mTLS (positive) or plaintext (negated)
  Token,               // the request's token state, as the program sees it (None on TCP / without
                       //     RequestAuthentication, evaluate.h effective_request)
  AtomHolds,           // an extra atom holds on the request (as the program sees it)
  Protocol,            // the program's protocol view (a constant: a TCP program never speaks HTTP)
};

struct Condition {
  ConditionKind kind = ConditionKind::VerdictIs;
  bool positive = true;  // false: the negation ("does not match", "verdict != D", "plaintext")
  RuleRef rule;
  model::Action action = model::Action::Allow;
  Verdict verdict = Verdict::Allow;
  Reason reason = Reason::AllowMatched;
  ir::TokenState token = ir::TokenState::None;
  ir::Atom atom;
  ir::Protocol protocol = ir::Protocol::Http;
  std::string describe() const;
};

// A conjunction of conditions.
class Query {
 public:
  Query& rule_matches(RuleRef r, bool matches = true);
  Query& action_matches(model::Action a, bool matches = true);
  Query& verdict(Verdict v, bool equals = true);
  Query& reason(Reason r, bool equals = true);
  Query& decided_by(RuleRef r, bool equals = true);
  Query& if_authorizer_allows(Verdict v);
  Query& mtls(bool over_mtls);  // false: plaintext
  Query& token(ir::TokenState t, bool equals = true);
  Query& atom(const ir::Atom& a, bool holds = true);
  Query& protocol(ir::Protocol p);
  Query& add(const Condition& c);
  // The caller only asks whether a request exists and never shows the witness: the answer may carry any
  // replayed witness instead of the canonical one (EngineOptions::canonical_witnesses), which saves the
  // extra solver checks that make a witness canonical. Sat/Unsat/Unknown are unaffected.
  Query& existence_only();

  const std::vector<Condition>& conditions() const { return conditions_; }
  bool witness_shown() const { return witness_shown_; }
  std::string describe() const;  // "verdict == ALLOW ∧ plaintext"

 private:
  std::vector<Condition> conditions_;
  bool witness_shown_ = true;
};

struct QueryResult {
  SatAnswer answer = SatAnswer::Unknown;
  std::optional<ir::Request> request;  // Sat: the witness (already replayed)
  std::optional<Decision> decision;    // Sat: the concrete evaluator's decision on it
  std::string reason;                  // Unknown: why (timeout, unsupported atom, ...)
  unsigned refinements = 0;            // sequence-theory rounds spent on opaque atoms
};

// The symbolic side of one request: what the formulas say when every attribute is pinned to the
// request's values (the differential tests compare it with evaluate()).
struct SymbolicDecision {
  SatAnswer answer = SatAnswer::Unknown;  // Unsat: the request is outside the encoded domain
  Verdict verdict = Verdict::Deny;
  Reason reason = Reason::NoAllowMatched;
  std::optional<RuleRef> decided_by;
  std::optional<Verdict> if_authorizer_allows;
  std::vector<RuleRef> matching_rules;  // every rule of every action whose condition holds
  std::string unknown_reason;
};

struct EngineOptions {
  SolverContext* context = nullptr;     // nullptr: SolverContext::for_this_thread()
  unsigned default_timeout_ms = 60000;  // wall-clock backstop per query (0: none); resource_limit applies first
  // Z3's resource budget per check (`rlimit`; 0: none); unset: the process's (set_solver_resource_limit).
  std::optional<unsigned> resource_limit;
  // For a program of undeclared ports (program.port == 0): the ports the workload declares, which such
  // a request cannot use. Ignored when program.port != 0 (the request's port is the program's port).
  std::vector<uint32_t> declared_ports;
  // Every HTTP request carries :method (request.h: "on an HTTP port Envoy always has one"); without it
  // a witness could dodge `methods`/`notMethods` by having no method at all, which no client can send.
  bool http_method_always_present = true;
  unsigned max_refinements = 64;  // sequence-theory lemmas per query before answering Unknown
  // Make every witness canonical: the lexicographically smallest model (false before true) over the
  // request's Booleans in a fixed order (symbolic_concretizer.h canonical_order), found with a few extra checks per Sat
  // answer. Without it a witness depends on what the Z3 context did before (the order of AST ids steers
  // the search), so the same input could give different witnesses in different runs or threads.
  bool canonical_witnesses = true;
};

// The concrete fast path of an existence-only query (Query::existence_only), without a solver: a few
// requests built from the rule the query wants matched are replayed through the concrete evaluator, and
// the first that lies in the engine's domain and satisfies every condition is a Sat answer (it is a
// witness by the evaluator, the specification). nullopt proves nothing: ask an Engine. Queries whose
// witness is shown always return nullopt, so that shown witnesses stay canonical.
std::optional<QueryResult> find_concretely(const ir::Program& program, const Query& query,
                                           const EngineOptions& options = {});

class Engine {
 public:
  // The program must outlive the engine (decisions and RuleRefs point into it).
  explicit Engine(const ir::Program& program, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Finds a request satisfying every condition, within timeout_ms (nullopt: the default; 0: none).
  QueryResult find(const Query& query, std::optional<unsigned> timeout_ms = std::nullopt);
  // Evaluates the formulas on one concrete request (every atom, IP, port and connection fact pinned).
  SymbolicDecision decide(const ir::Request& request, std::optional<unsigned> timeout_ms = std::nullopt);

  const ir::Program& program() const;
  // The rule a RuleRef names; throws std::out_of_range for a bad reference.
  const ir::Rule& rule(RuleRef r) const;
  // The RuleRef of a rule of this program (by address); nullopt when it is not one of them.
  std::optional<RuleRef> ref_of(const ir::Rule& r) const;

  // Whether a query added variables the program does not have (an extra atom, Query::atom): canonical
  // witnesses of later queries read them too, so only this engine gives those (solver_free.h).
  bool has_query_variables() const;

  struct Stats {
    uint64_t queries = 0, sat = 0, unsat = 0, unknown = 0, refinements = 0;
    size_t atoms = 0;  // Boolean/bit-vector atoms encoded
  };
  Stats stats() const;

  struct Impl;

 private:
  // After a check that answered unknown, a fresh solver for the program (engine.cpp explains why).
  void renew_if_abandoned();
  std::unique_ptr<Impl> impl_;
};

}  // namespace meshproof::engine
