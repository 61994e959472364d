// The decision difference of two programs, partitioned into classes (decision_diff.h). Everything the
// solver says is replayed: a witness whose concrete decisions do not show the change is blocked and the
// search repeated (bounded), and a class is only reported once "class ∧ not region" is Unsat.
#include "engine/decision_diff.h"

#include <set>

#include "engine/symbolic_compiler.h"
#include "engine/symbolic_concretizer.h"
#include "engine/symbolic_decoder.h"
#include "engine/symbolic_encoder.h"
#include "engine/symbolic_z3.h"

namespace meshproof::engine {

const char* to_string(ChangeDirection d) {
  return d == ChangeDirection::NewlyAllowed ? "newly-allowed" : "newly-denied";
}

namespace {

bool is_token_attribute(ir::Attribute a) {
  using A = ir::Attribute;
  return a == A::AuthIssuer || a == A::AuthSubject || a == A::AuthAudiences || a == A::AuthPresenters ||
         a == A::AuthClaim;
}

// A program without RequestAuthentication never sees a token (evaluate.cpp effective_request drops it),
// but the shared variables range over requests with one when the other program has jwt_authn. Its
// token atoms are therefore false on every request it sees: a term that needs one is false.
ir::Program without_token_atoms(const ir::Program& p) {
  ir::Program out = p;
  for (auto* rules : {&out.custom, &out.deny, &out.allow, &out.audit})
    for (auto& rule : *rules)
      for (auto* clauses : {&rule.principals, &rule.permissions})
        for (auto& clause : *clauses)
          for (auto& match : clause.matches)
            for (auto& term : match.terms)
              for (const auto& atom : term.atoms)
                if (is_token_attribute(atom.attr)) {
                  term.atoms.clear();
                  term.is_false = true;
                  break;
                }
  return out;
}

// One Boolean of the request with the text of each polarity. Generalization tries to drop atoms first
// (rank 0), then connection facts (1), then policy fields (2), so that a class reads as the policies do.
struct Literal {
  z3::expr var;
  std::string when_true, when_false;
  int rank = 0;
};

std::string string_atom_text(const std::string& label, const StrAtom& a) {
  const std::string v = "\"" + a.value + "\"";
  switch (a.op) {
    case StrOp::Exact:
      return label + " == " + v;
    case StrOp::Prefix:
      return label + " starts with " + v;
    case StrOp::Suffix:
      return label + " ends with " + v;
    case StrOp::Present:
      return label + " present";
    case StrOp::NonEmpty:
      return label + " non-empty";
    default:
      return label + " matches " + v;
  }
}

// A policy field as the user wrote it: `principals: [a, b]`, `when[request.headers[x-a]]: [v]`.
std::string match_text(const ir::Match& m) {
  std::vector<std::string> values;
  for (const auto& t : m.terms) {
    if (!t.source_value.empty()) {
      values.push_back(t.source_value);
      continue;
    }
    std::string atoms;
    for (const auto& a : t.atoms) atoms += (atoms.empty() ? "" : " and ") + ir::to_string(a);
    values.push_back(t.is_false ? "(never)" : atoms);
  }
  std::string list;
  for (const auto& v : values) list += (list.empty() ? "" : ", ") + v;
  return m.field + ": [" + list + "]";
}

// The connection facts, then every field of both programs' rules (what the user wrote: a class reads as
// the policies do), then every atom (the fallback that always describes a request exactly).
std::vector<Literal> request_literals(detail::RequestVars& vars, const std::vector<const ir::Program*>& programs) {
  std::vector<Literal> out{{vars.mtls(), "mTLS", "plaintext", 1}};
  if (vars.domain().tokens) {
    out.push_back({vars.token_valid(), "a valid JWT", "no valid JWT", 1});
    out.push_back({vars.token_invalid(), "an invalid JWT", "no invalid JWT", 1});
  }
  detail::Compiler compiler(vars);
  std::set<unsigned> seen;
  for (const ir::Program* p : programs)
    for (const auto* rules : {&p->custom, &p->deny, &p->allow, &p->audit})
      for (const auto& rule : *rules)
        for (const auto* clauses : {&rule.principals, &rule.permissions})
          for (const auto& clause : *clauses)
            for (const auto& m : clause.matches) {
              z3::expr f = compiler.match(m).simplify();
              if (f.is_true() || f.is_false() || !seen.insert(Z3_get_ast_id(vars.context(), f)).second) continue;
              std::string t = match_text(m);
              out.push_back({vars.named("field", f), t, "not " + t, 2});
            }
  for (const auto& [key, sa] : vars.strings()) {
    const std::string label = detail::attribute_label(key.first, key.second);
    out.push_back({sa.defined, label + " present", label + " absent"});
    for (size_t i = 0; i < sa.atoms.size(); ++i) {
      std::string t = string_atom_text(label, sa.atoms[i]);
      out.push_back({sa.vars[i], t, "not " + t});
    }
  }
  for (const auto& [attr, ip] : vars.ips()) {
    const std::string label = ir::attribute_name(attr);
    out.push_back({ip.defined, label + " present", label + " absent"});
    for (const auto& [cidr, var] : ip.cidrs) {
      std::string t = ir::to_string(ir::make_cidr_atom(attr, cidr));
      out.push_back({var, t, "not " + t});
    }
  }
  if (!vars.domain().port)
    for (const auto& [port, var] : vars.port_atoms()) {
      std::string t = "destination.port == " + std::to_string(port);
      out.push_back({var, t, "not " + t});
    }
  return out;
}

bool allowed(const Decision& d) { return d.verdict == Verdict::Allow; }

class Differ {
 public:
  Differ(const ir::Program& before, const ir::Program& after, const DecisionDiffOptions& options)
      : before_(before),
        after_(after),
        options_(options),
        c_(detail::thread_context()),
        solver_(c_, z3::solver::simple()),
        deadline_(c_),
        before_view_(without_token_atoms_if_needed(before)),
        after_view_(without_token_atoms_if_needed(after)),
        vars_(c_, (detail::configure(solver_, 0, options.resource_limit), solver_), domain()),
        before_compiled_(vars_, before_view_),
        after_compiled_(vars_, after_view_),
        literals_(request_literals(vars_, {&before_view_, &after_view_})) {}

  DecisionDiff run() {
    for (ChangeDirection dir : {ChangeDirection::NewlyAllowed, ChangeDirection::NewlyDenied}) {
      z3::expr allow_before = before_compiled_.verdict(Verdict::Allow);
      z3::expr allow_after = after_compiled_.verdict(Verdict::Allow);
      z3::expr region =
          dir == ChangeDirection::NewlyAllowed ? allow_after && !allow_before : allow_before && !allow_after;
      if (!enumerate(dir, vars_.named("diff_region", region))) break;
    }
    if (result_.answer != SatAnswer::Unknown)
      result_.answer = result_.classes.empty() ? SatAnswer::Unsat : SatAnswer::Sat;
    return result_;
  }

 private:
  // What the compiler is given for a program: evaluate() allows everything on a workload without a
  // proxy (Program::enforced false) whatever its rules say, and drops the token where no jwt_authn runs.
  static ir::Program without_token_atoms_if_needed(const ir::Program& p) {
    if (!p.enforced) {
      ir::Program open;
      open.workload = p.workload;
      open.port = p.port;
      open.protocol = p.protocol;
      open.mtls = model::MtlsMode::Permissive;
      open.path_normalization = p.path_normalization;
      return open;  // no rules, no ALLOW policy, any connection: ALLOW
    }
    return p.has_request_authentication ? p : without_token_atoms(p);
  }

  // Before's domain (its port view), with tokens where either program runs jwt_authn.
  detail::RequestDomain domain() const {
    EngineOptions eo;
    eo.declared_ports = options_.declared_ports;
    detail::RequestDomain d = detail::program_domain(before_, eo);
    d.tokens = d.tokens || detail::program_domain(after_, eo).tokens;
    if (options_.port) {
      d.port = *options_.port;
      d.excluded_ports.clear();
    }
    return d;
  }

  z3::check_result check(const z3::expr_vector& assumptions) {
    try {
      z3::check_result r = deadline_.check(solver_, assumptions, options_.timeout_ms);
      if (r == z3::unknown) unknown("the solver gave up (" + detail::reason_unknown(solver_) + ")");
      return r;
    } catch (const z3::exception& e) {
      unknown(std::string("the solver gave up (") + e.msg() + ")");
      return z3::unknown;
    }
  }

  void unknown(const std::string& why) {
    result_.answer = SatAnswer::Unknown;
    if (result_.unknown_reason.empty()) result_.unknown_reason = why;
    result_.complete = false;
  }

  // The classes of one direction; false when the solver gave up (the caller stops).
  bool enumerate(ChangeDirection dir, const z3::expr& region) {
    unsigned found = 0, refinements = 0;
    z3::expr_vector in_region(c_);
    in_region.push_back(region);
    while (true) {
      z3::check_result r = check(in_region);
      if (r == z3::unsat) return true;
      if (r == z3::unknown) return false;
      if (found == options_.max_classes) {
        result_.complete = false;
        return true;
      }
      if (!detail::canonicalize(solver_, negations_, detail::canonical_order(vars_), in_region,
                                [this](const z3::expr_vector& a) { return check(a); }))
        return false;
      detail::ModelReader reader(solver_, negations_);
      detail::ModelRequest mr = detail::concretize(reader, vars_, options_.timeout_ms);
      if (mr.status == detail::ModelRequest::Status::Unknown) {
        unknown("cannot build a value for " + mr.reason);
        return false;
      }
      if (++refinements > options_.max_refinements + options_.max_classes) {
        unknown("no concrete request realizes the solver's models after " + std::to_string(refinements) + " rounds");
        return false;
      }
      if (mr.status == detail::ModelRequest::Status::Refine) {
        for (const auto& l : mr.lemmas) solver_.add(l);
        continue;
      }
      ChangeClass cls{dir, {}, mr.request, evaluate(before_, mr.request), evaluate(after_, mr.request)};
      const bool shows = dir == ChangeDirection::NewlyAllowed ? allowed(cls.after) && !allowed(cls.before)
                                                              : allowed(cls.before) && !allowed(cls.after);
      if (!shows) {  // an over-approximated atom: this model is not a real change
        solver_.add(detail::block_model(reader, vars_));
        continue;
      }
      std::vector<size_t> cube = model_cube(reader);
      if (!generalize(cube, region)) return false;
      z3::expr_vector block(c_);
      for (size_t i : cube) {
        block.push_back(literal_expr(i));
        cls.literals.push_back(literal_text(i));
      }
      solver_.add(!z3::mk_and(block));
      result_.classes.push_back(std::move(cls));
      ++found;
    }
  }

  // The literals as the model has them: index 2k is literal k true, 2k+1 literal k false.
  std::vector<size_t> model_cube(detail::ModelReader& reader) {
    std::vector<size_t> cube;
    for (size_t k = 0; k < literals_.size(); ++k) cube.push_back(2 * k + (reader.boolean(literals_[k].var) ? 0 : 1));
    return cube;
  }
  z3::expr literal_expr(size_t i) const {
    const z3::expr& v = literals_[i / 2].var;
    return i % 2 == 0 ? v : !v;
  }
  std::string literal_text(size_t i) const {
    return i % 2 == 0 ? literals_[i / 2].when_true : literals_[i / 2].when_false;
  }

  // Drops every literal whose absence keeps the cube inside the region ("cube ∧ not region" Unsat), by
  // rank, so that a class is described by policy fields rather than atoms where both would do.
  bool generalize(std::vector<size_t>& cube, const z3::expr& region) {
    for (int rank = 0; rank <= 2; ++rank)
      for (size_t pos = 0; pos < cube.size();) {
        if (literals_[cube[pos] / 2].rank != rank) {
          ++pos;
          continue;
        }
        z3::expr_vector a(c_);
        a.push_back(!region);
        for (size_t j = 0; j < cube.size(); ++j)
          if (j != pos) a.push_back(literal_expr(cube[j]));
        z3::check_result r = check(a);
        if (r == z3::unknown) return false;
        if (r == z3::unsat)
          cube.erase(cube.begin() + static_cast<long>(pos));
        else
          ++pos;
      }
    return true;
  }

  const ir::Program& before_;
  const ir::Program& after_;
  DecisionDiffOptions options_;
  z3::context& c_;
  z3::solver solver_;
  detail::CheckDeadline deadline_;
  detail::NegationIds negations_;
  ir::Program before_view_, after_view_;
  detail::RequestVars vars_;
  detail::CompiledProgram before_compiled_, after_compiled_;
  std::vector<Literal> literals_;
  DecisionDiff result_;
};

}  // namespace

DecisionDiff diff_decisions(const ir::Program& before, const ir::Program& after, const DecisionDiffOptions& options) {
  if (before.protocol != after.protocol)
    throw InternalError("diff_decisions: programs of different protocols (" + before.workload + ")");
  try {
    return Differ(before, after, options).run();
  } catch (const z3::exception& e) {
    DecisionDiff out;
    out.answer = SatAnswer::Unknown;
    out.complete = false;
    out.unknown_reason = std::string("the solver gave up (") + e.msg() + ")";
    return out;
  }
}

}  // namespace meshproof::engine
