// Value lowering: what one value written in an AuthorizationPolicy matches, as IR terms, mirroring the
// matcher Istio's builder generates for its field (IS §5), and the trust-domain aliasing of principal
// values. Source references for each rule are in docs/semantics.md, section `ir`.
#include <algorithm>

#include "base/text.h"
#include "ir/lower.h"
#include "ir/lower_values.h"
#include "ir/values.h"

namespace meshproof::ir {

namespace {

// ---------------------------------------------------------------------------------------------------
// Peer identity parts (lowering-time constant folding)
// ---------------------------------------------------------------------------------------------------

Term false_term() { return Term::constant(false); }

Term atom_term(Atom a) {
  Term t;
  t.atoms.push_back(std::move(a));
  return t;
}

// Peer identity parts never contain '/' and are never empty (ir.h): an atom that would need either
// is folded to false here.
bool peer_value_ok(const std::string& v) { return v.find('/') == std::string::npos; }

// A glob over one peer identity part, simplified to exact/prefix/suffix/present when it fits.
Term peer_glob_term(Attribute attr, const std::string& pattern) {
  if (!peer_value_ok(pattern)) return false_term();
  size_t first = pattern.find('*');
  if (first == std::string::npos) {
    if (pattern.empty()) return false_term();
    return atom_term(make_atom(attr, Op::Exact, pattern));
  }
  size_t lead = pattern.find_first_not_of('*');
  if (lead == std::string::npos) return atom_term(make_atom(attr, Op::Present));
  size_t trail = pattern.find_last_not_of('*');
  std::string core = pattern.substr(lead, trail - lead + 1);
  if (core.find('*') == std::string::npos) {
    if (lead == 0) return atom_term(make_atom(attr, Op::Prefix, core));                    // "abc*"
    if (trail == pattern.size() - 1) return atom_term(make_atom(attr, Op::Suffix, core));  // "*abc"
  }
  return atom_term(make_atom(attr, Op::Glob, pattern));
}

// The SPIFFE id `TD/ns/NS/sa/SA` as five segments: variables and the two constant keywords.
struct Segment {
  bool variable;
  Attribute attr;
  const char* constant;
};
const Segment kSegments[5] = {{true, Attribute::PeerTrustDomain, nullptr},
                              {false, Attribute::PeerTrustDomain, "ns"},
                              {true, Attribute::PeerNamespace, nullptr},
                              {false, Attribute::PeerTrustDomain, "sa"},
                              {true, Attribute::PeerServiceAccount, nullptr}};

// seg == text exactly; false when impossible.
bool add_segment_exact(Term& t, const Segment& seg, const std::string& text) {
  if (!seg.variable) return text == seg.constant;
  if (text.empty()) return false;
  t.atoms.push_back(make_atom(seg.attr, Op::Exact, text));
  return true;
}

Term principal_exact(const std::string& v) {
  auto parts = split(v, '/');
  if (parts.size() != 5) return false_term();
  Term t;
  for (size_t i = 0; i < 5; ++i)
    if (!add_segment_exact(t, kSegments[i], parts[i])) return false_term();
  return t;
}

// The principal starts with p.
Term principal_prefix(const std::string& p) {
  auto parts = split(p, '/');
  size_t k = parts.size() - 1;
  if (k > 4) return false_term();
  Term t;
  for (size_t i = 0; i < k; ++i)
    if (!add_segment_exact(t, kSegments[i], parts[i])) return false_term();
  const Segment& last = kSegments[k];
  if (!last.variable) {
    if (!std::string_view(last.constant).starts_with(parts[k])) return false_term();
  } else if (!parts[k].empty()) {
    t.atoms.push_back(make_atom(last.attr, Op::Prefix, parts[k]));
  } else if (t.atoms.empty()) {
    t.atoms.push_back(make_atom(last.attr, Op::Present));
  }
  if (t.atoms.empty()) t.atoms.push_back(make_atom(Attribute::PeerTrustDomain, Op::Present));
  return t;
}

// The principal ends with q.
Term principal_suffix(const std::string& q) {
  auto parts = split(q, '/');
  size_t m = parts.size() - 1;
  if (m > 4) return false_term();
  Term t;
  for (size_t j = 1; j <= m; ++j)
    if (!add_segment_exact(t, kSegments[4 - m + j], parts[j])) return false_term();
  const Segment& first = kSegments[4 - m];
  if (!first.variable) {
    if (!std::string_view(first.constant).ends_with(parts[0])) return false_term();
  } else if (!parts[0].empty()) {
    t.atoms.push_back(make_atom(first.attr, Op::Suffix, parts[0]));
  }
  if (t.atoms.empty()) t.atoms.push_back(make_atom(Attribute::PeerTrustDomain, Op::Present));
  return t;
}

// One half (issuer or subject) of a requestPrincipals value; nullopt when it can never match.
std::optional<Atom> jwt_part_atom(Attribute attr, const StringPattern& p) {
  switch (p.kind) {
    case StringPattern::Any:
      return make_atom(attr, Op::Present);
    case StringPattern::Exact:
      if (p.text.empty()) return std::nullopt;  // exact "" never matches: empty claims read as absent (ir.h)
      return make_atom(attr, Op::Exact, p.text);
    case StringPattern::Suffix:
    case StringPattern::Prefix:
      // A suffix/prefix with an empty operand is just presence.
      if (p.text.empty()) return make_atom(attr, Op::Present);
      return make_atom(attr, p.kind == StringPattern::Suffix ? Op::Suffix : Op::Prefix, p.text);
  }
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Value lowering
// ---------------------------------------------------------------------------------------------------

Term lower_principal(const std::string& v, ValueNote* note) {
  // StringMatcherWithPrefix("spiffe://"): `*` → `.+`, `*x` → suffix, `x*` → prefix, else exact (IS §5).
  StringPattern p = string_pattern(v);
  Term t;
  switch (p.kind) {
    case StringPattern::Any:
      t = atom_term(make_atom(Attribute::PeerTrustDomain, Op::Present));
      break;
    case StringPattern::Suffix:
      t = principal_suffix(p.text);
      break;
    case StringPattern::Prefix:
      t = principal_prefix(p.text);
      break;
    case StringPattern::Exact:
      t = principal_exact(p.text);
      break;
  }
  if (t.is_false && note) {
    note->set = true;
    note->kind = DropKind::ValueUnmatchable;
    note->reason =
        "principal \"" + v + "\" cannot match a mesh identity, which always has the shape TD/ns/NAMESPACE/sa/ACCOUNT";
  }
  t.source_value = v;
  return t;
}

std::vector<Term> lower_namespace(const std::string& v, ValueNote* note) {
  // Istio: regex `.*/ns/G/.*` on the principal, G = v with every `*` → `.*` (IS §5). On
  // P = TD/ns/N/sa/S (no '/' inside parts) "/ns/" occurs after TD, and again after N iff N == "ns", so
  //   match ⇔ G~N  ∨  G~(N + "/sa")  ∨  (N == "ns" ∧ G~"sa").
  std::vector<Term> terms;
  auto add = [&](Term t) {
    if (t.is_false) return;
    for (const auto& e : terms)
      if (e.atoms == t.atoms) return;
    terms.push_back(std::move(t));
  };
  Term main = peer_glob_term(Attribute::PeerNamespace, v);
  add(main);
  size_t main_count = terms.size();
  // G~(N + "/sa"): split G = G1 G2 with G2 ~ "/sa" and G1 ~ N; a '*' may straddle the split, which is
  // G1 = G[..j] (ending in that '*') and G2 = "*" + G[j+1..].
  for (size_t i = 0; i <= v.size(); ++i)
    if (glob_match(v.substr(i), "/sa")) add(peer_glob_term(Attribute::PeerNamespace, v.substr(0, i)));
  for (size_t j = 0; j < v.size(); ++j)
    if (v[j] == '*' && glob_match("*" + v.substr(j + 1), "/sa"))
      add(peer_glob_term(Attribute::PeerNamespace, v.substr(0, j + 1)));
  if (glob_match(v, "sa")) add(atom_term(make_atom(Attribute::PeerNamespace, Op::Exact, "ns")));

  // Drop extra terms the main term already covers, so that the common case stays one atom.
  auto covered = [&](const Term& extra) {
    if (main.is_false || main.atoms.size() != 1 || extra.atoms.size() != 1) return false;
    const Atom& m = main.atoms[0];
    const Atom& e = extra.atoms[0];
    if (m.op == Op::Present) return true;
    if (e.op != Op::Exact) return m == e;
    switch (m.op) {
      case Op::Exact:
        return e.value == m.value;
      case Op::Prefix:
        return e.value.starts_with(m.value);
      case Op::Suffix:
        return e.value.ends_with(m.value);
      case Op::Glob:
        return glob_match(m.value, e.value);
      default:
        return false;
    }
  };
  std::vector<Term> kept(terms.begin(), terms.begin() + static_cast<long>(main_count));
  bool widened = false;
  for (size_t i = main_count; i < terms.size(); ++i)
    if (!covered(terms[i])) {
      kept.push_back(terms[i]);
      widened = true;
    }
  if (note && (widened || kept.empty())) {
    note->set = true;
    if (kept.empty()) {
      note->kind = DropKind::ValueUnmatchable;
      note->reason = "namespace \"" + v + "\" cannot match any mesh identity";
    } else {
      note->kind = DropKind::ValueWidened;
      note->reason = "Istio matches namespaces with the regex .*/ns/" + v +
                     "/.* on the whole principal, which also matches peers outside the namespaces the value "
                     "names (e.g. `*` may span \"/sa\", and a namespace literally named \"ns\" matches \"sa\")";
    }
  }
  for (auto& t : kept) t.source_value = v;
  return kept;
}

Term lower_service_account(const std::string& v, const std::string& policy_ns, ValueNote* note) {
  // Istio: `spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?`, `ns` = the policy's namespace when v has no '/'
  // (IS §5). On a mesh identity (no '/' inside parts) it reduces to NS == ns ∧ SA == sa.
  auto [ns, sa] = split_service_account(v, policy_ns);
  Term t;
  if (ns.empty() || sa.empty() || !peer_value_ok(ns) || !peer_value_ok(sa)) {
    t = false_term();
    if (note) {
      note->set = true;
      note->kind = DropKind::ValueUnmatchable;
      note->reason = "service account \"" + v + "\" is not `name` or `namespace/name`";
    }
  } else {
    t.atoms.push_back(make_atom(Attribute::PeerNamespace, Op::Exact, ns));
    t.atoms.push_back(make_atom(Attribute::PeerServiceAccount, Op::Exact, sa));
  }
  t.source_value = v;
  return t;
}

Term lower_trust_domain(const std::string& v) {
  // Istio: `*` → prefix `spiffe://`; no `*` → prefix `spiffe://v/`; otherwise regex
  // `spiffe://<pre>[^/]*<post>/.*` (IS §5). All three constrain the TD part only.
  Term t;
  if (v == "*") {
    t = atom_term(make_atom(Attribute::PeerTrustDomain, Op::Present));
  } else if (v.find('*') == std::string::npos) {
    t = principal_prefix(v + "/");
  } else {
    t = peer_glob_term(Attribute::PeerTrustDomain, v);
  }
  t.source_value = v;
  return t;
}

Term lower_request_principal(const std::string& v) {
  // requestPrincipalGenerator: split at the LAST '/', cases exactly as Istio (IS §5).
  RequestPrincipalPattern p = request_principal_pattern(v);
  std::optional<Atom> mi = jwt_part_atom(Attribute::AuthIssuer, p.issuer);
  std::optional<Atom> ms = jwt_part_atom(Attribute::AuthSubject, p.subject);
  Term t;
  if (!mi || !ms) {
    t = false_term();
  } else {
    t.atoms = {*mi, *ms};
  }
  t.source_value = v;
  return t;
}

Term lower_string(Attribute attr, const std::string& key, const std::string& v) {
  // StringMatcher / HeaderMatcher precedence (IS §5): `*` first, then leading `*` (suffix on the rest),
  // then trailing `*` (prefix); a `*` anywhere else is a literal. Hosts compare lower-cased.
  StringPattern p = string_pattern(attr == Attribute::Host ? ascii_lower(v) : v);
  Term t;
  switch (p.kind) {
    case StringPattern::Any:
      t = atom_term(make_atom(attr, Op::Present, "", key));
      break;
    case StringPattern::Suffix:
      t = atom_term(make_atom(attr, Op::Suffix, p.text, key));
      break;
    case StringPattern::Prefix:
      t = atom_term(make_atom(attr, Op::Prefix, p.text, key));
      break;
    case StringPattern::Exact:
      if (p.text.empty() && attr != Attribute::Header)
        t = false_term();  // empty reads as absent for every attribute but headers (ir.h)
      else
        t = atom_term(make_atom(attr, Op::Exact, p.text, key));
      break;
  }
  t.source_value = v;
  return t;
}

namespace {

// `claims[iss]` and friends read the same payload field as requestPrincipals/audiences/presenter, so they
// lower onto those attributes (one JWT field, one attribute).
Term lower_claim(const std::string& claim, const std::string& v) {
  Attribute a = Attribute::AuthClaim;
  if (claim == "iss")
    a = Attribute::AuthIssuer;
  else if (claim == "sub")
    a = Attribute::AuthSubject;
  else if (claim == "aud")
    a = Attribute::AuthAudiences;
  else if (claim == "azp")
    a = Attribute::AuthPresenters;
  return lower_string(a, a == Attribute::AuthClaim ? claim : "", v);
}

Term lower_path(const std::string& v) {
  if (auto tmpl = envoy_path_template(v)) return atom_term(make_atom(Attribute::Path, Op::PathTemplate, *tmpl));
  return lower_string(Attribute::Path, "", v);
}

// ipBlocks, remoteIpBlocks, destination.ip; nullopt (with `error`) for a value that is not an address.
std::optional<Term> lower_ip(GeneratorKind gen, const std::string& v, std::string& error) {
  auto c = parse_cidr(v);
  if (!c) {
    error = "\"" + v + "\" is not an IP address or CIDR range";
    return std::nullopt;
  }
  Attribute a = gen == GeneratorKind::SourceIp   ? Attribute::SourceIp
                : gen == GeneratorKind::RemoteIp ? Attribute::RemoteIp
                                                 : Attribute::DestinationIp;
  return atom_term(make_cidr_atom(a, *c));
}

std::optional<Term> lower_port(const std::string& v, std::string& error) {
  std::optional<uint32_t> port = port_value(v);
  if (!port) {
    error = "\"" + v + "\" is not a port number";
    return std::nullopt;
  }
  return atom_term(make_port_atom(*port));
}

// The generators whose value lowers to one term, possibly failing.
std::optional<Term> lower_single(GeneratorKind gen, const std::string& key, const std::string& v,
                                 const std::string& policy_ns, ValueNote& note, std::string& error) {
  using Gen = GeneratorKind;
  switch (gen) {
    case Gen::Principal:
      return lower_principal(v, &note);
    case Gen::ServiceAccount:
      return lower_service_account(v, policy_ns, &note);
    case Gen::TrustDomain:
      return lower_trust_domain(v);
    case Gen::RequestPrincipal:
      return lower_request_principal(v);
    case Gen::SourceIp:
    case Gen::RemoteIp:
    case Gen::DestinationIp:
      return lower_ip(gen, v, error);
    case Gen::DestinationPort:
      return lower_port(v, error);
    case Gen::Host:
      return lower_string(Attribute::Host, "", v);
    case Gen::Method:
      return lower_string(Attribute::Method, "", v);
    case Gen::Path:
      return lower_path(v);
    case Gen::Header:
      // `:method` is the header `methods` match too (same HeaderMatcher, IS §5): one attribute for both.
      if (key == ":method") return lower_string(Attribute::Method, "", v);
      return lower_string(Attribute::Header, key, v);
    case Gen::Audiences:
      return lower_string(Attribute::AuthAudiences, "", v);
    case Gen::Presenter:
      return lower_string(Attribute::AuthPresenters, "", v);
    case Gen::Claims:
      return lower_claim(key, v);
    case Gen::Sni:
      return lower_string(Attribute::ConnectionSni, "", v);
    // `[v]` is a list match on element v; we model metadata as a set either way (semantics.md).
    case Gen::EnvoyFilter:
      return lower_string(Attribute::Metadata, key, list_value_element(v).value_or(v));
    case Gen::Namespace:
      break;  // an OR of terms: lower_value
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<Term>> lower_value(GeneratorKind gen, const std::string& key, const std::string& v,
                                             const std::string& policy_ns, ValueNote& note, std::string& error) {
  if (gen == GeneratorKind::Namespace) return lower_namespace(v, &note);
  std::optional<Term> t = lower_single(gen, key, v, policy_ns, note, error);
  if (!t) return std::nullopt;
  return std::vector<Term>{std::move(*t)};
}

std::vector<std::string> alias_principals(const std::vector<std::string>& values, const std::vector<std::string>& tds) {
  // istio/istio pilot/pkg/security/trustdomain/bundle.go ReplaceTrustDomainAliases and util.go
  // stringMatch/suffixMatch; IS §5 "Trust-domain aliasing".
  auto prefix_match = [](const std::string& a, const std::string& pattern) {
    return pattern.ends_with("*") && a.starts_with(pattern.substr(0, pattern.size() - 1));
  };
  auto suffix_match = [](const std::string& a, const std::string& pattern) {
    return pattern.starts_with("*") && a.ends_with(pattern.substr(1));
  };
  auto string_match = [&](const std::string& a) {
    for (const auto& s : tds)
      if (a == s || s == "*" || prefix_match(a, s) || prefix_match(s, a) || suffix_match(a, s) || suffix_match(s, a))
        return true;
    return false;
  };
  std::vector<std::string> out;
  for (const auto& principal : values) {
    auto parts = split(principal, '/');
    if (parts.size() != 5 || parts[0] == "*") {
      out.push_back(principal);
      continue;
    }
    const std::string& td = parts[0];
    if (!(string_match(td) || td == "cluster.local")) {
      out.push_back(principal);
      continue;
    }
    std::vector<std::string> mine;
    std::string rest = principal.substr(td.size());  // "/ns/.../sa/..."
    for (const auto& t : tds) {
      std::string np = suffix_match(t, td) ? principal : t + rest;
      if (std::find(mine.begin(), mine.end(), np) == mine.end()) mine.push_back(np);
    }
    out.insert(out.end(), mine.begin(), mine.end());
  }
  return out;
}

std::vector<std::string> alias_trust_domains(const std::vector<std::string>& values,
                                             const std::vector<std::string>& tds) {
  std::vector<std::string> out;
  auto push = [&](const std::string& s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const auto& v : values) {
    if (std::find(tds.begin(), tds.end(), v) != tds.end()) {
      for (const auto& t : tds) push(t);
    } else {
      push(v);
    }
  }
  return out;
}

}  // namespace meshproof::ir
