// Axioms between string atoms of one attribute, and the witness construction that proves them complete.
//
// ## Single-valued attributes: the clauses
//
// Variables: one per atom, plus D (the value exists). For atoms a, b on the attribute:
//   (A1) a ⇒ D                                   every atom is false on an absent value;
//   (A2) D ⇒ a  for a ∈ {Present, Prefix "", Suffix ""}, which hold on every string;
//   (A3) exact e vs every other atom a: e ⇒ a if a holds on e's value, else e ⇒ ¬a
//        (two different exacts therefore exclude each other: at most one exact is true);
//   (A4) prefixes p ≠ q: if p is a prefix of q then q ⇒ p; else if q is a prefix of p then p ⇒ q;
//        else ¬(p ∧ q)  (two prefixes of one string are comparable);
//   (A5) suffixes alike;
//   (A6) NonEmpty N: every non-empty prefix or suffix implies N, and D ∧ ¬N ⇒ Exact "" when that atom
//        exists (a defined value that is not non-empty is "");
//   (A7) when "" is not a value of the domain (empty_is_absent): ¬Exact "", and D ⇒ N;
//   (A8) an exact/prefix/suffix atom that no value of the domain can satisfy (it contains a forbidden
//        character, or an upper-case letter in a lower-cased domain) is false.
// Opaque atoms (glob, path template, regex) get only (A1) and their row of (A3): an exact value decides
// them. Everything else about them is left open, so the clauses over-approximate them.
// Prefix/suffix pairs need no clause: any prefix and any suffix fit in one string with a middle between.
//
// ## Completeness: every assignment that satisfies the clauses is realized by a concrete value
//
//   ¬D:               the value is absent; (A1) made every atom false, and no atom holds on "absent".
//   D, exact e true:  the value is e; (A3) fixed every other atom to its truth on e.
//   D, no exact true, N exists and is false: the value is "" (this case is excluded by A7 when "" is
//                     not a value). (A6) made every non-empty prefix/suffix
//                     false, (A3) made every non-empty exact false (each implies N), and an Exact "" atom
//                     would be true by (A6), which the case excludes; (A2) made the valid atoms true.
//   D, no exact true, otherwise: the value is  w = p* + m + s*  where p* is the longest true prefix ("" if
//                     none), s* the longest true suffix ("" if none), and m a non-empty "fresh middle":
//                     characters that occur in no atom value of the attribute.
//     - The true prefixes form a chain by (A4) (two incomparable ones cannot both be true), so each is a
//       prefix of p* and hence of w; likewise every true suffix is a suffix of s* and of w.
//     - A false prefix q is not a prefix of w: q cannot be a prefix of p* (then p* ⇒ q by A4, and q ≠ p*
//       because p* is true); if p* is a proper prefix of q, q = p*·r with r non-empty, and r[0] ≠ m[0]
//       because m[0] is fresh; otherwise q and p* differ at a position inside both. Symmetrically for a
//       false suffix, using m's last character.
//     - p* and s* never overlap in w: m separates them. Overlapping them (e.g. "aba" for prefix "ab" and
//       suffix "ba") would give a shorter string, but one that might equal a false exact or extend into
//       a false prefix; the fresh middle rules both out.
//     - A false exact e differs from w: w contains m's fresh character, e does not.
//     - Present holds on w, and NonEmpty too (m is non-empty), so N must not be false here: it is not,
//       by the case split.
//   A fresh character always exists (finitely many atom values). The construction below tries readable
//   candidates first and re-checks every atom on the result, so a violated axiom is reported, not hidden.
//   The fresh character is also chosen outside the domain's forbidden characters and upper case, and by
//   (A8) p*, s* and a true exact contain neither, so the value stays inside the domain.
//   Opaque atoms are not part of this argument: when the value built for the fragment gets an opaque
//   atom wrong, the caller asks the sequence theory (symbolic_seq.h) for the attribute instead.
//
// ## Set-valued attributes (audiences, presenters, list claims)
//
// An atom is true when some element satisfies it, so atoms do not exclude each other: only (A1), (A2),
// (A3) in its positive half (e ⇒ a when a holds on e), (A4)/(A5) in their implication half, and (A6) hold.
// Witness: for each true exact its value; for each true non-empty prefix p not yet satisfied, p + m; for
// each true non-empty suffix s not yet satisfied, m + s; if N is true and no element is non-empty, m; if
// still empty, "". Each element satisfies only true atoms (by the same freshness argument as above), and
// every true atom got an element.
#include "engine/symbolic_strings.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>

#include "engine/evaluate.h"
#include "ir/request.h"

namespace meshproof::engine {

const char* to_string(StrOp op) {
  switch (op) {
    case StrOp::Exact:
      return "exact";
    case StrOp::Prefix:
      return "prefix";
    case StrOp::Suffix:
      return "suffix";
    case StrOp::Present:
      return "present";
    case StrOp::NonEmpty:
      return "non-empty";
    case StrOp::Glob:
      return "glob";
    case StrOp::PathTemplate:
      return "path-template";
    case StrOp::Regex:
      return "regex";
  }
  return "?";
}

bool is_opaque(StrOp op) { return op == StrOp::Glob || op == StrOp::PathTemplate || op == StrOp::Regex; }

namespace {

// Opaque atoms are evaluated by the concrete evaluator itself (a header attribute carries any string,
// "" included), so that the encoder can never disagree with the specification about them.
bool opaque_holds(const StrAtom& a, const std::string& s) {
  ir::Atom atom;
  atom.attr = ir::Attribute::Header;
  atom.key = "v";
  atom.op = a.op == StrOp::Glob ? ir::Op::Glob : a.op == StrOp::PathTemplate ? ir::Op::PathTemplate : ir::Op::Regex;
  atom.value = a.value;
  ir::Request r;
  r.headers["v"] = s;
  return eval_atom(atom, r, ir::Protocol::Http);
}

}  // namespace

bool str_atom_holds(const StrAtom& a, const std::string& s) {
  switch (a.op) {
    case StrOp::Exact:
      return s == a.value;
    case StrOp::Prefix:
      return s.starts_with(a.value);
    case StrOp::Suffix:
      return s.ends_with(a.value);
    case StrOp::Present:
      return true;
    case StrOp::NonEmpty:
      return !s.empty();
    case StrOp::Glob:
    case StrOp::PathTemplate:
    case StrOp::Regex:
      return opaque_holds(a, s);
  }
  return false;
}

bool str_atom_holds_on_set(const StrAtom& a, const std::vector<std::string>& elements) {
  return std::any_of(elements.begin(), elements.end(), [&](const std::string& e) { return str_atom_holds(a, e); });
}

namespace {

bool literal_op(StrOp op) { return op == StrOp::Exact || op == StrOp::Prefix || op == StrOp::Suffix; }

// Holds on every defined value of the domain.
bool valid_when_defined(const StrAtom& a, const StrDomain& d) {
  return a.op == StrOp::Present || (a.op == StrOp::NonEmpty && d.empty_is_absent) ||
         ((a.op == StrOp::Prefix || a.op == StrOp::Suffix) && a.value.empty());
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isupper(c); });
}

bool is_prefix_of(std::string_view p, std::string_view q) { return q.starts_with(p); }
bool is_suffix_of(std::string_view p, std::string_view q) { return q.ends_with(p); }

StrLit pos(size_t v) { return {static_cast<uint32_t>(v), true}; }
StrLit neg(size_t v) { return {static_cast<uint32_t>(v), false}; }

}  // namespace

std::vector<StrClause> string_axioms(const std::vector<StrAtom>& atoms, const StrDomain& domain) {
  const bool set_valued = domain.set_valued;
  std::vector<StrClause> out;
  const size_t n = atoms.size();
  const size_t d = n;  // the "defined" variable
  std::optional<size_t> nonempty, exact_empty;
  for (size_t i = 0; i < n; ++i) {
    if (atoms[i].op == StrOp::NonEmpty) nonempty = i;
    if (atoms[i].op == StrOp::Exact && atoms[i].value.empty()) exact_empty = i;
  }
  for (size_t i = 0; i < n; ++i) {
    const StrAtom& a = atoms[i];
    out.push_back({neg(i), pos(d)});                                               // (A1)
    if (valid_when_defined(a, domain)) out.push_back({neg(d), pos(i)});            // (A2), (A7)
    if (literal_op(a.op) && !in_domain(a.value, domain)) out.push_back({neg(i)});  // (A8)
    if (nonempty && i != *nonempty && (a.op == StrOp::Prefix || a.op == StrOp::Suffix) && !a.value.empty())
      out.push_back({neg(i), pos(*nonempty)});  // (A6), first half
  }
  if (domain.empty_is_absent) {
    if (exact_empty) out.push_back({neg(*exact_empty)});  // (A7)
  } else if (nonempty && exact_empty) {
    out.push_back({neg(d), pos(*nonempty), pos(*exact_empty)});  // (A6), second half
  }

  for (size_t i = 0; i < n; ++i) {
    const StrAtom& a = atoms[i];
    if (a.op == StrOp::Exact) {  // (A3)
      for (size_t j = 0; j < n; ++j) {
        if (j == i) continue;
        if (str_atom_holds(atoms[j], a.value)) {
          out.push_back({neg(i), pos(j)});
        } else if (!set_valued && !(atoms[j].op == StrOp::Exact && j < i)) {
          // (exact/exact exclusions are emitted once per pair)
          out.push_back({neg(i), neg(j)});
        }
      }
    }
    if (a.op != StrOp::Prefix && a.op != StrOp::Suffix) continue;
    auto related = a.op == StrOp::Prefix ? is_prefix_of : is_suffix_of;
    for (size_t j = i + 1; j < n; ++j) {  // (A4), (A5)
      const StrAtom& b = atoms[j];
      if (b.op != a.op) continue;
      if (related(a.value, b.value)) {
        out.push_back({neg(j), pos(i)});
      } else if (related(b.value, a.value)) {
        out.push_back({neg(i), pos(j)});
      } else if (!set_valued) {
        out.push_back({neg(i), neg(j)});
      }
    }
  }
  return out;
}

// ## Linear encoding
//
// string_axioms relates every pair of atoms, which is quadratic. string_axioms_linear states the same
// constraints with auxiliary variables, in size linear in the atoms (plus the opaque rows of A3):
//   * Prefix atoms form a forest ordered by "is a proper prefix of": parent(p) is the longest other
//     prefix atom that is a proper prefix of p. Clauses: p ⇒ parent(p) (this gives every implication of
//     A4 by transitivity), and, on a single-valued attribute, at most one child of each node (and of the
//     virtual root) is true. Two incomparable prefixes p, q have a lowest common ancestor whose two
//     children above p and q differ and are implied by p and q: at most one of them — this gives every
//     exclusion of A4. Suffixes alike, on reversed strings.
//   * "At most one of c_1..c_k" is the ladder: auxiliaries s_i ("one of c_1..c_i is true") with
//     c_i ⇒ s_i, s_(i-1) ⇒ s_i, s_(i-1) ⇒ ¬c_i; s_k is then "some child is true".
//   * Exact e (A3): e ⇒ p0 where p0 is the deepest prefix atom that is a prefix of e (its ancestors follow),
//     and on a single-valued attribute e ⇒ ¬s_k(children of p0) (or of the roots when there is no p0): a
//     prefix atom that is not a prefix of e is either incomparable with p0 (excluded above) or below a
//     child of p0 that is not a prefix of e (else that child would be deeper than p0). Suffixes alike.
//     Exacts among themselves: a ladder (at most one). Exacts against Present, NonEmpty and opaque atoms:
//     the A3 rows as before.
//   * A1, A2, A6, A7, A8 are already linear and are kept.
// Conversely, every assignment allowed by string_axioms extends to the auxiliaries (s_i := c_1 ∨ … ∨ c_i),
// so the projections are equal.
namespace {

struct Forest {
  std::vector<int> parent;                    // per atom index (of this op), -1 = root
  std::vector<std::vector<size_t>> children;  // per atom index
  std::vector<size_t> roots;
};

// `idx` are the indexes of the prefix (or suffix) atoms; keys their values (reversed for suffixes).
Forest build_forest(const std::vector<size_t>& idx, const std::vector<std::string>& keys, size_t n) {
  Forest f;
  f.parent.assign(n, -1);
  f.children.resize(n);
  std::vector<size_t> order(idx.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  // In lexicographic order every string is followed by all strings it prefixes, so a stack of the
  // current chain of ancestors finds each parent.
  std::vector<size_t> chain;
  for (size_t o : order) {
    while (!chain.empty() && !keys[o].starts_with(keys[chain.back()])) chain.pop_back();
    size_t atom = idx[o];
    if (chain.empty()) {
      f.roots.push_back(atom);
    } else {
      size_t par = idx[chain.back()];
      f.parent[atom] = static_cast<int>(par);
      f.children[par].push_back(atom);
    }
    chain.push_back(o);
  }
  return f;
}

// The linear encoding, clause by clause in a fixed order (the solver sees the same formula every run).
class LinearAxioms {
 public:
  LinearAxioms(const std::vector<StrAtom>& atoms, const StrDomain& domain)
      : atoms_(atoms), domain_(domain), n_(atoms.size()), single_(!domain.set_valued) {}

  StrEncoding encode() {
    classify();
    basic_clauses();
    Side pre = side(StrOp::Prefix, prefixes_);
    Side suf = side(StrOp::Suffix, suffixes_);
    exact_clauses(pre, suf);
    return std::move(enc_);
  }

 private:
  // The prefix (or suffix) forest and its ladders.
  struct Side {
    StrOp op;
    Forest forest;
    std::vector<std::optional<size_t>> any_child;  // per atom index
    std::optional<size_t> any_root;
    std::map<std::string, size_t> by_key;  // key -> atom index
  };

  size_t fresh() { return n_ + 1 + enc_.aux_vars++; }

  void classify() {
    for (size_t i = 0; i < n_; ++i) {
      const StrAtom& a = atoms_[i];
      if (a.op == StrOp::NonEmpty) nonempty_ = i;
      if (a.op == StrOp::Exact && a.value.empty()) exact_empty_ = i;
      (a.op == StrOp::Exact    ? exacts_
       : a.op == StrOp::Prefix ? prefixes_
       : a.op == StrOp::Suffix ? suffixes_
                               : others_)
          .push_back(i);
    }
  }

  // A1, A2, A6 (first half), A7, A8: unchanged.
  void basic_clauses() {
    auto& out = enc_.clauses;
    const size_t d = n_;
    for (size_t i = 0; i < n_; ++i) {
      const StrAtom& a = atoms_[i];
      out.push_back({neg(i), pos(d)});
      if (valid_when_defined(a, domain_)) out.push_back({neg(d), pos(i)});
      if (literal_op(a.op) && !in_domain(a.value, domain_)) out.push_back({neg(i)});
      if (nonempty_ && i != *nonempty_ && (a.op == StrOp::Prefix || a.op == StrOp::Suffix) && !a.value.empty())
        out.push_back({neg(i), pos(*nonempty_)});
    }
    if (domain_.empty_is_absent) {
      if (exact_empty_) out.push_back({neg(*exact_empty_)});
    } else if (nonempty_ && exact_empty_) {
      out.push_back({neg(d), pos(*nonempty_), pos(*exact_empty_)});
    }
  }

  // At most one of xs (when `exclusive`); returns the "some of xs" auxiliary, or nullopt if xs is empty.
  std::optional<size_t> ladder(const std::vector<size_t>& xs, bool exclusive) {
    if (xs.empty()) return std::nullopt;
    std::optional<size_t> prev;
    for (size_t x : xs) {
      size_t s = fresh();
      enc_.clauses.push_back({neg(x), pos(s)});
      if (prev) {
        enc_.clauses.push_back({neg(*prev), pos(s)});
        if (exclusive) enc_.clauses.push_back({neg(*prev), neg(x)});
      }
      prev = s;
    }
    return prev;
  }

  Side side(StrOp op, const std::vector<size_t>& idx) {
    Side side{op, {}, {}, std::nullopt, {}};
    std::vector<std::string> keys;
    for (size_t i : idx) {
      std::string k = atoms_[i].value;
      if (op == StrOp::Suffix) std::reverse(k.begin(), k.end());
      keys.push_back(k);
      side.by_key.emplace(k, i);
    }
    side.forest = build_forest(idx, keys, n_);
    side.any_child.resize(n_);
    for (size_t i : idx) {
      if (side.forest.parent[i] >= 0) enc_.clauses.push_back({neg(i), pos(static_cast<size_t>(side.forest.parent[i]))});
      side.any_child[i] = ladder(side.forest.children[i], single_);
    }
    side.any_root = ladder(side.forest.roots, single_);
    return side;
  }

  // A3: each exact against the prefix and suffix forests, and against the other atoms.
  void exact_clauses(const Side& pre, const Side& suf) {
    auto& out = enc_.clauses;
    ladder(exacts_, single_);
    for (size_t e : exacts_) {
      const std::string& v = atoms_[e].value;
      for (const Side* side : {&pre, &suf}) {
        std::string key = v;
        if (side->op == StrOp::Suffix) std::reverse(key.begin(), key.end());
        std::optional<size_t> deepest;
        for (size_t len = 0; len <= key.size(); ++len) {
          auto it = side->by_key.find(key.substr(0, len));
          if (it != side->by_key.end()) deepest = it->second;
        }
        if (deepest) out.push_back({neg(e), pos(*deepest)});
        if (!single_) continue;
        std::optional<size_t> rest = deepest ? side->any_child[*deepest] : side->any_root;
        if (rest) out.push_back({neg(e), neg(*rest)});
      }
      for (size_t o : others_) {  // Present, NonEmpty, opaque: evaluate on the exact value
        if (str_atom_holds(atoms_[o], v))
          out.push_back({neg(e), pos(o)});
        else if (single_)
          out.push_back({neg(e), neg(o)});
      }
    }
  }

  const std::vector<StrAtom>& atoms_;
  const StrDomain& domain_;
  const size_t n_;
  const bool single_;
  StrEncoding enc_;
  std::optional<size_t> nonempty_, exact_empty_;
  std::vector<size_t> exacts_, prefixes_, suffixes_, others_;
};

}  // namespace

StrEncoding string_axioms_linear(const std::vector<StrAtom>& atoms, const StrDomain& domain) {
  return LinearAxioms(atoms, domain).encode();
}

namespace {

// Readable candidates first; every byte value after them, so that some candidate is fresh whenever the
// atom values leave any byte unused (the completeness argument needs one fresh character).
const std::vector<char>& middle_candidates() {
  static const std::vector<char> c = [] {
    std::vector<char> out;
    for (char ch : std::string_view("xzqjkvwy0123456789abcdefghilmnoprstu")) out.push_back(ch);
    for (int b = 1; b < 256; ++b) out.push_back(static_cast<char>(b));
    out.push_back('\0');
    return out;
  }();
  return c;
}

std::string fresh_middle(const std::vector<StrAtom>& atoms, const StrDomain& domain) {
  std::vector<char> restricted(domain.middle_chars.begin(), domain.middle_chars.end());
  for (char c : domain.middle_chars.empty() ? middle_candidates() : restricted) {
    if (domain.forbidden_chars.find(c) != std::string::npos) continue;
    if (domain.lower_case && std::isupper(static_cast<unsigned char>(c))) continue;
    bool used = std::any_of(atoms.begin(), atoms.end(),
                            [&](const StrAtom& a) { return !is_opaque(a.op) && a.value.find(c) != std::string::npos; });
    if (!used) return std::string(1, c);
  }
  return {};
}

// Compares the truths a value gives with the assignment: Ok, NeedsTheory (only opaque atoms differ)
// or Failed (a fragment atom or D differs), with a description of the first difference.
WitnessStatus compare(const std::vector<StrAtom>& atoms, const StrAssignment& asg, const std::vector<bool>& actual,
                      bool actual_defined, std::string* error) {
  if (actual_defined != asg.defined) {
    *error = std::string("the value should be ") + (asg.defined ? "present" : "absent");
    return WitnessStatus::Failed;
  }
  WitnessStatus st = WitnessStatus::Ok;
  for (size_t i = 0; i < atoms.size(); ++i) {
    if (asg.atom_true[i] == actual[i]) continue;
    std::string what = std::string("atom ") + to_string(atoms[i].op) + " \"" + atoms[i].value + "\" should be " +
                       (asg.atom_true[i] ? "true" : "false");
    if (!is_opaque(atoms[i].op)) {
      *error = "assignment violates the string axioms: " + what;
      return WitnessStatus::Failed;
    }
    if (st == WitnessStatus::Ok) *error = "needs the sequence theory: " + what;
    st = WitnessStatus::NeedsTheory;
  }
  return st;
}

}  // namespace

bool in_domain(std::string_view s, const StrDomain& d) {
  if (s.find_first_of(d.forbidden_chars) != std::string_view::npos) return false;
  if (d.lower_case && has_upper(s)) return false;
  return true;
}

bool string_value_realizes(const std::vector<StrAtom>& atoms, const StrAssignment& asg, const StrDomain& domain,
                           const std::optional<std::string>& value) {
  if (value && ((domain.empty_is_absent && value->empty()) || !in_domain(*value, domain))) return false;
  if (value.has_value() != asg.defined || asg.atom_true.size() != atoms.size()) return false;
  for (size_t i = 0; i < atoms.size(); ++i)
    if ((value && str_atom_holds(atoms[i], *value)) != asg.atom_true[i]) return false;
  return true;
}

bool set_value_realizes(const std::vector<StrAtom>& atoms, const StrAssignment& asg, const StrDomain& domain,
                        const std::vector<std::string>& elements) {
  for (const auto& e : elements)
    if ((domain.empty_is_absent && e.empty()) || !in_domain(e, domain)) return false;
  if (elements.empty() == asg.defined || asg.atom_true.size() != atoms.size()) return false;
  for (size_t i = 0; i < atoms.size(); ++i)
    if (str_atom_holds_on_set(atoms[i], elements) != asg.atom_true[i]) return false;
  return true;
}

StringWitness build_string_witness(const std::vector<StrAtom>& atoms, const StrAssignment& asg,
                                   const StrDomain& domain) {
  StringWitness w;
  if (asg.atom_true.size() != atoms.size()) {
    w.error = "assignment size does not match the atoms";
    return w;
  }
  if (asg.defined) {
    std::optional<size_t> exact, longest_prefix, longest_suffix, nonempty;
    for (size_t i = 0; i < atoms.size(); ++i) {
      const StrAtom& a = atoms[i];
      if (a.op == StrOp::NonEmpty) nonempty = i;
      if (!asg.atom_true[i]) continue;
      if (a.op == StrOp::Exact) exact = i;
      if (a.op == StrOp::Prefix && (!longest_prefix || a.value.size() > atoms[*longest_prefix].value.size()))
        longest_prefix = i;
      if (a.op == StrOp::Suffix && (!longest_suffix || a.value.size() > atoms[*longest_suffix].value.size()))
        longest_suffix = i;
    }
    if (exact) {
      w.value = atoms[*exact].value;
    } else if (nonempty && !asg.atom_true[*nonempty]) {
      w.value = std::string();
    } else {
      std::string m = fresh_middle(atoms, domain);
      if (m.empty() && !domain.middle_chars.empty()) {
        w.status = WitnessStatus::NeedsTheory;  // the allowed middle characters all occur in the atoms
        w.error = "no fresh middle character";
        return w;
      }
      if (m.empty()) {
        w.error = "no fresh character: the atom values use every byte";
        return w;
      }
      w.value = (longest_prefix ? atoms[*longest_prefix].value : "") + m +
                (longest_suffix ? atoms[*longest_suffix].value : "");
    }
    if ((domain.empty_is_absent && w.value->empty()) || !in_domain(*w.value, domain)) {
      w.error =
          "assignment violates the string axioms: the value \"" + *w.value + "\" is outside the attribute's domain";
      w.value.reset();
      return w;
    }
  }
  // Re-check every atom: the construction is only as good as the axioms the model satisfied.
  std::vector<bool> actual(atoms.size());
  for (size_t i = 0; i < atoms.size(); ++i) actual[i] = w.value && str_atom_holds(atoms[i], *w.value);
  w.status = compare(atoms, asg, actual, w.value.has_value(), &w.error);
  if (w.status == WitnessStatus::Failed) w.value.reset();
  if (w.status == WitnessStatus::Ok) w.error.clear();
  return w;
}

SetWitness build_set_witness(const std::vector<StrAtom>& atoms, const StrAssignment& asg, const StrDomain& domain) {
  SetWitness w;
  if (asg.atom_true.size() != atoms.size()) {
    w.error = "assignment size does not match the atoms";
    return w;
  }
  if (asg.defined) {
    const std::string m = fresh_middle(atoms, domain);
    if (m.empty()) {
      w.error = "no fresh character: the atom values use every byte";
      return w;
    }
    auto add = [&](std::string e) {
      if (std::find(w.elements.begin(), w.elements.end(), e) == w.elements.end()) w.elements.push_back(std::move(e));
    };
    std::optional<size_t> nonempty;
    for (size_t i = 0; i < atoms.size(); ++i) {
      if (atoms[i].op == StrOp::NonEmpty) nonempty = i;
      if (asg.atom_true[i] && atoms[i].op == StrOp::Exact) add(atoms[i].value);
    }
    for (size_t i = 0; i < atoms.size(); ++i) {
      const StrAtom& a = atoms[i];
      if (!asg.atom_true[i] || a.value.empty() || str_atom_holds_on_set(a, w.elements)) continue;
      if (a.op == StrOp::Prefix) add(a.value + m);
      if (a.op == StrOp::Suffix) add(m + a.value);
    }
    bool want_nonempty = !nonempty || asg.atom_true[*nonempty];
    bool has_nonempty =
        std::any_of(w.elements.begin(), w.elements.end(), [](const std::string& e) { return !e.empty(); });
    if (nonempty && want_nonempty && !has_nonempty) add(m);
    if (w.elements.empty()) add(want_nonempty ? m : std::string());
    for (const auto& e : w.elements) {
      if ((domain.empty_is_absent && e.empty()) || !in_domain(e, domain)) {
        w.error = "assignment violates the set axioms: the element \"" + e + "\" is outside the attribute's domain";
        w.elements.clear();
        return w;
      }
    }
  }
  std::vector<bool> actual(atoms.size());
  for (size_t i = 0; i < atoms.size(); ++i) actual[i] = str_atom_holds_on_set(atoms[i], w.elements);
  w.status = compare(atoms, asg, actual, !w.elements.empty(), &w.error);
  if (w.status == WitnessStatus::Failed) w.elements.clear();
  if (w.status == WitnessStatus::Ok) w.error.clear();
  return w;
}

}  // namespace meshproof::engine
