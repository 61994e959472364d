// path-normalization-bypass (MP2011): a DENY rule on exact or prefix `paths` that another spelling of the
// same path walks around. Istio matches `paths` against the path after Envoy's normalization
// (meshConfig.pathNormalization, ir/path.h), and each mode leaves some spellings as they are: NONE dot
// segments (`/x/../admin`); NONE and BASE a doubled slash (`//admin`); all but DECODE_AND_MERGE_SLASHES
// an encoded slash or backslash (`/%2Fadmin`, `/%5Cadmin`); every mode upper case (`/ADMIN`: Envoy never
// changes case). Servers that resolve, merge, decode or ignore case serve them as the denied path.
//
// Witness, per value `/p` and spelling: when normalization leaves the spelling `v` unchanged, the rule
// without its `paths` condition is added to a copy of the program as an AUDIT rule, and Z3 finds a request
// with path `v` that matches the rest of the rule and is ALLOWED; the same request with path `/p` is then
// replayed through the concrete evaluator and must be DENIED. Only then is the spelling reported.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "engine/evaluate.h"

namespace meshproof::checks {
namespace {

// One way to write a denied path that a server may read as the same path.
struct Spelling {
  const char* name;  // property value and message label
  const char* what;  // how it differs, for the message
  std::string (*spell)(const std::string& value);
};

// "/a/b" → "/a" + token + "b"; "/a" → "/" + token + "a".
std::string encode_inner_slash(const std::string& value, const std::string& token) {
  size_t slash = value.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/" + token + value.substr(1);
  return value.substr(0, slash) + token + value.substr(slash + 1);
}

const std::vector<Spelling>& spellings() {
  static const std::vector<Spelling> all{
      {"dot-segment", "a dot segment", [](const std::string& v) { return "/x/.." + v; }},
      {"double-slash", "a doubled slash", [](const std::string& v) { return "/" + v; }},
      {"encoded-slash", "an encoded slash", [](const std::string& v) { return encode_inner_slash(v, "%2F"); }},
      {"encoded-backslash", "an encoded backslash", [](const std::string& v) { return encode_inner_slash(v, "%5C"); }},
      {"case", "upper case", [](const std::string& v) { return ascii_upper(v); }},
  };
  return all;
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

struct NormalizationFacts {
  std::vector<std::string> values;  // the bypassed values
  std::vector<std::string> workloads;
  std::map<std::string, std::string> examples;       // spelling name → its first raw path
  std::map<std::string, std::string> reproductions;  // spelling name → its witness's query command
  std::optional<Witness> example;
  std::string example_value;
  std::string normalized_decision;
  std::string unknown;
};

// A spelling `raw` of `value` that the mode leaves unchanged, or nullopt (the mode closes this gap).
std::optional<std::string> open_spelling(const Spelling& sp, const std::string& value, ir::PathNormalization mode) {
  std::string raw = sp.spell(value);
  if (raw == value || !ir::is_normalized_path(raw, mode)) return std::nullopt;
  return raw;
}

class NormalizationAnalyzer final : public gaps::Analyzer {
 public:
  NormalizationAnalyzer(const CheckInfo& info, const gaps::Shared& s)
      : Analyzer(info), s_(s), mode_(ir::parse_path_normalization(s.ctx.mesh.config.path_normalization)) {}

  void visit(gaps::ClassView& cls) override {
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
      std::optional<gaps::View::Augmented> aug;
      for (size_t c = 0; c < candidates.size(); ++c)
        for (const std::string& value : path_values(prog.deny[candidates[c]]))
          for (const Spelling& sp : spellings()) check_spelling(cls, v, aug, stripped, c, candidates[c], value, sp);
    }
  }

  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<NormalizationAnalyzer&>(later).facts_,
                      [](NormalizationFacts& f, NormalizationFacts& l) {
                        gaps::add_all_unique(f.values, l.values);
                        gaps::add_all_unique(f.workloads, l.workloads);
                        f.examples.merge(l.examples);  // keys already present keep their (earlier) value
                        f.reproductions.merge(l.reproductions);
                        if (!f.example && l.example) {
                          f.example = std::move(l.example);
                          f.example_value = std::move(l.example_value);
                          f.normalized_decision = std::move(l.normalized_decision);
                        }
                        gaps::keep_first(f.unknown, l.unknown);
                      });
  }

  void finish(std::vector<Finding>& out) override {
    const std::string norm = ir::to_string(mode_);
    for (const auto& pol : s_.ctx.resources.authorization_policies)
      for (size_t i = 0; i < pol.rules.size(); ++i) {
        ir::RuleId key{&pol, static_cast<int>(i)};
        auto it = facts_.find(key);
        if (it == facts_.end()) continue;
        const NormalizationFacts& f = it->second;
        const std::string subject = "DENY " + gaps::rule_text(key);
        const std::string rule_key = "rule=" + std::to_string(i);
        if (f.values.empty()) {
          if (!f.unknown.empty()) {
            Finding n = gaps::inconclusive_finding(info(), pol.ref(), gaps::rule_loc(key), subject,
                                                   "other spellings of its paths are allowed", f.unknown, rule_key);
            n.properties["rule"] = std::to_string(i);
            out.push_back(std::move(n));
          }
          continue;
        }
        out.push_back(finding(pol, i, f, subject, norm));
      }
  }

 private:
  Finding finding(const model::AuthorizationPolicy& pol, size_t i, const NormalizationFacts& f,
                  const std::string& subject, const std::string& norm) const {
    ir::RuleId key{&pol, static_cast<int>(i)};
    std::vector<std::string> shown, open, names;
    for (const auto& v : f.values) shown.push_back("\"" + v + "\"");
    for (const Spelling& sp : spellings()) {
      auto ex = f.examples.find(sp.name);
      if (ex == f.examples.end()) continue;
      open.push_back("`" + ex->second + "` (" + sp.what + ")");
      names.push_back(sp.name);
    }
    std::string msg = subject + " denies `paths` " + gaps::list_text(shown, 4) +
                      ", but the mesh's path normalization (" + norm +
                      ") leaves other spellings of the same path as they are, so they do not match and are " +
                      "allowed on " + gaps::list_text(f.workloads, 3) + ": " + gaps::list_text(open, 5) +
                      "; servers that resolve dot segments, merge slashes, decode %2F/%5C or ignore case serve them "
                      "as the denied path (docs/checks/path-normalization-bypass.md); e.g. " +
                      gaps::witness_summary(*f.example) + " is " + f.example->decision;
    if (!f.example->decided_by.empty()) msg += " by " + f.example->decided_by;
    msg += ", and with the path \"" + f.example_value + "\" it is denied (" + f.normalized_decision + ")";
    Finding fnd = make_finding(info(), pol.ref(), gaps::rule_loc(key), std::move(msg), help_text(names),
                               "rule=" + std::to_string(i));
    // Only case open: every mode leaves it, and it matters only to case-insensitive servers.
    if (names == std::vector<std::string>{"case"}) fnd.severity = Severity::Note;
    fnd.witness = f.example;
    fnd.properties["rule"] = std::to_string(i);
    fnd.properties["paths"] = join(f.values, "; ");
    fnd.properties["normalization"] = norm;
    fnd.properties["spellings"] = join(names, "; ");
    for (const auto& [name, cmd] : f.reproductions) fnd.properties["reproduce." + name] = cmd;
    fnd.properties["workloads"] = join(f.workloads, "; ");
    return fnd;
  }

  static std::string help_text(const std::vector<std::string>& open) {
    auto has = [&](const char* n) { return std::find(open.begin(), open.end(), n) != open.end(); };
    std::string h;
    if (has("encoded-slash") || has("encoded-backslash") || has("double-slash") || has("dot-segment"))
      h = "set meshConfig.pathNormalization.normalization to DECODE_AND_MERGE_SLASHES (it resolves dot segments, "
          "merges slashes and decodes %2F and %5C), and ";
    return h + "prefer an ALLOW list of the paths callers need over denying single paths" +
           (has("case") ? " (no mode changes case: deny every casing the server accepts, or allow-list)" : "");
  }

  // Asks whether the spelling `sp` of `value` is allowed while `value` itself is denied by rule `deny_index`
  // (the c-th candidate); records the answer in the rule's facts.
  void check_spelling(gaps::ClassView& cls, gaps::View& v, std::optional<gaps::View::Augmented>& aug,
                      const std::vector<ir::Rule>& stripped, size_t c, size_t deny_index, const std::string& value,
                      const Spelling& sp) {
    const ir::Program& prog = v.program();
    const ir::Rule& r = prog.deny[deny_index];
    NormalizationFacts& f = facts_[r.id()];
    std::optional<std::string> raw = open_spelling(sp, value, mode_);
    if (!raw || !may_allow_path(prog, *raw)) return;  // closed by the mode, or no ALLOW rule admits it
    if (!aug) aug.emplace(v.augmented(stripped));
    engine::RuleRef rest{model::Action::Audit, aug->first_index + c};
    engine::QueryResult res = aug->engine->find(engine::Query()
                                                    .rule_matches(rest)
                                                    .atom(ir::make_atom(ir::Attribute::Path, ir::Op::Exact, *raw))
                                                    .verdict(engine::Verdict::Allow));
    if (res.answer == engine::SatAnswer::Unknown) {
      if (f.unknown.empty()) f.unknown = res.reason + " on " + v.describe() + " of " + prog.workload;
      return;
    }
    if (res.answer != engine::SatAnswer::Sat) return;
    // The same request on the denied path must be denied.
    ir::Request denied = *res.request;
    denied.path = value;
    engine::Decision d = engine::evaluate(prog, denied);
    if (d.verdict != engine::Verdict::Deny) return;
    gaps::add_unique(f.values, value);
    for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
    if (f.examples.count(sp.name)) return;
    Witness w = gaps::witness_of(s_, *aug->program, res);
    f.examples[sp.name] = *raw;
    f.reproductions[sp.name] = w.reproduce;
    if (!f.example) {
      f.example = std::move(w);
      f.example_value = value;
      f.normalized_decision = d.explanation;
    }
  }

  const gaps::Shared& s_;
  ir::PathNormalization mode_;
  std::map<ir::RuleId, NormalizationFacts> facts_;
};

class PathNormalizationBypass final : public gaps::SymbolicCheck {
 public:
  PathNormalizationBypass()
      : SymbolicCheck(CheckInfo{
            "path-normalization-bypass", "MP2011", Severity::Warning,
            "A DENY on exact or prefix paths is bypassed by a spelling of the path the mesh's normalization "
            "leaves as it is",
            "Istio matches paths after Envoy's normalization (meshConfig.pathNormalization), and each mode leaves "
            "some spellings unchanged: dot segments (NONE), `//` (NONE, BASE), `%2F` and `%5C` (all but "
            "DECODE_AND_MERGE_SLASHES), upper case (every mode). A DENY rule for `/admin` does not match them, "
            "while servers that normalize serve them as `/admin`. Reported with a request Istio allows while the "
            "denied path is denied."}) {}
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
