#include "compile/decode/formula.h"

#include <algorithm>

#include "compile/decode/node_reader.h"

namespace meshproof::compile::decoder {

Formula f_true() { return Formula{Formula::True, {}, {}}; }
Formula f_false() { return Formula{Formula::False, {}, {}}; }
Formula f_atom(ir::Atom a) { return Formula{Formula::Atom, std::move(a), {}}; }

Formula f_and(std::vector<Formula> ks) {
  std::vector<Formula> out;
  for (auto& k : ks) {
    if (k.k == Formula::False) return f_false();
    if (k.k == Formula::True) continue;
    if (k.k == Formula::And) {
      for (auto& g : k.kids) out.push_back(std::move(g));
    } else {
      out.push_back(std::move(k));
    }
  }
  if (out.empty()) return f_true();
  if (out.size() == 1) return std::move(out[0]);
  return Formula{Formula::And, {}, std::move(out)};
}

Formula f_or(std::vector<Formula> ks) {
  std::vector<Formula> out;
  for (auto& k : ks) {
    if (k.k == Formula::True) return f_true();
    if (k.k == Formula::False) continue;
    if (k.k == Formula::Or) {
      for (auto& g : k.kids) out.push_back(std::move(g));
    } else {
      out.push_back(std::move(k));
    }
  }
  if (out.empty()) return f_false();
  if (out.size() == 1) return std::move(out[0]);
  return Formula{Formula::Or, {}, std::move(out)};
}

Formula f_not(Formula f) {
  if (f.k == Formula::True) return f_false();
  if (f.k == Formula::False) return f_true();
  if (f.k == Formula::Not) return std::move(f.kids[0]);
  return Formula{Formula::Not, {}, {std::move(f)}};
}

Formula from_terms(const std::vector<ir::Term>& terms) {
  std::vector<Formula> ors;
  for (const auto& t : terms) {
    if (t.is_false) continue;
    std::vector<Formula> ands;
    for (const auto& a : t.atoms) ands.push_back(f_atom(a));
    ors.push_back(f_and(std::move(ands)));
  }
  return f_or(std::move(ors));
}

// Canonical text of a formula, to compare the two halves of Istio's OR(list-contains, equals) matcher.
std::string canon(const Formula& f) {
  switch (f.k) {
    case Formula::True:
      return "T";
    case Formula::False:
      return "Formula";
    case Formula::Atom:
      return ir::to_string(f.atom);
    case Formula::Not:
      return "!(" + canon(f.kids[0]) + ")";
    case Formula::And:
    case Formula::Or: {
      std::vector<std::string> ks;
      for (const auto& k : f.kids) ks.push_back(canon(k));
      std::sort(ks.begin(), ks.end());
      std::string out = f.k == Formula::And ? "&(" : "|(";
      for (const auto& k : ks) out += k + ",";
      return out + ")";
    }
  }
  return "?";
}

bool term_of(const Formula& x, ir::Term& t) {
  if (x.k == Formula::True) return true;
  if (x.k == Formula::False) {
    t.is_false = true;
    return true;
  }
  if (x.k == Formula::Atom) {
    t.atoms.push_back(x.atom);
    return true;
  }
  if (x.k == Formula::And) {
    for (const auto& k : x.kids)
      if (k.k != Formula::Atom) return false;
    for (const auto& k : x.kids) t.atoms.push_back(k.atom);
    return true;
  }
  return false;
}

namespace {

bool match_of(const Formula& g, ir::Match& m) {
  const Formula* h = &g;
  if (g.k == Formula::Not) {
    m.negated = true;
    h = &g.kids[0];
  }
  std::vector<const Formula*> parts;
  if (h->k == Formula::Or) {
    for (const auto& k : h->kids) parts.push_back(&k);
  } else {
    parts.push_back(h);
  }
  for (const Formula* x : parts) {
    ir::Term t;
    if (!term_of(*x, t)) return false;
    m.terms.push_back(std::move(t));
  }
  return true;
}

// Literal-level DNF for shapes outside Istio's: a list of conjunctions of (atom, positive).
using Conj = std::vector<std::pair<ir::Atom, bool>>;
constexpr size_t kMaxDnf = 4096;

bool dnf(const Formula& f, bool positive, std::vector<Conj>& out) {
  switch (f.k) {
    case Formula::True:
      out = positive ? std::vector<Conj>{Conj{}} : std::vector<Conj>{};
      return true;
    case Formula::False:
      out = positive ? std::vector<Conj>{} : std::vector<Conj>{Conj{}};
      return true;
    case Formula::Atom:
      out = {Conj{{f.atom, positive}}};
      return true;
    case Formula::Not:
      return dnf(f.kids[0], !positive, out);
    case Formula::And:
    case Formula::Or: {
      bool conj = (f.k == Formula::And) == positive;
      if (!conj) {
        out.clear();
        for (const auto& k : f.kids) {
          std::vector<Conj> d;
          if (!dnf(k, positive, d)) return false;
          out.insert(out.end(), d.begin(), d.end());
          if (out.size() > kMaxDnf) return false;
        }
        return true;
      }
      out = {Conj{}};
      for (const auto& k : f.kids) {
        std::vector<Conj> d, next;
        if (!dnf(k, positive, d)) return false;
        for (const auto& a : out)
          for (const auto& b : d) {
            Conj c = a;
            c.insert(c.end(), b.begin(), b.end());
            next.push_back(std::move(c));
            if (next.size() > kMaxDnf) return false;
          }
        out = std::move(next);
      }
      return true;
    }
  }
  return false;
}

}  // namespace

void clauses_of(const std::vector<Formula>& list, ir::ClauseKind kind, const Node& at, const std::string& path,
                std::vector<ir::Clause>& out) {
  std::vector<const Formula*> disjuncts;
  for (const auto& f : list) {
    if (f.k == Formula::Or) {
      for (const auto& k : f.kids) disjuncts.push_back(&k);
    } else {
      disjuncts.push_back(&f);
    }
  }
  for (const Formula* d : disjuncts) {
    if (d->k == Formula::False) continue;
    ir::Clause c;
    c.kind = kind;
    c.loc = at.loc;
    bool fits = true;
    if (d->k != Formula::True) {
      std::vector<const Formula*> conj;
      if (d->k == Formula::And) {
        for (const auto& k : d->kids) conj.push_back(&k);
      } else {
        conj.push_back(d);
      }
      for (const Formula* g : conj) {
        ir::Match m;
        m.field = "decoded";
        m.loc = at.loc;
        if (!match_of(*g, m)) {
          fits = false;
          break;
        }
        c.matches.push_back(std::move(m));
      }
    }
    if (fits) {
      out.push_back(std::move(c));
      continue;
    }
    std::vector<Conj> cs;
    if (!dnf(*d, true, cs)) fail(at, path, "the matcher nests and/or/not too deeply to be expanded");
    for (const auto& cj : cs) {
      ir::Clause e;
      e.kind = kind;
      e.loc = at.loc;
      for (const auto& [atom, pos] : cj) {
        ir::Match m;
        m.field = "decoded";
        m.negated = !pos;
        m.loc = at.loc;
        ir::Term t;
        t.atoms.push_back(atom);
        m.terms.push_back(std::move(t));
        e.matches.push_back(std::move(m));
      }
      out.push_back(std::move(e));
    }
  }
}

}  // namespace meshproof::compile::decoder
