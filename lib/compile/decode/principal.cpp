// authenticated.principal_name → peer identity atoms.
//
// Envoy matches principal_name against the peer certificate's URI SAN, which for a mesh workload is
//   S = "spiffe://" TD "/ns/" NS "/sa/" SA        (TD, NS, SA non-empty, without '/': ir.h)
// i.e. seven '/'-separated segments: "spiffe:", "", TD, "ns", NS, "sa", SA. A matcher that is a "glob" —
// literals, `.` (one character), `.*` (any run, '/' included), `[^/]*` (a run without '/'), alternation
// and `?` over groups, which is every shape Istio emits (exact, prefix, `spiffe://.*x` suffix, `.+`,
// `.*/ns/<glob>/.*`, `spiffe://.+/ns/N/(.+/|)sa/S(/.+)?`, `spiffe://pre[^/]*post/.*`; IS §5) — is decided
// segment by segment: every way of laying the glob's tokens over the segment structure (a '/' token on a
// segment boundary, a `.*` spanning 0..k boundaries, `.` as either a boundary or one character) gives a
// per-segment pattern; constant segments are checked on the spot, and each variable segment's pattern is
// one atom (exact, prefix, suffix, glob, or nothing). The OR over all layouts is exactly the set of
// identities the matcher accepts. Patterns the IR cannot state exactly (a fixed length, "one character
// then a suffix") are refused with an error.
#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <set>

#include "compile/decode/decode.h"
#include "compile/decode/internal.h"
#include "load/node.h"

namespace meshproof::compile {

namespace {

using ir::Attribute;

// Tokens of a glob over the whole identity.
enum class T : uint8_t { Lit, Any, Star, SegChar, SegStar };
struct Tok {
  T t;
  char c = 0;
};
using Seq = std::vector<Tok>;

constexpr size_t kMaxAlternatives = 256;

// A recursive-descent reader for the RE2 subset above. Alternatives are expanded into token sequences.
class RegexReader {
 public:
  explicit RegexReader(const std::string& re) : re_(re) {}

  bool read(std::vector<Seq>& out, std::string& error) {
    size_t start = 0, end = re_.size();
    if (start < end && re_[start] == '^') ++start;
    if (end > start && re_[end - 1] == '$' && (end < 2 || re_[end - 2] != '\\')) --end;
    pos_ = start;
    end_ = end;
    if (!alt(out)) {
      error = error_.empty() ? "unsupported regex" : error_;
      return false;
    }
    if (pos_ != end_) {
      error = "unsupported regex syntax at offset " + std::to_string(pos_);
      return false;
    }
    return true;
  }

 private:
  bool fail(std::string e) {
    if (error_.empty()) error_ = std::move(e);
    return false;
  }

  bool alt(std::vector<Seq>& out) {
    std::vector<Seq> all;
    while (true) {
      std::vector<Seq> one;
      if (!seq(one)) return false;
      all.insert(all.end(), one.begin(), one.end());
      if (all.size() > kMaxAlternatives) return fail("too many alternatives");
      if (pos_ < end_ && re_[pos_] == '|') {
        ++pos_;
        continue;
      }
      break;
    }
    out = std::move(all);
    return true;
  }

  static std::vector<Seq> product(const std::vector<Seq>& a, const std::vector<Seq>& b) {
    std::vector<Seq> out;
    for (const auto& x : a)
      for (const auto& y : b) {
        Seq s = x;
        s.insert(s.end(), y.begin(), y.end());
        out.push_back(std::move(s));
      }
    return out;
  }

  bool seq(std::vector<Seq>& out) {
    out = {Seq{}};
    while (pos_ < end_ && re_[pos_] != '|' && re_[pos_] != ')') {
      std::vector<Seq> item;
      if (!atom(item)) return false;
      out = product(out, item);
      if (out.size() > kMaxAlternatives) return fail("too many alternatives");
    }
    return true;
  }

  bool atom(std::vector<Seq>& out) {
    char c = re_[pos_];
    if (c == '(') {
      ++pos_;
      if (re_.compare(pos_, 2, "?:") == 0) pos_ += 2;
      std::vector<Seq> inner;
      if (!alt(inner)) return false;
      if (pos_ >= end_ || re_[pos_] != ')') return fail("unbalanced parenthesis");
      ++pos_;
      if (pos_ < end_ && re_[pos_] == '?') {
        ++pos_;
        inner.push_back(Seq{});
      } else if (pos_ < end_ && (re_[pos_] == '*' || re_[pos_] == '+' || re_[pos_] == '{')) {
        return fail("repetition of a group is not supported");
      }
      out = std::move(inner);
      return true;
    }
    if (c == '.') {
      ++pos_;
      return quantified(T::Any, T::Star, 0, out);
    }
    if (re_.compare(pos_, 4, "[^/]") == 0) {
      pos_ += 4;
      return quantified(T::SegChar, T::SegStar, 0, out);
    }
    if (c == '[' || c == '{' || c == '*' || c == '+' || c == '?' || c == '^' || c == '$')
      return fail(std::string("unsupported regex construct '") + c + "'");
    char lit = c;
    if (c == '\\') {
      if (pos_ + 1 >= end_) return fail("dangling escape");
      lit = re_[pos_ + 1];
      if (std::isalnum(static_cast<unsigned char>(lit))) return fail(std::string("unsupported escape \\") + lit);
      ++pos_;
    }
    ++pos_;
    if (pos_ < end_ && (re_[pos_] == '*' || re_[pos_] == '+' || re_[pos_] == '?' || re_[pos_] == '{'))
      return fail("a quantifier on a literal character is not supported");
    out = {Seq{Tok{T::Lit, lit}}};
    return true;
  }

  // `.`/`[^/]` with an optional quantifier.
  bool quantified(T one, T many, char, std::vector<Seq>& out) {
    if (pos_ < end_ && re_[pos_] == '*') {
      ++pos_;
      out = {Seq{Tok{many}}};
    } else if (pos_ < end_ && re_[pos_] == '+') {
      ++pos_;
      out = {Seq{Tok{one}, Tok{many}}};
    } else if (pos_ < end_ && re_[pos_] == '?') {
      ++pos_;
      out = {Seq{Tok{one}}, Seq{}};
    } else if (pos_ < end_ && re_[pos_] == '{') {
      return fail("counted repetition is not supported");
    } else {
      out = {Seq{Tok{one}}};
    }
    if (pos_ < end_ && re_[pos_] == '?') return fail("lazy quantifiers are not supported");
    return true;
  }

  const std::string& re_;
  size_t pos_ = 0, end_ = 0;
  std::string error_;
};

// A pattern over one segment: literal characters, One (exactly one character), Many (any run).
enum class P : uint8_t { Lit, One, Many };
struct PTok {
  P p;
  char c = 0;
};
using Pattern = std::vector<PTok>;

bool pattern_matches(const Pattern& pat, size_t pi, const std::string& s, size_t si) {
  if (pi == pat.size()) return si == s.size();
  switch (pat[pi].p) {
    case P::Lit:
      return si < s.size() && s[si] == pat[pi].c && pattern_matches(pat, pi + 1, s, si + 1);
    case P::One:
      return si < s.size() && pattern_matches(pat, pi + 1, s, si + 1);
    case P::Many:
      for (size_t k = si; k <= s.size(); ++k)
        if (pattern_matches(pat, pi + 1, s, k)) return true;
      return false;
  }
  return false;
}

// The seven segments of a mesh identity URI; nullptr marks a variable part.
struct Seg {
  const char* constant;
  Attribute attr;
};
const Seg kSegs[7] = {{"spiffe:", Attribute::PeerTrustDomain}, {"", Attribute::PeerTrustDomain},
                      {nullptr, Attribute::PeerTrustDomain},   {"ns", Attribute::PeerTrustDomain},
                      {nullptr, Attribute::PeerNamespace},     {"sa", Attribute::PeerTrustDomain},
                      {nullptr, Attribute::PeerServiceAccount}};

// One variable segment's pattern as an atom; `none` when it constrains nothing beyond presence.
// false when it is not expressible.
bool pattern_atom(Attribute attr, Pattern pat, std::optional<ir::Atom>& atom, bool& never, std::string& error) {
  // Collapse runs of Many.
  Pattern p;
  for (const auto& t : pat)
    if (!(t.p == P::Many && !p.empty() && p.back().p == P::Many)) p.push_back(t);
  size_t ones = 0, manys = 0, lits = 0;
  for (const auto& t : p) {
    if (t.p == P::One) ++ones;
    if (t.p == P::Many) ++manys;
    if (t.p == P::Lit) ++lits;
  }
  atom.reset();
  never = false;
  if (ones > 0) {
    // "one character and any run" on a non-empty part is just presence; other lengths are not in the IR.
    if (lits == 0 && ones == 1 && manys > 0) return true;
    error = "a principal pattern with a fixed number of characters in one segment is not expressible";
    return false;
  }
  std::string text;
  for (const auto& t : p)
    if (t.p == P::Lit) text.push_back(t.c);
  if (manys == 0) {
    if (text.empty())
      never = true;  // parts are never empty
    else
      atom = ir::make_atom(attr, ir::Op::Exact, text);
    return true;
  }
  if (lits == 0) return true;  // "*": any (non-empty) part
  if (text.find('*') != std::string::npos) {
    error = "a literal '*' next to a wildcard in a principal pattern is not expressible";
    return false;
  }
  if (manys == 1 && p.back().p == P::Many) {
    atom = ir::make_atom(attr, ir::Op::Prefix, text);
    return true;
  }
  if (manys == 1 && p.front().p == P::Many) {
    atom = ir::make_atom(attr, ir::Op::Suffix, text);
    return true;
  }
  std::string glob;
  for (const auto& t : p) glob.push_back(t.p == P::Many ? '*' : t.c);
  atom = ir::make_atom(attr, ir::Op::Glob, glob);
  return true;
}

class Layout {
 public:
  Layout(const Seq& toks, std::set<std::vector<ir::Atom>>& results, std::string& error)
      : toks_(toks), results_(results), error_(error) {}

  bool run() {
    Pattern cur;
    go(0, 0, cur);
    return ok_;
  }

 private:
  // Closes segment si with `pat`: false when the layout is impossible.
  bool close(size_t si, const Pattern& pat) {
    if (kSegs[si].constant) return pattern_matches(pat, 0, kSegs[si].constant, 0);
    vars_[si] = pat;
    return true;
  }

  void emit() {
    std::vector<ir::Atom> atoms;
    for (size_t si : {2u, 4u, 6u}) {
      std::optional<ir::Atom> a;
      bool never = false;
      if (!pattern_atom(kSegs[si].attr, vars_[si], a, never, error_)) {
        ok_ = false;
        return;
      }
      if (never) return;
      if (a) atoms.push_back(*a);
    }
    if (atoms.empty()) atoms.push_back(ir::make_atom(Attribute::PeerTrustDomain, ir::Op::Present));
    std::sort(atoms.begin(), atoms.end());
    atoms.erase(std::unique(atoms.begin(), atoms.end()), atoms.end());
    results_.insert(atoms);
  }

  void boundary(size_t ti, size_t si, const Pattern& cur) {
    if (si == 6) return;
    if (!close(si, cur)) return;
    go(ti, si + 1, Pattern{});
  }

  void go(size_t ti, size_t si, Pattern cur) {
    if (!ok_) return;
    if (++steps_ > 200000) {
      error_ = "principal pattern too complex";
      ok_ = false;
      return;
    }
    if (ti == toks_.size()) {
      if (si == 6 && close(6, cur)) emit();
      return;
    }
    const Tok& t = toks_[ti];
    switch (t.t) {
      case T::Lit:
        if (t.c == '/') {
          boundary(ti + 1, si, cur);
        } else {
          cur.push_back({P::Lit, t.c});
          go(ti + 1, si, cur);
        }
        break;
      case T::Any: {
        Pattern one = cur;
        one.push_back({P::One});
        go(ti + 1, si, one);
        boundary(ti + 1, si, cur);  // `.` matching the '/' itself
        break;
      }
      case T::SegChar:
        cur.push_back({P::One});
        go(ti + 1, si, cur);
        break;
      case T::SegStar:
        cur.push_back({P::Many});
        go(ti + 1, si, cur);
        break;
      case T::Star: {
        Pattern here = cur;
        here.push_back({P::Many});
        go(ti + 1, si, here);
        // Spanning m boundaries: the rest of segment si, m-1 whole segments, the start of si+m.
        for (size_t m = 1; si + m <= 6; ++m) {
          if (!close(si, here)) break;
          bool fine = true;
          for (size_t k = si + 1; k < si + m; ++k)
            if (!close(k, Pattern{{P::Many}})) fine = false;
          if (fine) go(ti + 1, si + m, Pattern{{P::Many}});
          if (!ok_) return;
        }
        break;
      }
    }
  }

  const Seq& toks_;
  std::set<std::vector<ir::Atom>>& results_;
  std::string& error_;
  Pattern vars_[7];
  bool ok_ = true;
  size_t steps_ = 0;
};

bool decode_sequences(const std::vector<Seq>& seqs, std::vector<ir::Term>& terms, std::string& error) {
  std::set<std::vector<ir::Atom>> results;
  for (const auto& s : seqs) {
    Layout l(s, results, error);
    if (!l.run()) return false;
  }
  terms.clear();
  // A term whose atoms include every atom of another term is implied by it: keep the weaker one only.
  std::vector<std::vector<ir::Atom>> all(results.begin(), results.end());
  for (size_t i = 0; i < all.size(); ++i) {
    bool subsumed = false;
    for (size_t j = 0; j < all.size() && !subsumed; ++j) {
      if (i == j || all[j].size() >= all[i].size()) continue;
      subsumed = std::includes(all[i].begin(), all[i].end(), all[j].begin(), all[j].end());
    }
    if (subsumed) continue;
    ir::Term t;
    t.atoms = all[i];
    terms.push_back(std::move(t));
  }
  return true;
}

Seq literal(const std::string& s) {
  Seq out;
  for (char c : s) out.push_back(Tok{T::Lit, c});
  return out;
}

}  // namespace

bool decode_principal_regex(const std::string& regex, std::vector<ir::Term>& terms, std::string& error) {
  std::vector<Seq> seqs;
  RegexReader r(regex);
  if (!r.read(seqs, error)) {
    error = "principal regex \"" + regex + "\": " + error;
    return false;
  }
  if (!decode_sequences(seqs, terms, error)) {
    error = "principal regex \"" + regex + "\": " + error;
    return false;
  }
  return true;
}

bool decode_principal_literal(const std::string& kind, const std::string& v, std::vector<ir::Term>& terms,
                              std::string& error) {
  Seq s;
  if (kind == "exact")
    s = literal(v);
  else if (kind == "prefix") {
    s = literal(v);
    s.push_back(Tok{T::Star});
  } else if (kind == "suffix") {
    s.push_back(Tok{T::Star});
    Seq l = literal(v);
    s.insert(s.end(), l.begin(), l.end());
  } else if (kind == "contains") {
    s.push_back(Tok{T::Star});
    Seq l = literal(v);
    s.insert(s.end(), l.begin(), l.end());
    s.push_back(Tok{T::Star});
  } else {
    error = "unsupported principal matcher " + kind;
    return false;
  }
  return decode_sequences({s}, terms, error);
}

}  // namespace meshproof::compile
