// The sequence-theory side of the string encoding: the oracle for the Boolean axioms and the fallback for
// opaque atoms. Z3 strings in this build are byte strings (characters 0..255), the same alphabet as
// std::string, so a model's value is used byte for byte.
#include "engine/symbolic_seq.h"

#include <z3++.h>

#include <algorithm>
#include <bitset>
#include <cctype>
#include <optional>
#include <string_view>

#include "engine/symbolic_z3.h"

namespace meshproof::engine {

const char* to_string(SatAnswer a) {
  switch (a) {
    case SatAnswer::Sat:
      return "sat";
    case SatAnswer::Unsat:
      return "unsat";
    case SatAnswer::Unknown:
      return "unknown";
  }
  return "?";
}

namespace {

using Bytes = std::bitset<256>;

z3::expr str_val(z3::context& c, std::string_view s) { return c.string_val(s.data(), static_cast<unsigned>(s.size())); }

z3::expr re_wrap(z3::context& c, Z3_ast a) {
  c.check_error();
  return z3::expr(c, a);
}

z3::expr re_literal(z3::context& c, std::string_view s) { return re_wrap(c, Z3_mk_seq_to_re(c, str_val(c, s))); }

z3::expr re_concat(z3::context& c, const std::vector<z3::expr>& parts) {
  if (parts.empty()) return re_literal(c, "");
  if (parts.size() == 1) return parts[0];
  std::vector<Z3_ast> asts(parts.begin(), parts.end());
  return re_wrap(c, Z3_mk_re_concat(c, static_cast<unsigned>(asts.size()), asts.data()));
}

z3::expr re_union(z3::context& c, const std::vector<z3::expr>& parts) {
  std::vector<Z3_ast> asts(parts.begin(), parts.end());
  return re_wrap(c, Z3_mk_re_union(c, static_cast<unsigned>(asts.size()), asts.data()));
}

z3::expr re_empty_lang(z3::context& c) { return re_wrap(c, Z3_mk_re_empty(c, Z3_mk_re_sort(c, c.string_sort()))); }

// A set of bytes as a union of maximal ranges.
z3::expr re_bytes(z3::context& c, const Bytes& set) {
  std::vector<z3::expr> ranges;
  for (int b = 0; b < 256;) {
    if (!set[b]) {
      ++b;
      continue;
    }
    int e = b;
    while (e + 1 < 256 && set[e + 1]) ++e;
    char lo = static_cast<char>(b), hi = static_cast<char>(e);
    ranges.push_back(
        re_wrap(c, Z3_mk_re_range(c, str_val(c, std::string_view(&lo, 1)), str_val(c, std::string_view(&hi, 1)))));
    b = e + 1;
  }
  if (ranges.empty()) return re_empty_lang(c);
  if (ranges.size() == 1) return ranges[0];
  return re_union(c, ranges);
}

Bytes all_bytes() { return Bytes().set(); }

z3::expr re_star(z3::context& c, const z3::expr& r) { return re_wrap(c, Z3_mk_re_star(c, r)); }
z3::expr re_plus(z3::context& c, const z3::expr& r) { return re_wrap(c, Z3_mk_re_plus(c, r)); }

// Glob: '*' is any sequence (engine::glob_match), every other byte literal.
z3::expr glob_re(z3::context& c, const std::string& pattern) {
  std::vector<z3::expr> parts;
  std::string lit;
  for (char ch : pattern) {
    if (ch == '*') {
      if (!lit.empty()) parts.push_back(re_literal(c, lit));
      lit.clear();
      parts.push_back(re_star(c, re_bytes(c, all_bytes())));
    } else {
      lit += ch;
    }
  }
  if (!lit.empty()) parts.push_back(re_literal(c, lit));
  return re_concat(c, parts);
}

// Envoy uri_template as engine::path_template_match reads it: `*` is one or more template-literal
// characters, `**` zero or more of them or '/', any other byte literal.
z3::expr template_re(z3::context& c, const std::string& t) {
  Bytes lit_chars;
  for (int b = 0; b < 256; ++b) {
    unsigned char ch = static_cast<unsigned char>(b);
    if (b < 128 && std::isalnum(ch)) lit_chars.set(b);
  }
  for (char ch : std::string_view("-._~%!$&'()+,;:@")) lit_chars.set(static_cast<unsigned char>(ch));
  Bytes glob_chars = lit_chars;
  glob_chars.set('/');
  std::vector<z3::expr> parts;
  std::string lit;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '*') {
      lit += t[i];
      continue;
    }
    if (!lit.empty()) parts.push_back(re_literal(c, lit));
    lit.clear();
    if (i + 1 < t.size() && t[i + 1] == '*') {
      parts.push_back(re_star(c, re_bytes(c, glob_chars)));
      ++i;
    } else {
      parts.push_back(re_plus(c, re_bytes(c, lit_chars)));
    }
  }
  if (!lit.empty()) parts.push_back(re_literal(c, lit));
  return re_concat(c, parts);
}

// A recursive-descent reader for the RE2 subset that Istio and Envoy tables use. Full match, byte
// semantics ('.' = any byte but '\n'); the caller re-checks every answer with RE2 itself, so a
// difference in an exotic corner (UTF-8 '.') becomes Unknown, not a wrong answer.
class RegexReader {
 public:
  RegexReader(z3::context& c, std::string_view p) : c_(c), p_(p) {}

  std::optional<z3::expr> read(std::string* error) {
    if (!p_.empty() && p_.front() == '^') p_.remove_prefix(1);
    if (!p_.empty() && p_.back() == '$' && !escaped_at(p_.size() - 1)) p_.remove_suffix(1);
    auto r = alternation();
    if (r && i_ != p_.size()) fail("unexpected '" + std::string(1, p_[i_]) + "'");
    if (!error_.empty()) {
      *error = "regex \"" + std::string(p_) + "\" is outside the supported RE2 subset: " + error_;
      return std::nullopt;
    }
    return r;
  }

 private:
  bool escaped_at(size_t pos) const {
    size_t n = 0;
    while (pos > n && p_[pos - n - 1] == '\\') ++n;
    return n % 2 == 1;
  }
  void fail(const std::string& why) {
    if (error_.empty()) error_ = why;
  }
  bool more() const { return i_ < p_.size() && error_.empty(); }

  std::optional<z3::expr> alternation() {
    std::vector<z3::expr> alts;
    auto first = concatenation();
    if (!first) return std::nullopt;
    alts.push_back(*first);
    while (more() && p_[i_] == '|') {
      ++i_;
      auto next = concatenation();
      if (!next) return std::nullopt;
      alts.push_back(*next);
    }
    return alts.size() == 1 ? alts[0] : re_union(c_, alts);
  }

  std::optional<z3::expr> concatenation() {
    std::vector<z3::expr> parts;
    while (more() && p_[i_] != '|' && p_[i_] != ')') {
      auto r = repetition();
      if (!r) return std::nullopt;
      parts.push_back(*r);
    }
    if (!error_.empty()) return std::nullopt;
    return re_concat(c_, parts);
  }

  std::optional<z3::expr> repetition() {
    auto r = atom();
    if (!r) return std::nullopt;
    while (more()) {
      char q = p_[i_];
      if (q == '*') {
        r = re_star(c_, *r);
      } else if (q == '+') {
        r = re_plus(c_, *r);
      } else if (q == '?') {
        r = re_wrap(c_, Z3_mk_re_option(c_, *r));
      } else if (q == '{') {
        size_t close = p_.find('}', i_);
        if (close == std::string_view::npos) break;  // a literal '{' in RE2
        std::string body(p_.substr(i_ + 1, close - i_ - 1));
        size_t comma = body.find(',');
        auto num = [](const std::string& s) -> std::optional<unsigned> {
          if (s.empty() || s.size() > 4 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
          return static_cast<unsigned>(std::stoul(s));
        };
        auto lo = num(comma == std::string::npos ? body : body.substr(0, comma));
        if (!lo) break;  // not a repetition: literal '{'
        std::optional<unsigned> hi = lo;
        if (comma != std::string::npos) {
          std::string h = body.substr(comma + 1);
          hi = h.empty() ? std::optional<unsigned>(0u) : num(h);
          if (!hi) break;
          if (!h.empty() && *hi < *lo) {
            fail("bad repetition {" + body + "}");
            return std::nullopt;
          }
          if (h.empty()) {  // {n,}: n copies then star
            std::vector<z3::expr> copies(*lo, *r);
            copies.push_back(re_star(c_, *r));
            r = re_concat(c_, copies);
            i_ = close + 1;
            if (more() && p_[i_] == '?') ++i_;
            continue;
          }
        }
        if (*hi == 0) {
          r = re_literal(c_, "");
        } else {
          r = re_wrap(c_, Z3_mk_re_loop(c_, *r, *lo, *hi));
        }
        i_ = close;
      } else {
        break;
      }
      ++i_;
      if (more() && p_[i_] == '?') ++i_;  // non-greedy: same language
    }
    return r;
  }

  std::optional<z3::expr> atom() {
    char ch = p_[i_];
    if (ch == '(') {
      ++i_;
      if (p_.substr(i_).starts_with("?:")) {
        i_ += 2;
      } else if (p_.substr(i_).starts_with("?P<")) {
        size_t close = p_.find('>', i_);
        if (close == std::string_view::npos) return fail("unterminated group name"), std::nullopt;
        i_ = close + 1;
      } else if (i_ < p_.size() && p_[i_] == '?') {
        return fail("flags and special groups"), std::nullopt;
      }
      auto r = alternation();
      if (!r) return std::nullopt;
      if (i_ >= p_.size() || p_[i_] != ')') return fail("missing ')'"), std::nullopt;
      ++i_;
      return r;
    }
    if (ch == '[') return char_class();
    if (ch == '.') {
      ++i_;
      Bytes b = all_bytes();
      b.reset('\n');
      return re_bytes(c_, b);
    }
    if (ch == '\\') {
      Bytes b;
      if (!escape(&b)) return std::nullopt;
      return re_bytes(c_, b);
    }
    if (ch == '*' || ch == '+' || ch == '?' || ch == ')')
      return fail("misplaced '" + std::string(1, ch) + "'"), std::nullopt;
    if (ch == '^' || ch == '$') return fail("anchor inside the pattern"), std::nullopt;
    ++i_;
    return re_literal(c_, std::string_view(&p_[i_ - 1], 1));
  }

  // Reads an escape at p_[i_] == '\\' into a byte set.
  bool escape(Bytes* out) {
    ++i_;
    if (i_ >= p_.size()) return fail("trailing '\\'"), false;
    char e = p_[i_++];
    auto range = [&](char lo, char hi) {
      for (int b = static_cast<unsigned char>(lo); b <= static_cast<unsigned char>(hi); ++b) out->set(b);
    };
    switch (e) {
      case 'd':
        range('0', '9');
        return true;
      case 'w':
        range('0', '9');
        range('a', 'z');
        range('A', 'Z');
        out->set('_');
        return true;
      case 's':
        for (char s : std::string_view("\t\n\f\r ")) out->set(static_cast<unsigned char>(s));
        return true;
      case 'D':
      case 'W':
      case 'S': {
        Bytes inner;
        char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(e)));
        if (lower == 'd')
          for (int b = '0'; b <= '9'; ++b) inner.set(b);
        if (lower == 'w') {
          for (int b = '0'; b <= '9'; ++b) inner.set(b);
          for (int b = 'a'; b <= 'z'; ++b) inner.set(b);
          for (int b = 'A'; b <= 'Z'; ++b) inner.set(b);
          inner.set('_');
        }
        if (lower == 's')
          for (char s : std::string_view("\t\n\f\r ")) inner.set(static_cast<unsigned char>(s));
        *out |= ~inner;
        return true;
      }
      case 'n':
        out->set('\n');
        return true;
      case 't':
        out->set('\t');
        return true;
      case 'r':
        out->set('\r');
        return true;
      case 'f':
        out->set('\f');
        return true;
      case 'v':
        out->set('\v');
        return true;
      case 'x': {
        if (i_ + 2 > p_.size() || !std::isxdigit(static_cast<unsigned char>(p_[i_])) ||
            !std::isxdigit(static_cast<unsigned char>(p_[i_ + 1])))
          return fail("unsupported \\x form"), false;
        out->set(std::stoi(std::string(p_.substr(i_, 2)), nullptr, 16));
        i_ += 2;
        return true;
      }
      default:
        if (std::isalnum(static_cast<unsigned char>(e))) return fail("escape \\" + std::string(1, e)), false;
        out->set(static_cast<unsigned char>(e));  // escaped punctuation is literal
        return true;
    }
  }

  std::optional<z3::expr> char_class() {
    ++i_;  // '['
    bool negate = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negate = true;
      ++i_;
    }
    Bytes set;
    bool first = true;
    while (true) {
      if (i_ >= p_.size()) return fail("missing ']'"), std::nullopt;
      char ch = p_[i_];
      if (ch == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (ch == '[' && i_ + 1 < p_.size() && p_[i_ + 1] == ':') return fail("POSIX classes"), std::nullopt;
      int lo;
      if (ch == '\\') {
        Bytes e;
        if (!escape(&e)) return std::nullopt;
        if (e.count() != 1) {
          set |= e;
          continue;
        }
        lo = 0;
        while (!e[lo]) ++lo;
      } else {
        lo = static_cast<unsigned char>(ch);
        ++i_;
      }
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        int hi;
        if (p_[i_] == '\\') {
          Bytes e;
          if (!escape(&e)) return std::nullopt;
          if (e.count() != 1) return fail("class range to a class"), std::nullopt;
          hi = 0;
          while (!e[hi]) ++hi;
        } else {
          hi = static_cast<unsigned char>(p_[i_++]);
        }
        if (hi < lo) return fail("bad class range"), std::nullopt;
        for (int b = lo; b <= hi; ++b) set.set(b);
      } else {
        set.set(lo);
      }
    }
    if (negate) {
      set = ~set;
      set.reset('\n');  // RE2: a negated class does not match '\n' unless the class names it
    }
    return re_bytes(c_, set);
  }

  z3::context& c_;
  std::string_view p_;
  size_t i_ = 0;
  std::string error_;
};

// The meaning of one atom on a defined string expression, or nullopt (with a reason) when it cannot be
// written in the sequence theory.
std::optional<z3::expr> seq_atom(z3::context& c, const StrAtom& a, const z3::expr& s, std::string* reason) {
  switch (a.op) {
    case StrOp::Exact:
      return s == str_val(c, a.value);
    case StrOp::Prefix:
      return z3::prefixof(str_val(c, a.value), s);
    case StrOp::Suffix:
      return z3::suffixof(str_val(c, a.value), s);
    case StrOp::Present:
      return c.bool_val(true);
    case StrOp::NonEmpty:
      return s.length() > 0;
    case StrOp::Glob:
      return z3::in_re(s, glob_re(c, a.value));
    case StrOp::PathTemplate:
      return z3::in_re(s, template_re(c, a.value));
    case StrOp::Regex: {
      auto re = RegexReader(c, a.value).read(reason);
      if (!re) return std::nullopt;
      return z3::in_re(s, *re);
    }
  }
  return std::nullopt;
}

// The domain's restrictions on one defined string. Excluded characters are written as "does not
// contain c" (the equivalent regex ([^c])* is slower still), and only on a second attempt: Z3 4.8.12's
// sequence solver can time out on e.g. prefix "aab" ∧ suffix "/" ∧ no '/', which is trivially unsat.
z3::expr seq_domain(z3::context& c, const StrDomain& d, const z3::expr& s, bool restrict_chars) {
  z3::expr out = c.bool_val(true);
  if (d.empty_is_absent) out = out && s.length() > 0;
  if (!restrict_chars) return out;
  std::string banned = d.forbidden_chars;
  if (d.lower_case)
    for (char ch = 'A'; ch <= 'Z'; ++ch) banned += ch;
  for (char ch : banned) out = out && !s.contains(str_val(c, std::string_view(&ch, 1)));
  // Printable ASCII only: a witness is printed, replayed on a command line and written into JSON, which
  // needs UTF-8; Z3's characters above 0x7F are single bytes, not UTF-8 (fuzz_check found a namespace
  // "p\xffw\xffoduction" that made the JSON writer throw).
  return out && z3::in_re(s, z3::star(z3::range(str_val(c, " "), str_val(c, "~"))));
}

std::string model_string(z3::context& c, const z3::model& m, const z3::expr& s) {
  z3::expr v = m.eval(s, true);
  unsigned n = 0;
  const char* p = Z3_get_lstring(c, v, &n);
  c.check_error();
  return std::string(p, n);
}

// Printable ASCII (what seq_domain's second attempt asks for).
bool printable(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= ' ' && ch <= '~'; });
}

bool realizes_constraint(const StrAssignment& asg, const AttributeConstraint& k) {
  if (k.defined && *k.defined != asg.defined) return false;
  for (size_t i = 0; i < k.atom.size(); ++i)
    if (k.atom[i] && *k.atom[i] != asg.atom_true[i]) return false;
  return true;
}

}  // namespace

namespace {

// One attribute in the sequence theory: `slots` string variables (one for a single value; for a set, one
// per atom, at least one), whether each is in the value, and each atom's truth over them.
struct SeqProblem {
  std::vector<z3::expr> elems, in, truth;
  std::optional<z3::expr> defined;
};

// Declares the problem's variables and domain in `solver`; nullopt (with `reason`) for an atom the
// sequence theory cannot state.
std::optional<SeqProblem> seq_problem(z3::context& c, z3::solver& solver, const std::vector<StrAtom>& atoms,
                                      const StrDomain& domain, bool restrict_chars, std::string* reason) {
  SeqProblem p;
  const size_t n = atoms.size();
  const size_t slots = domain.set_valued ? std::max<size_t>(1, n) : 1;
  for (size_t k = 0; k < slots; ++k) {
    p.elems.push_back(c.string_const(("e" + std::to_string(k)).c_str()));
    p.in.push_back(domain.set_valued ? c.bool_const(("in" + std::to_string(k)).c_str()) : c.bool_const("defined"));
    solver.add(z3::implies(p.in[k], seq_domain(c, domain, p.elems[k], restrict_chars)));
  }
  z3::expr defined = c.bool_val(false);
  for (const auto& x : p.in) defined = defined || x;
  p.defined = defined;
  for (size_t i = 0; i < n; ++i) {
    z3::expr t = c.bool_val(false);
    for (size_t k = 0; k < slots; ++k) {
      auto sem = seq_atom(c, atoms[i], p.elems[k], reason);
      if (!sem) return std::nullopt;
      t = t || (p.in[k] && *sem);
    }
    p.truth.push_back(t);
  }
  return p;
}

// Checks the constrained polarities, each tracked by an assumption literal so that an Unsat answer names
// the polarities that conflict (the engine turns them into a lemma). Sat: `out` is untouched.
z3::check_result check_polarities(z3::context& c, z3::solver& solver, const SeqProblem& p,
                                  const AttributeConstraint& constraint, AttributeSolution& out) {
  const size_t n = p.truth.size();
  z3::expr_vector assumptions(c);
  std::vector<uint32_t> tracked;
  auto track = [&](uint32_t var, const z3::expr& e, bool polarity) {
    z3::expr lit = c.bool_const(("k" + std::to_string(var)).c_str());
    solver.add(z3::implies(lit, polarity ? e : !e));
    assumptions.push_back(lit);
    tracked.push_back(var);
  };
  for (size_t i = 0; i < constraint.atom.size() && i < n; ++i)
    if (constraint.atom[i]) track(static_cast<uint32_t>(i), p.truth[i], *constraint.atom[i]);
  if (constraint.defined) track(static_cast<uint32_t>(n), *p.defined, *constraint.defined);

  z3::check_result r = solver.check(assumptions);
  if (r == z3::unsat) {
    out.answer = SatAnswer::Unsat;
    z3::expr_vector core = solver.unsat_core();
    for (unsigned j = 0; j < core.size(); ++j)
      for (size_t t = 0; t < tracked.size(); ++t)
        if (z3::eq(core[j], assumptions[static_cast<unsigned>(t)])) out.core.push_back(tracked[t]);
  } else if (r == z3::unknown) {
    out.answer = SatAnswer::Unknown;
    out.reason = "sequence theory: " + detail::reason_unknown(solver);
  }
  return r;
}

void read_value(z3::context& c, const z3::model& m, const SeqProblem& p, const StrDomain& domain,
                AttributeSolution& out) {
  if (domain.set_valued) {
    for (size_t k = 0; k < p.elems.size(); ++k) {
      if (!m.eval(p.in[k], true).is_true()) continue;
      std::string e = model_string(c, m, p.elems[k]);
      if (std::find(out.elements.begin(), out.elements.end(), e) == out.elements.end())
        out.elements.push_back(std::move(e));
    }
  } else if (m.eval(p.in[0], true).is_true()) {
    out.value = model_string(c, m, p.elems[0]);
  }
}

// The concrete semantics is the judge: recompute every truth from the value.
AttributeSolution recheck(const std::vector<StrAtom>& atoms, const StrDomain& domain,
                          const AttributeConstraint& constraint, AttributeSolution out, bool* out_of_domain) {
  out.assignment.atom_true.resize(atoms.size());
  out.assignment.defined = domain.set_valued ? !out.elements.empty() : out.value.has_value();
  for (size_t i = 0; i < atoms.size(); ++i)
    out.assignment.atom_true[i] = domain.set_valued ? str_atom_holds_on_set(atoms[i], out.elements)
                                                    : (out.value && str_atom_holds(atoms[i], *out.value));
  bool in_dom = domain.set_valued ? set_value_realizes(atoms, out.assignment, domain, out.elements)
                                  : string_value_realizes(atoms, out.assignment, domain, out.value);
  in_dom = in_dom && printable(out.value.value_or("")) &&
           std::all_of(out.elements.begin(), out.elements.end(), [](const std::string& e) { return printable(e); });
  if (!in_dom || !realizes_constraint(out.assignment, constraint)) {
    *out_of_domain = !in_dom;
    out.answer = SatAnswer::Unknown;
    out.reason = "the sequence theory's model does not satisfy the constraint under the concrete semantics";
    out.value.reset();
    out.elements.clear();
    return out;
  }
  out.answer = SatAnswer::Sat;
  return out;
}

// One attempt. Without the character restrictions the problem is weaker: its Unsat is still sound, and
// a Sat value is checked against the domain afterwards (`*out_of_domain` tells the caller to retry with
// the restrictions).
AttributeSolution solve_once(const std::vector<StrAtom>& atoms, const StrDomain& domain,
                             const AttributeConstraint& constraint, unsigned timeout_ms, bool restrict_chars,
                             bool* out_of_domain) {
  AttributeSolution out;
  z3::context& c = detail::sequence_context();
  try {
    z3::solver solver(c, z3::solver::simple());  // the SMT core: the default solver spends milliseconds on setup
    detail::configure(solver, timeout_ms);
    std::optional<SeqProblem> p = seq_problem(c, solver, atoms, domain, restrict_chars, &out.reason);
    if (!p) {
      out.answer = SatAnswer::Unknown;
      return out;
    }
    if (check_polarities(c, solver, *p, constraint, out) != z3::sat) return out;
    read_value(c, solver.get_model(), *p, domain, out);
  } catch (const z3::exception& e) {
    out.answer = SatAnswer::Unknown;
    out.reason = std::string("sequence theory: ") + e.msg();
    return out;
  }
  return recheck(atoms, domain, constraint, std::move(out), out_of_domain);
}

}  // namespace

AttributeSolution solve_with_sequence_theory(const std::vector<StrAtom>& atoms, const StrDomain& domain,
                                             const AttributeConstraint& constraint, unsigned timeout_ms) {
  bool out_of_domain = false;
  AttributeSolution first = solve_once(atoms, domain, constraint, timeout_ms, false, &out_of_domain);
  if (!out_of_domain) return first;
  return solve_once(atoms, domain, constraint, timeout_ms, true, &out_of_domain);
}

AttributeSolution solve_with_boolean_encoding(const std::vector<StrAtom>& atoms, const StrDomain& domain,
                                              const AttributeConstraint& constraint, unsigned timeout_ms,
                                              bool linear_axioms) {
  AttributeSolution out;
  z3::context& c = detail::thread_context();
  const size_t n = atoms.size();
  StrAssignment asg;
  try {
    z3::solver solver(c, z3::solver::simple());  // the SMT core: the default solver spends milliseconds on setup
    detail::configure(solver, timeout_ms);
    StrEncoding enc;
    if (linear_axioms)
      enc = string_axioms_linear(atoms, domain);
    else
      enc.clauses = string_axioms(atoms, domain);
    std::vector<z3::expr> vars;
    for (size_t i = 0; i <= n + enc.aux_vars; ++i) vars.push_back(c.bool_const(("b" + std::to_string(i)).c_str()));
    for (const StrClause& cl : enc.clauses) solver.add(detail::clause_expr(c, cl, vars));
    for (size_t i = 0; i < constraint.atom.size() && i < n; ++i)
      if (constraint.atom[i]) solver.add(*constraint.atom[i] ? vars[i] : !vars[i]);
    if (constraint.defined) solver.add(*constraint.defined ? vars[n] : !vars[n]);
    switch (solver.check()) {
      case z3::unsat:
        out.answer = SatAnswer::Unsat;
        return out;
      case z3::unknown:
        out.answer = SatAnswer::Unknown;
        out.reason = detail::reason_unknown(solver);
        return out;
      case z3::sat:
        break;
    }
    z3::model m = solver.get_model();
    asg.atom_true.resize(n);
    for (size_t i = 0; i < n; ++i) asg.atom_true[i] = m.eval(vars[i], true).is_true();
    asg.defined = m.eval(vars[n], true).is_true();
  } catch (const z3::exception& e) {
    out.answer = SatAnswer::Unknown;
    out.reason = e.msg();
    return out;
  }
  WitnessStatus status;
  std::string error;
  if (domain.set_valued) {
    SetWitness w = build_set_witness(atoms, asg, domain);
    status = w.status;
    error = w.error;
    out.elements = w.elements;
  } else {
    StringWitness w = build_string_witness(atoms, asg, domain);
    status = w.status;
    error = w.error;
    out.value = w.value;
  }
  if (status == WitnessStatus::NeedsTheory) {
    // The Boolean model fixed every atom; let the sequence theory find a value with those polarities.
    AttributeConstraint full;
    for (size_t i = 0; i < n; ++i) full.atom.push_back(asg.atom_true[i]);
    full.defined = asg.defined;
    AttributeSolution s = solve_with_sequence_theory(atoms, domain, full, timeout_ms);
    if (s.answer != SatAnswer::Sat) {
      out.answer = SatAnswer::Unknown;
      out.reason = "opaque atoms: the Boolean model's polarities are " +
                   std::string(s.answer == SatAnswer::Unsat ? "impossible (a refinement loop would block them)"
                                                            : "undecided: " + s.reason);
      return out;
    }
    return s;
  }
  if (status == WitnessStatus::Failed) {
    out.answer = SatAnswer::Unknown;
    out.reason = error;
    return out;
  }
  out.answer = SatAnswer::Sat;
  out.assignment = asg;
  return out;
}

}  // namespace meshproof::engine
