// path-normalization-bypass (MP2011): a DENY rule on exact or prefix `paths` while the mesh's path
// normalization does not merge slashes. Istio matches `paths` against the path after Envoy's
// normalization; meshConfig.pathNormalization DEFAULT (≡ BASE) only resolves dot segments (RFC 3986) and
// keeps `//` and `%2F` unchanged, NONE does nothing (IS §5, core/listener_builder.go). Most backends serve
// `//admin` as `/admin`, so the DENY is walked around by doubling a slash.
//
// Witness: for every exact/prefix value `/p` of a DENY rule's `paths`, the rule without its `paths`
// condition is added to a copy of the program as an AUDIT rule, and Z3 finds a request with path `//p` that
// matches the rest of the rule and is ALLOWED; the same request with path `/p` is then replayed through
// the concrete evaluator and must be DENIED. Only then is the value reported. MERGE_SLASHES and
// DECODE_AND_MERGE_SLASHES silence the check.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "engine/evaluate.h"

namespace meshproof::checks {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool merges_slashes(const std::string& normalization) {
  std::string n = upper(normalization);
  return n == "MERGE_SLASHES" || n == "DECODE_AND_MERGE_SLASHES";
}

// The exact/prefix values of a rule's positive `paths` that start with a single '/'.
std::vector<std::string> path_values(const ir::Rule& r) {
  std::vector<std::string> out;
  for (const ir::Clause& c : r.permissions)
    for (const ir::Match& m : c.matches) {
      if (m.negated || m.field != "paths") continue;
      for (const ir::Term& t : m.terms)
        for (const ir::Atom& a : t.atoms)
          if (a.attr == ir::Attribute::Path && (a.op == ir::Op::Exact || a.op == ir::Op::Prefix) &&
              a.value.size() > 1 && a.value[0] == '/' && a.value[1] != '/')
            gaps::add_unique(out, a.value);
    }
  return out;
}

// A necessary condition for an ALLOW rule to match a request whose path is `path`: only the rule's atoms on
// the path are evaluated (the path is fixed), everything else is assumed satisfiable. False means no request
// with that path matches the rule, so the solver need not be asked.
bool may_match_path(const ir::Rule& r, const std::string& path) {
  ir::Request req;
  req.path = path;
  auto on_path = [](const ir::Atom& a) { return a.attr == ir::Attribute::Path; };
  auto holds = [&](const ir::Atom& a) { return engine::eval_atom(a, req, ir::Protocol::Http); };
  auto term_false = [&](const ir::Term& t) {
    return t.is_false ||
           std::any_of(t.atoms.begin(), t.atoms.end(), [&](const ir::Atom& a) { return on_path(a) && !holds(a); });
  };
  auto term_true = [&](const ir::Term& t) {
    return !t.is_false &&
           std::all_of(t.atoms.begin(), t.atoms.end(), [&](const ir::Atom& a) { return on_path(a) && holds(a); });
  };
  auto match_false = [&](const ir::Match& m) {
    return m.negated ? std::any_of(m.terms.begin(), m.terms.end(), term_true)
                     : std::all_of(m.terms.begin(), m.terms.end(), term_false);
  };
  auto clause_possible = [&](const ir::Clause& c) {
    return std::none_of(c.matches.begin(), c.matches.end(), match_false);
  };
  return std::any_of(r.principals.begin(), r.principals.end(), clause_possible) &&
         std::any_of(r.permissions.begin(), r.permissions.end(), clause_possible);
}

// Whether some request with this path can be allowed: without an enforced ALLOW policy nothing needs to
// match; with one, some enforced ALLOW rule must (IS §2).
bool may_allow_path(const ir::Program& prog, const std::string& path) {
  if (!prog.has_allow_policy) return true;
  return std::any_of(prog.allow.begin(), prog.allow.end(),
                     [&](const ir::Rule& r) { return !r.policy.dry_run && may_match_path(r, path); });
}

ir::Rule without_paths(const ir::Rule& r) {
  ir::Rule s = r;
  for (ir::Clause& c : s.permissions)
    c.matches.erase(std::remove_if(c.matches.begin(), c.matches.end(),
                                   [](const ir::Match& m) { return !m.negated && m.field == "paths"; }),
                    c.matches.end());
  return s;
}

struct Facts {
  std::vector<std::string> values;  // the bypassed values
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string normalized_decision;
  std::string unknown;
};

class NormalizationAnalyzer final : public gaps::Analyzer {
 public:
  NormalizationAnalyzer(const CheckInfo& info, const gaps::Shared& s)
      : Analyzer(info), s_(s), active_(!merges_slashes(s.ctx.mesh.config.path_normalization)) {}

  void visit(gaps::ClassView& cls) override {
    if (!active_) return;
    for (gaps::View& v : cls.views) {
      const ir::Program& prog = v.program();
      if (prog.protocol != ir::Protocol::Http) continue;
      std::vector<size_t> candidates;
      std::vector<ir::Rule> stripped;
      for (size_t j = 0; j < prog.deny.size(); ++j) {
        const ir::Rule& r = prog.deny[j];
        if (r.policy.dry_run || !r.policy.policy || path_values(r).empty()) continue;
        candidates.push_back(j);
        stripped.push_back(without_paths(r));
      }
      if (candidates.empty()) continue;
      // The copy with the stripped rules and its engine are made only when a query needs them.
      std::optional<gaps::View::Augmented> aug_holder;
      for (size_t c = 0; c < candidates.size(); ++c) {
        const ir::Rule& r = prog.deny[candidates[c]];
        Facts& f = facts_[r.id()];
        for (const std::string& value : path_values(r)) {
          const std::string variant = "/" + value;
          if (!may_allow_path(prog, variant)) continue;  // no ALLOW rule admits this path: unsat
          if (!aug_holder) aug_holder.emplace(v.augmented(stripped));
          const gaps::View::Augmented& aug = *aug_holder;
          engine::RuleRef rest{model::Action::Audit, aug.first_index + c};
          engine::QueryResult res =
              aug.engine->find(engine::Query()
                                   .rule_matches(rest)
                                   .atom(ir::make_atom(ir::Attribute::Path, ir::Op::Exact, variant))
                                   .verdict(engine::Verdict::Allow));
          if (res.answer == engine::SatAnswer::Unknown) {
            if (f.unknown.empty()) f.unknown = res.reason + " on " + v.describe() + " of " + prog.workload;
            continue;
          }
          if (res.answer != engine::SatAnswer::Sat) continue;
          // The same request on the normalized path must be denied.
          ir::Request normalized = *res.request;
          normalized.path = value;
          engine::Decision d = engine::evaluate(prog, normalized);
          if (d.verdict != engine::Verdict::Deny) continue;
          gaps::add_unique(f.values, value);
          for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
          if (!f.example) {
            f.example = gaps::witness_of(s_, *aug.program, res);
            f.normalized_decision = d.explanation;
          }
        }
      }
    }
  }

  void finish(std::vector<Finding>& out) override {
    if (!active_) return;
    const std::string norm =
        s_.ctx.mesh.config.path_normalization.empty() ? "DEFAULT" : upper(s_.ctx.mesh.config.path_normalization);
    for (const auto& pol : s_.ctx.resources.authorization_policies)
      for (size_t i = 0; i < pol.rules.size(); ++i) {
        ir::RuleId key{&pol, static_cast<int>(i)};
        auto it = facts_.find(key);
        if (it == facts_.end()) continue;
        const Facts& f = it->second;
        const std::string subject = "DENY " + gaps::rule_text(key);
        const std::string rule_key = "rule=" + std::to_string(i);
        if (f.values.empty()) {
          if (!f.unknown.empty()) {
            Finding n = gaps::inconclusive_finding(info(), pol.ref(), gaps::rule_loc(key), subject,
                                                   "`//` variants of its paths are allowed", f.unknown, rule_key);
            n.properties["rule"] = std::to_string(i);
            out.push_back(std::move(n));
          }
          continue;
        }
        std::vector<std::string> shown;
        for (const auto& v : f.values) shown.push_back("\"" + v + "\"");
        std::string msg = subject + " denies `paths` " + gaps::list_text(shown, 4) +
                          ", but the mesh's path normalization (" + norm +
                          ") does not merge slashes: the same path written with a doubled slash does not match and "
                          "is allowed on " +
                          gaps::list_text(f.workloads, 3) +
                          ", while most servers treat it as the denied path (docs/semantics.md#value-matching); e.g. " +
                          gaps::witness_summary(*f.example) + " is " + f.example->decision;
        if (!f.example->decided_by.empty()) msg += " by " + f.example->decided_by;
        msg += ", and with the path \"" + f.values.front() + "\" it is denied (" + f.normalized_decision + ")";
        Finding fnd = make_finding(
            info(), pol.ref(), gaps::rule_loc(key), std::move(msg),
            "set meshConfig.pathNormalization.normalization to MERGE_SLASHES (or DECODE_AND_MERGE_SLASHES, which "
            "also decodes %2F), and prefer an ALLOW list of the paths callers need over denying single paths",
            rule_key);
        fnd.witness = f.example;
        fnd.properties["rule"] = std::to_string(i);
        fnd.properties["paths"] = join(f.values, "; ");
        fnd.properties["normalization"] = norm;
        fnd.properties["workloads"] = join(f.workloads, "; ");
        out.push_back(std::move(fnd));
      }
  }

 private:
  const gaps::Shared& s_;
  bool active_;
  std::map<ir::RuleId, Facts> facts_;
};

class PathNormalizationBypass final : public gaps::SymbolicCheck {
 public:
  PathNormalizationBypass()
      : SymbolicCheck(
            CheckInfo{
                "path-normalization-bypass", "MP2011", Severity::Warning,
                "A DENY on exact or prefix paths is bypassed with `//` because the mesh does not merge slashes",
                "Istio matches paths after Envoy's normalization, and the default (DEFAULT/BASE) does not merge "
                "slashes or decode %2F. A DENY rule for `/admin` does not match `//admin`, which most servers treat as "
                "`/admin`. Reported with a `//` request that Istio allows while the normalized path is denied."},
            /*weight=*/2) {}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<NormalizationAnalyzer>(info(), s);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    return policies_with_action(ctx, {model::Action::Deny});
  }
};

}  // namespace

std::unique_ptr<Check> make_path_normalization_bypass_check() { return std::make_unique<PathNormalizationBypass>(); }

}  // namespace meshproof::checks
