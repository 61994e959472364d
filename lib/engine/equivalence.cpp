// Equivalence of two programs' RBAC observables; the design and its soundness argument are in
// equivalence.h. The encoding follows engine/evaluate.cpp level by level (atom, term, match, clause,
// rule), so that every Unsat answer is about the evaluator's semantics; every Sat answer is replayed
// through that evaluator before it is reported.
#include "engine/equivalence.h"

#include <map>

#include "engine/symbolic_compiler.h"
#include "engine/symbolic_concretizer.h"
#include "engine/symbolic_decoder.h"
#include "engine/symbolic_encoder.h"
#include "engine/symbolic_properties.h"
#include "engine/symbolic_z3.h"

namespace meshproof::engine {

const char* to_string(EquivalenceStatus s) {
  switch (s) {
    case EquivalenceStatus::Proven:
      return "proven";
    case EquivalenceStatus::Differs:
      return "differs";
    case EquivalenceStatus::Unknown:
      return "unknown";
  }
  return "?";
}

std::string istio_rule_name(const ir::Rule& rule) {
  // Decoded rules whose Envoy policy name is not Istio's carry the raw name with index -1.
  if (rule.index < 0) return rule.policy.name;
  return "ns[" + rule.policy.ns + "]-policy[" + rule.policy.name + "]-rule[" + std::to_string(rule.index) + "]";
}

namespace {

// One observable: a named subset of each side's rules.
struct Observable {
  std::string name;
  std::vector<const ir::Rule*> left, right;
};

std::string custom_key(const ir::Program& p, const ir::Rule& r) {
  return p.custom_mode == ir::CustomMode::Delegate ? r.policy.provider : std::string();
}

std::vector<Observable> observables(const ir::Program& l, const ir::Program& r) {
  std::map<std::string, Observable> by_name;
  std::vector<std::string> order;
  auto add = [&](const std::string& name, const ir::Rule* rule, bool left) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      it = by_name.emplace(name, Observable{name, {}, {}}).first;
      order.push_back(name);
    }
    (left ? it->second.left : it->second.right).push_back(rule);
  };
  struct List {
    const std::vector<ir::Rule>& (*get)(const ir::Program&);
    const char* action;
  };
  const List lists[] = {
      {[](const ir::Program& p) -> const std::vector<ir::Rule>& { return p.deny; }, "DENY"},
      {[](const ir::Program& p) -> const std::vector<ir::Rule>& { return p.allow; }, "ALLOW"},
      {[](const ir::Program& p) -> const std::vector<ir::Rule>& { return p.audit; }, "AUDIT"},
  };
  for (int side = 0; side < 2; ++side) {
    const ir::Program& p = side == 0 ? l : r;
    for (const auto& rule : p.custom) {
      std::string k = custom_key(p, rule);
      std::string name = std::string(rule.policy.dry_run ? "dry-run " : "") + "CUSTOM rules" +
                         (k.empty() ? "" : " of provider \"" + k + "\"");
      add(name, &rule, side == 0);
    }
    for (const auto& list : lists)
      for (const auto& rule : list.get(p))
        add(std::string(rule.policy.dry_run ? "dry-run " : "enforced ") + list.action + " rules", &rule, side == 0);
  }
  std::vector<Observable> out;
  for (const auto& n : order) out.push_back(std::move(by_name[n]));
  return out;
}

const char* custom_mode_text(ir::CustomMode m) {
  switch (m) {
    case ir::CustomMode::None:
      return "no CUSTOM enforcement";
    case ir::CustomMode::Delegate:
      return "CUSTOM rules delegate to the external authorizer";
    case ir::CustomMode::FailClosed:
      return "CUSTOM rules fail closed (enforced DENY)";
  }
  return "?";
}

SideOutcome outcome(const ir::Program& p, const std::vector<const ir::Rule*>& rules, const ir::Request& w) {
  SideOutcome o;
  for (const ir::Rule* r : rules)
    if (eval_rule(*r, w, p.protocol)) {
      o.matches = true;
      o.rules.push_back(istio_rule_name(*r));
    }
  Decision d = evaluate(p, w);
  o.verdict = to_string(d.verdict);
  o.reason = to_string(d.reason);
  o.explanation = d.explanation;
  return o;
}

// The flags need no solver: a difference in CUSTOM mode or in "an ALLOW policy applies", or programs for
// different protocols.
std::optional<EquivalenceResult> compare_flags(const ir::Program& left, const ir::Program& right) {
  EquivalenceResult res;
  bool any_custom = !left.custom.empty() || !right.custom.empty();
  if (any_custom && left.custom_mode != right.custom_mode) {
    res.status = EquivalenceStatus::Differs;
    Difference d;
    d.observable = "CUSTOM mode";
    d.detail = std::string("reference: ") + custom_mode_text(left.custom_mode) +
               "; candidate: " + custom_mode_text(right.custom_mode);
    res.difference = std::move(d);
    return res;
  }
  if (left.has_allow_policy != right.has_allow_policy) {
    res.status = EquivalenceStatus::Differs;
    Difference d;
    d.observable = "ALLOW policy present";
    auto say = [](bool b) {
      return b ? std::string("an enforced ALLOW policy applies (requests no ALLOW rule matches are denied)")
               : std::string("no enforced ALLOW policy (requests not denied are allowed)");
    };
    d.detail = "reference: " + say(left.has_allow_policy) + "; candidate: " + say(right.has_allow_policy);
    res.difference = std::move(d);
    return res;
  }
  if (left.protocol != right.protocol) {
    res.status = EquivalenceStatus::Unknown;
    res.unknown_reason = "the programs are for different protocols";
    return res;
  }
  return std::nullopt;
}

// Both programs' rules compiled over one set of request variables (the filter domain: every request a
// filter of the protocol can see), one "differs" formula per observable.
class Prover {
 public:
  Prover(const ir::Program& left, const ir::Program& right, const EquivalenceOptions& options)
      : left_(left),
        right_(right),
        options_(options),
        c_(detail::thread_context()),
        solver_(c_),
        vars_(c_, (detail::configure(solver_, options.timeout_ms, options.resource_limit), solver_),
              detail::filter_domain(left.protocol)),
        compiler_(vars_),
        observables_(observables(left, right)) {
    for (const auto& o : observables_) {
      for (const ir::Rule* r : o.left) detail::declare_atoms(vars_, *r);
      for (const ir::Rule* r : o.right) detail::declare_atoms(vars_, *r);
    }
    vars_.seal();
    for (const auto& o : observables_) differs_.push_back(detail::observable_differs(compiler_, o.left, o.right));
  }

  EquivalenceResult run() {
    res_.observables = observables_.size();
    for (size_t i = 0; i < observables_.size(); ++i) {
      solver_.push();
      solver_.add(differs_[i]);
      Difference d;
      std::string why;
      Search r = search(i, d, why);
      if (r == Search::Sat) {
        // Prefer a witness the port's mTLS mode lets through, so that the decisions show the difference.
        solver_.push();
        solver_.add(detail::passes_connection_rules(vars_, left_.mtls));
        Difference better;
        std::string ignored;
        if (search(i, better, ignored) == Search::Sat) d = std::move(better);
        solver_.pop();
      }
      solver_.pop();
      if (r == Search::Unknown) {
        res_.status = EquivalenceStatus::Unknown;
        res_.unknown_reason = why;
        return res_;
      }
      if (r == Search::Sat) {
        res_.status = EquivalenceStatus::Differs;
        res_.difference = std::move(d);
        return res_;
      }
    }
    res_.status = EquivalenceStatus::Proven;
    return res_;
  }

 private:
  enum class Search { Unsat, Sat, Unknown };

  // One search for a replayed difference under the current assertions: Unsat (none), Sat (found, in
  // `d`), or Unknown (`why`). Refinements stay inside the caller's push scope.
  Search search(size_t i, Difference& d, std::string& why) {
    const Observable& o = observables_[i];
    for (unsigned round = 0;; ++round) {
      ++res_.queries;
      z3::check_result cr = z3::unknown;
      try {
        cr = solver_.check();
      } catch (const z3::exception& e) {  // the memory limit (set_solver_memory_limit_mb): Unknown, never safe
        why = o.name + ": the solver gave up (" + e.msg() + ")";
        return Search::Unknown;
      }
      if (cr == z3::unsat) return Search::Unsat;
      if (cr == z3::unknown) {
        why = o.name + ": the solver gave up (" + detail::reason_unknown(solver_) + ")";
        return Search::Unknown;
      }
      if (round >= options_.max_refinements) {
        why = o.name + ": no concrete request realizes the solver's models after " + std::to_string(round) +
              " refinements";
        return Search::Unknown;
      }
      // The default solver is not the incremental SMT core: values come from the model, not the trail.
      detail::ModelReader reader(solver_, negations_, false);
      detail::ModelRequest mr = detail::concretize(reader, vars_, options_.timeout_ms);
      if (mr.status == detail::ModelRequest::Status::Unknown) {
        why = o.name + ": cannot build a value for " + mr.reason;
        return Search::Unknown;
      }
      if (mr.status == detail::ModelRequest::Status::Refine) {
        // These polarities cannot hold together on any value: forbid them and ask again.
        ++res_.refinements;
        for (const auto& l : mr.lemmas) solver_.add(l);
        continue;
      }
      SideOutcome lo = outcome(left_, o.left, mr.request), ro = outcome(right_, o.right, mr.request);
      if (lo.matches == ro.matches) {
        // The replay disagrees with the model (an over-approximated atom): rule this model out.
        ++res_.refinements;
        solver_.add(detail::block_model(reader, vars_));
        continue;
      }
      d.observable = o.name;
      d.has_witness = true;
      d.witness = std::move(mr.request);
      d.left = std::move(lo);
      d.right = std::move(ro);
      return Search::Sat;
    }
  }

  const ir::Program& left_;
  const ir::Program& right_;
  EquivalenceOptions options_;
  z3::context& c_;
  z3::solver solver_;
  detail::RequestVars vars_;
  detail::Compiler compiler_;
  detail::NegationIds negations_;
  std::vector<Observable> observables_;
  std::vector<z3::expr> differs_;
  EquivalenceResult res_;
};

}  // namespace

EquivalenceResult prove_equivalent(const ir::Program& left, const ir::Program& right,
                                   const EquivalenceOptions& options) {
  if (auto flags = compare_flags(left, right)) return *flags;
  try {
    return Prover(left, right, options).run();
  } catch (const z3::exception& e) {
    // Z3's memory limit (set_solver_memory_limit_mb) reached while the formulas were built: not proven,
    // never "equivalent". (An InternalError, a bug of meshproof, is not a z3::exception and goes on.)
    EquivalenceResult res;
    res.status = EquivalenceStatus::Unknown;
    res.unknown_reason = std::string("the solver gave up (") + e.msg() + ")";
    return res;
  }
}

}  // namespace meshproof::engine
