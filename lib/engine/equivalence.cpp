// Equivalence of two programs' RBAC observables; the design and its soundness argument are in
// equivalence.h. The encoding follows engine/evaluate.cpp level by level (atom, term, match, clause,
// rule), so that every Unsat answer is about the evaluator's semantics; every Sat answer is replayed
// through that evaluator before it is reported.
#include "engine/equivalence.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>

#include "engine/symbolic_encoder.h"
#include "engine/symbolic_seq.h"
#include "engine/symbolic_strings.h"
#include "engine/symbolic_z3.h"

namespace meshproof::engine {

const char* to_string(EquivalenceStatus s) {
  switch (s) {
    case EquivalenceStatus::Proven: return "proven";
    case EquivalenceStatus::Differs: return "differs";
    case EquivalenceStatus::Unknown: return "unknown";
  }
  return "?";
}

std::string istio_rule_name(const ir::Rule& rule) {
  // Decoded rules whose Envoy policy name is not Istio's carry the raw name with index -1.
  if (rule.index < 0) return rule.policy.name;
  return "ns[" + rule.policy.ns + "]-policy[" + rule.policy.name + "]-rule[" + std::to_string(rule.index) + "]";
}

namespace {

using ir::Attribute;
using ir::AttributeKind;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// One string or set attribute (with its key): its atoms become Boolean variables.
struct StrGroup {
  Attribute attr;
  std::string key;
  StrDomain domain;
  std::vector<StrAtom> atoms;
  std::vector<z3::expr> vars;
  z3::expr defined;
  std::map<StrAtom, size_t> index;
};

struct IpVars {
  z3::expr present, v6, bits;
};

class Encoder {
 public:
  Encoder(z3::context& c, ir::Protocol p) : c_(c), protocol_(p), mtls_(c.bool_const("mtls")), port_(c.bv_const("port", 32)) {}

  z3::expr rules(const std::vector<const ir::Rule*>& rs) {
    z3::expr_vector v(c_);
    for (const ir::Rule* r : rs) v.push_back(rule(*r));
    return v.empty() ? c_.bool_val(false) : z3::mk_or(v);
  }

  // The axioms of every attribute, once all formulas are built.
  void add_axioms(z3::solver& s) {
    for (auto& g : groups_) {
      std::vector<z3::expr> vars = g.vars;
      vars.push_back(g.defined);
      for (const StrClause& cl : string_axioms(g.atoms, g.domain)) s.add(detail::clause_expr(c_, cl, vars));
    }
    for (auto& [attr, ip] : ips_) {
      // IPv4 addresses keep their 32 bits at the top and zeros below (ir/ip.h).
      s.add(z3::implies(!ip.v6, ip.bits.extract(95, 0) == c_.bv_val(0, 96)));
    }
    // remote.ip defaults to source.ip: a source address implies a remote one (ir/request.h).
    auto src = ips_.find(Attribute::SourceIp);
    auto rem = ips_.find(Attribute::RemoteIp);
    if (src != ips_.end() && rem != ips_.end()) s.add(z3::implies(src->second.present, rem->second.present));
  }

  enum class Build { Ok, Refine, Unknown };

  // Turns a model into a concrete request. Refine: a blocking clause was added to `s`; Unknown: `why`.
  Build witness(const z3::model& m, z3::solver& s, unsigned timeout_ms, ir::Request& out, std::string& why) {
    ir::Request r;
    r.mtls = m.eval(mtls_, true).is_true();
    if (r.mtls) r.peer_trust_domain = r.peer_namespace = r.peer_service_account = "w";
    r.port = static_cast<uint32_t>(m.eval(port_, true).get_numeral_uint64());
    for (auto& [attr, ip] : ips_) {
      if (!m.eval(ip.present, true).is_true()) continue;
      ir::IpAddress a;
      a.v6 = m.eval(ip.v6, true).is_true();
      for (int i = 0; i < 16; ++i) {
        z3::expr byte = ip.bits.extract(127 - 8 * i, 120 - 8 * i);
        a.bytes[i] = static_cast<uint8_t>(m.eval(byte, true).get_numeral_uint());
      }
      if (attr == Attribute::SourceIp) r.source_ip = a;
      if (attr == Attribute::RemoteIp) r.remote_ip = a;
      if (attr == Attribute::DestinationIp) r.destination_ip = a;
    }
    bool token = false;
    for (auto& g : groups_) {
      AttributeConstraint con;
      StrAssignment asg;
      for (auto& v : g.vars) {
        bool b = m.eval(v, true).is_true();
        con.atom.push_back(b);
        asg.atom_true.push_back(b);
      }
      bool defined = m.eval(g.defined, true).is_true();
      con.defined = defined;
      asg.defined = defined;
      // Every polarity is fixed by the model. Without opaque atoms the completeness construction realizes
      // it directly; with them, the sequence theory decides it and, when impossible, names the conflicting
      // polarities (an Unsat core) for a blocking clause.
      bool opaque = std::any_of(g.atoms.begin(), g.atoms.end(), [](const StrAtom& a) { return is_opaque(a.op); });
      AttributeSolution sol = opaque ? solve_with_sequence_theory(g.atoms, g.domain, con, timeout_ms)
                                     : solve_with_boolean_encoding(g.atoms, g.domain, con, timeout_ms);
      if (sol.answer == SatAnswer::Unknown) {
        why = std::string("cannot build a value for ") + ir::attribute_name(g.attr) +
              (g.key.empty() ? "" : "[" + g.key + "]") + ": " + sol.reason;
        return Build::Unknown;
      }
      if (sol.answer == SatAnswer::Unsat) {
        // These polarities cannot hold together on any value: forbid them and ask again.
        z3::expr_vector lits(c_);
        std::vector<uint32_t> core = sol.core;
        if (core.empty())
          for (uint32_t i = 0; i <= g.atoms.size(); ++i) core.push_back(i);
        for (uint32_t i : core) {
          z3::expr v = i < g.vars.size() ? g.vars[i] : g.defined;
          bool b = i < g.vars.size() ? asg.atom_true[i] : asg.defined;
          lits.push_back(b ? !v : v);
        }
        s.add(z3::mk_or(lits));
        return Build::Refine;
      }
      if (ir::attribute_is_jwt(g.attr) && defined) token = true;
      const std::string value = sol.value.value_or("");
      switch (g.attr) {
        case Attribute::PeerTrustDomain: if (defined) r.peer_trust_domain = value; break;
        case Attribute::PeerNamespace: if (defined) r.peer_namespace = value; break;
        case Attribute::PeerServiceAccount: if (defined) r.peer_service_account = value; break;
        case Attribute::ConnectionSni: r.sni = value; break;
        case Attribute::Method: r.method = value; break;
        case Attribute::Path: r.path = value; break;
        case Attribute::Host: r.host = value; break;
        case Attribute::Header: if (sol.value) r.headers[g.key] = *sol.value; break;
        case Attribute::AuthIssuer: r.jwt_issuer = value; break;
        case Attribute::AuthSubject: r.jwt_subject = value; break;
        case Attribute::AuthAudiences: r.audiences = sol.elements; break;
        case Attribute::AuthPresenters: r.presenters = sol.elements; break;
        case Attribute::AuthClaim: if (!sol.elements.empty()) r.claims[g.key] = sol.elements; break;
        case Attribute::Metadata: if (!sol.elements.empty()) r.metadata[g.key] = sol.elements; break;
        default: break;
      }
    }
    if (token) r.token = ir::TokenState::Valid;
    out = std::move(r);
    return Build::Ok;
  }

  // What the port's connection rules let through (IS §11): on a STRICT port only mTLS requests reach the
  // filters, on a DISABLE port only plaintext. Used to prefer a witness whose difference is not masked.
  z3::expr reachable(const ir::Program& p) {
    if (p.mtls == model::MtlsMode::Strict) return mtls_;
    if (p.mtls == model::MtlsMode::Disable) return !mtls_;
    return c_.bool_val(true);
  }

  // The atom variables and their model values, to block a model that did not replay.
  z3::expr block_all(const z3::model& m) {
    z3::expr_vector lits(c_);
    auto add = [&](const z3::expr& v) { lits.push_back(m.eval(v, true).is_true() ? !v : v); };
    add(mtls_);
    for (auto& g : groups_) {
      for (auto& v : g.vars) add(v);
      add(g.defined);
    }
    for (auto& [attr, ip] : ips_) add(ip.present);
    return lits.empty() ? c_.bool_val(false) : z3::mk_or(lits);
  }

 private:
  z3::expr rule(const ir::Rule& r) {
    return clauses(r.principals) && clauses(r.permissions);
  }
  z3::expr clauses(const std::vector<ir::Clause>& cs) {
    z3::expr_vector v(c_);
    for (const auto& cl : cs) {
      z3::expr_vector ms(c_);
      for (const auto& m : cl.matches) ms.push_back(match(m));
      v.push_back(ms.empty() ? c_.bool_val(true) : z3::mk_and(ms));
    }
    return v.empty() ? c_.bool_val(false) : z3::mk_or(v);
  }
  z3::expr match(const ir::Match& m) {
    z3::expr_vector ts(c_);
    for (const auto& t : m.terms) ts.push_back(term(t));
    z3::expr any = ts.empty() ? c_.bool_val(false) : z3::mk_or(ts);
    return m.negated ? !any : any;
  }
  z3::expr term(const ir::Term& t) {
    if (t.is_false) return c_.bool_val(false);
    z3::expr_vector as(c_);
    for (const auto& a : t.atoms) as.push_back(atom(a));
    return as.empty() ? c_.bool_val(true) : z3::mk_and(as);
  }

  z3::expr atom(const ir::Atom& a) {
    // HTTP attributes do not exist on a TCP view (request.h attribute_value).
    if (protocol_ == ir::Protocol::Tcp && ir::attribute_http_only(a.attr)) return c_.bool_val(false);
    switch (ir::attribute_kind(a.attr)) {
      case AttributeKind::Port:
        if (a.op != ir::Op::PortEq) return c_.bool_val(false);
        return port_ == c_.bv_val(static_cast<uint64_t>(a.port), 32);
      case AttributeKind::Ip: {
        if (a.op != ir::Op::Cidr) return c_.bool_val(false);
        IpVars& ip = ip_vars(a.attr);
        z3::expr fam = a.cidr.base.v6 ? ip.v6 : !ip.v6;
        z3::expr e = ip.present && fam;
        unsigned len = a.cidr.prefix_len;
        if (len > 0) {
          unsigned width = a.cidr.base.v6 ? 128 : 32;
          if (len > width) return c_.bool_val(false);
          // The base's top `len` bits, from its bytes (network order).
          // bv_val(n, bits) takes the least significant bit first.
          std::unique_ptr<bool[]> bits(new bool[len]);
          for (unsigned i = 0; i < len; ++i) bits[len - 1 - i] = a.cidr.base.bit(i);
          z3::expr want = c_.bv_val(len, bits.get());
          e = e && (ip.bits.extract(127, 128 - len) == want);
        }
        return e;
      }
      case AttributeKind::String:
      case AttributeKind::Set: break;
    }
    StrAtom s;
    switch (a.op) {
      case ir::Op::Exact: s.op = StrOp::Exact; break;
      case ir::Op::Prefix: s.op = StrOp::Prefix; break;
      case ir::Op::Suffix: s.op = StrOp::Suffix; break;
      case ir::Op::Present: s.op = StrOp::Present; break;
      case ir::Op::Glob: s.op = StrOp::Glob; break;
      case ir::Op::PathTemplate: s.op = StrOp::PathTemplate; break;
      case ir::Op::Regex: s.op = StrOp::Regex; break;
      default: return c_.bool_val(false);  // CIDR/port op on a string attribute: never true (evaluate.cpp)
    }
    if (s.op != StrOp::Present) s.value = a.attr == Attribute::Host ? lower(a.value) : a.value;
    StrGroup& g = group(a.attr, a.key);
    auto it = g.index.find(s);
    if (it != g.index.end()) return g.vars[it->second];
    size_t i = g.atoms.size();
    g.atoms.push_back(s);
    g.vars.push_back(c_.bool_const(("s" + std::to_string(group_ids_[{a.attr, a.key}]) + "_" + std::to_string(i)).c_str()));
    g.index.emplace(s, i);
    return g.vars.back();
  }

  StrGroup& group(Attribute attr, const std::string& key) {
    auto k = std::make_pair(attr, key);
    auto it = group_ids_.find(k);
    if (it != group_ids_.end()) return groups_[it->second];
    size_t id = groups_.size();
    group_ids_.emplace(k, id);
    // The peer identity exists iff the connection is mTLS; its three parts together (ir.h).
    z3::expr d = ir::attribute_is_peer(attr) ? mtls_ : c_.bool_const(("d" + std::to_string(id)).c_str());
    groups_.push_back(StrGroup{attr, key, detail::attribute_domain(attr), {}, {}, d, {}});
    return groups_.back();
  }

  IpVars& ip_vars(Attribute attr) {
    auto it = ips_.find(attr);
    if (it != ips_.end()) return it->second;
    std::string n = ir::attribute_name(attr);
    IpVars v{c_.bool_const((n + ".present").c_str()), c_.bool_const((n + ".v6").c_str()),
             c_.bv_const((n + ".bits").c_str(), 128)};
    return ips_.emplace(attr, v).first->second;
  }

  z3::context& c_;
  ir::Protocol protocol_;
  z3::expr mtls_;
  z3::expr port_;
  std::map<std::pair<Attribute, std::string>, size_t> group_ids_;
  std::vector<StrGroup> groups_;  // deque-like use: only appended; references are re-fetched by index
  std::map<Attribute, IpVars> ips_;
};

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
        add(std::string(rule.policy.dry_run ? "dry-run " : "enforced ") + list.action + " rules", &rule,
            side == 0);
  }
  std::vector<Observable> out;
  for (const auto& n : order) out.push_back(std::move(by_name[n]));
  return out;
}

const char* custom_mode_text(ir::CustomMode m) {
  switch (m) {
    case ir::CustomMode::None: return "no CUSTOM enforcement";
    case ir::CustomMode::Delegate: return "CUSTOM rules delegate to the external authorizer";
    case ir::CustomMode::FailClosed: return "CUSTOM rules fail closed (enforced DENY)";
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

}  // namespace

EquivalenceResult prove_equivalent(const ir::Program& left, const ir::Program& right,
                                   const EquivalenceOptions& options) {
  EquivalenceResult res;

  // Flags first: they need no solver.
  bool any_custom = !left.custom.empty() || !right.custom.empty();
  if (any_custom && left.custom_mode != right.custom_mode) {
    res.status = EquivalenceStatus::Differs;
    Difference d;
    d.observable = "CUSTOM mode";
    d.detail = std::string("reference: ") + custom_mode_text(left.custom_mode) + "; candidate: " +
               custom_mode_text(right.custom_mode);
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

  z3::context& c = detail::thread_context();
  Encoder enc(c, left.protocol);
  std::vector<Observable> obs = observables(left, right);
  std::vector<std::pair<z3::expr, z3::expr>> formulas;
  for (const auto& o : obs) formulas.emplace_back(enc.rules(o.left), enc.rules(o.right));
  z3::solver s(c);
  detail::configure(s, options.timeout_ms);
  enc.add_axioms(s);

  // One search for a replayed difference under the current assertions: Unsat (none), Sat (found, in
  // `d`), or Unknown (`why`). Refinements stay inside the caller's push scope.
  enum class Search { Unsat, Sat, Unknown };
  auto search = [&](size_t i, Difference& d, std::string& why) {
    for (unsigned round = 0;; ++round) {
      ++res.queries;
      z3::check_result cr = s.check();
      if (cr == z3::unsat) return Search::Unsat;
      if (cr == z3::unknown) {
        why = obs[i].name + ": the solver gave up (" + s.reason_unknown() + ")";
        return Search::Unknown;
      }
      if (round >= options.max_refinements) {
        why = obs[i].name + ": no concrete request realizes the solver's models after " + std::to_string(round) +
              " refinements";
        return Search::Unknown;
      }
      z3::model m = s.get_model();
      ir::Request w;
      std::string reason;
      Encoder::Build b = enc.witness(m, s, options.timeout_ms, w, reason);
      if (b == Encoder::Build::Unknown) {
        why = obs[i].name + ": " + reason;
        return Search::Unknown;
      }
      if (b == Encoder::Build::Refine) {
        ++res.refinements;
        continue;
      }
      SideOutcome lo = outcome(left, obs[i].left, w), ro = outcome(right, obs[i].right, w);
      if (lo.matches == ro.matches) {
        // The replay disagrees with the model (an over-approximated atom): rule this model out.
        ++res.refinements;
        s.add(enc.block_all(m));
        continue;
      }
      d.observable = obs[i].name;
      d.has_witness = true;
      d.witness = std::move(w);
      d.left = std::move(lo);
      d.right = std::move(ro);
      return Search::Sat;
    }
  };

  res.observables = obs.size();
  for (size_t i = 0; i < obs.size(); ++i) {
    s.push();
    s.add(formulas[i].first != formulas[i].second);
    Difference d;
    std::string why;
    Search r = search(i, d, why);
    if (r == Search::Sat) {
      // Prefer a witness the port's mTLS mode lets through, so that the decisions show the difference.
      s.push();
      s.add(enc.reachable(left));
      Difference better;
      std::string ignored;
      if (search(i, better, ignored) == Search::Sat) d = std::move(better);
      s.pop();
    }
    s.pop();
    if (r == Search::Unknown) {
      res.status = EquivalenceStatus::Unknown;
      res.unknown_reason = why;
      return res;
    }
    if (r == Search::Sat) {
      res.status = EquivalenceStatus::Differs;
      res.difference = std::move(d);
      return res;
    }
  }
  res.status = EquivalenceStatus::Proven;
  return res;
}

}  // namespace meshproof::engine
