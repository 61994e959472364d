#include "checks/gap_views.h"

#include <algorithm>
#include <utility>

#include "engine/solver_free.h"

namespace meshproof::checks::gaps {

namespace {

const std::vector<ir::Rule>& rules_of(const ir::Program& p, model::Action a) {
  switch (a) {
    case model::Action::Allow:
      return p.allow;
    case model::Action::Deny:
      return p.deny;
    case model::Action::Audit:
      return p.audit;
    case model::Action::Custom:
      return p.custom;
  }
  return p.allow;
}

// A replay mismatch (engine::InternalError) is a bug in meshproof: it travels to main, which exits with 3
// and asks for a report (DESIGN.md §10). It is never turned into Unknown, a note or an answer.
engine::QueryResult guarded_find(engine::Engine& e, const engine::Query& q) { return e.find(q); }

}  // namespace

// ---------------------------------------------------------------------------------------------------
// RuleIndex

RuleIndex::RuleIndex(const ir::Program& program) {
  // A rule is looked up in the list of its policy's action only, and the first occurrence wins.
  for (model::Action a : {model::Action::Allow, model::Action::Deny, model::Action::Audit, model::Action::Custom}) {
    const std::vector<ir::Rule>& list = rules_of(program, a);
    for (size_t i = 0; i < list.size(); ++i) {
      const ir::Rule& r = list[i];
      if (r.policy.policy && r.policy.policy->action == a) refs_.emplace(r.id(), engine::RuleRef{a, i});
    }
  }
}

std::optional<engine::RuleRef> RuleIndex::ref(const ir::RuleId& id) const {
  auto it = refs_.find(id);
  if (it == refs_.end()) return std::nullopt;
  return it->second;
}

const ir::Rule& rule_at(const ir::Program& program, engine::RuleRef ref) {
  return rules_of(program, ref.action)[ref.index];
}

// ---------------------------------------------------------------------------------------------------
// View

View::View(ir::Program program, std::vector<uint32_t> declared_ports, unsigned timeout_ms)
    : program_(std::make_unique<ir::Program>(std::move(program))),
      index_(*program_),
      declared_ports_(std::move(declared_ports)),
      timeout_ms_(timeout_ms) {}
View::View(View&&) noexcept = default;
View& View::operator=(View&&) noexcept = default;
View::~View() = default;

engine::EngineOptions View::engine_options() const {
  engine::EngineOptions o;
  o.default_timeout_ms = timeout_ms_;
  o.declared_ports = declared_ports_;
  return o;
}

engine::Engine& View::engine() {
  if (!engine_) engine_ = std::make_unique<engine::Engine>(*program_, engine_options());
  return *engine_;
}

engine::QueryResult View::find(const engine::Query& q) {
  // Most existence probes ("can this rule match / allow at all?") are answered by a request built from
  // the rule and replayed concretely, and questions about a rule that cannot match on this view (its
  // ports, a token it cannot have) are refuted by the atom algebra; only the rest needs a solver (and this
  // view's engine).
  if (auto quick = find_without_solver(q)) return *quick;
  return guarded_find(engine(), q);
}

std::optional<engine::QueryResult> View::find_without_solver(const engine::Query& q) {
  // Questions only about which rules match (redundant-rule's) are decided by the atom algebra when their
  // atoms are in its fragment (engine/rule_cover.h); shown witnesses too, when the program's atoms are in the
  // fragment of engine/canonical_search.h.
  if (!memo_) memo_ = std::make_unique<engine::CanonicalMemo>();
  return engine::answer_without_solver(*program_, q, engine_options(), engine_.get(), memo_.get());
}

const ir::Rule* View::rule(const ir::RuleId& id) const {
  auto r = ref(id);
  return r ? &rule_at(*program_, *r) : nullptr;
}

std::string View::describe() const {
  const ir::Program& p = *program_;
  std::string s = p.port == 0 ? "undeclared ports" : "port " + std::to_string(p.port);
  if (p.sniffed && p.port != 0)
    s += p.protocol == ir::Protocol::Http ? " (sniffed, HTTP traffic)" : " (sniffed, non-HTTP traffic)";
  else
    s += std::string(" (") + ir::to_string(p.protocol) + ")";
  if (!point_.empty()) s += " at " + point_;
  return s;
}

View::Augmented View::augmented(std::vector<ir::Rule> extra) const {
  Augmented a;
  a.program = std::make_unique<ir::Program>(*program_);
  a.first_index = a.program->audit.size();
  for (auto& r : extra) {
    r.policy.action = model::Action::Audit;
    r.policy.dry_run = false;
    a.program->audit.push_back(std::move(r));
  }
  a.engine = std::make_unique<engine::Engine>(*a.program, engine_options());
  return a;
}

// ---------------------------------------------------------------------------------------------------
// ClassView

bool ClassView::applies(const model::AuthorizationPolicy* p) const {
  return rep && std::find(rep->authorization_policies.begin(), rep->authorization_policies.end(), p) !=
                    rep->authorization_policies.end();
}

bool ClassView::applies(const model::RequestAuthentication* ra) const {
  return rep && std::find(rep->request_authentications.begin(), rep->request_authentications.end(), ra) !=
                    rep->request_authentications.end();
}

}  // namespace meshproof::checks::gaps
