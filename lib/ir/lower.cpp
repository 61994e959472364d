// Lowering of AuthorizationPolicy into the IR, mirroring Istio's builder (IS §3-§7): per rule, one
// principal clause per `from` entry and one permission clause per `to` entry, `when` conditions copied
// into every clause of their type, and each value lowered by the matcher Istio generates for its field.
// Source references for each rule are in docs/semantics.md, section `ir`.
#include "ir/lower.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "ir/values.h"

namespace meshproof::ir {

namespace {

// ---------------------------------------------------------------------------------------------------
// Small string helpers (lowering-time constant folding)
// ---------------------------------------------------------------------------------------------------

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t i = s.find(sep, start);
    parts.push_back(s.substr(start, i == std::string::npos ? std::string::npos : i - start));
    if (i == std::string::npos) return parts;
    start = i + 1;
  }
}

std::string lower_case(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

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
    if (lead == 0) return atom_term(make_atom(attr, Op::Prefix, core));            // "abc*"
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
    if (!starts_with(last.constant, parts[k])) return false_term();
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
    if (!ends_with(first.constant, parts[0])) return false_term();
  } else if (!parts[0].empty()) {
    t.atoms.push_back(make_atom(first.attr, Op::Suffix, parts[0]));
  }
  if (t.atoms.empty()) t.atoms.push_back(make_atom(Attribute::PeerTrustDomain, Op::Present));
  return t;
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
    case StringPattern::Any: t = atom_term(make_atom(Attribute::PeerTrustDomain, Op::Present)); break;
    case StringPattern::Suffix: t = principal_suffix(p.text); break;
    case StringPattern::Prefix: t = principal_prefix(p.text); break;
    case StringPattern::Exact: t = principal_exact(p.text); break;
  }
  if (t.is_false && note) {
    note->set = true;
    note->kind = DropKind::ValueUnmatchable;
    note->reason = "principal \"" + v +
                   "\" cannot match a mesh identity, which always has the shape TD/ns/NAMESPACE/sa/ACCOUNT";
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
      case Op::Exact: return e.value == m.value;
      case Op::Prefix: return starts_with(e.value, m.value);
      case Op::Suffix: return ends_with(e.value, m.value);
      case Op::Glob: return glob_match(m.value, e.value);
      default: return false;
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

namespace {

// One half (issuer or subject) of a requestPrincipals value; nullopt when it can never match.
std::optional<Atom> jwt_part_atom(Attribute attr, const StringPattern& p) {
  switch (p.kind) {
    case StringPattern::Any: return make_atom(attr, Op::Present);
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
  StringPattern p = string_pattern(attr == Attribute::Host ? lower_case(v) : v);
  Term t;
  switch (p.kind) {
    case StringPattern::Any: t = atom_term(make_atom(attr, Op::Present, "", key)); break;
    case StringPattern::Suffix: t = atom_term(make_atom(attr, Op::Suffix, p.text, key)); break;
    case StringPattern::Prefix: t = atom_term(make_atom(attr, Op::Prefix, p.text, key)); break;
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

std::vector<std::string> alias_principals(const std::vector<std::string>& values,
                                          const std::vector<std::string>& tds) {
  // istio/istio pilot/pkg/security/trustdomain/bundle.go ReplaceTrustDomainAliases and util.go
  // stringMatch/suffixMatch; IS §5 "Trust-domain aliasing".
  auto prefix_match = [](const std::string& a, const std::string& pattern) {
    return ends_with(pattern, "*") && starts_with(a, pattern.substr(0, pattern.size() - 1));
  };
  auto suffix_match = [](const std::string& a, const std::string& pattern) {
    return starts_with(pattern, "*") && ends_with(a, pattern.substr(1));
  };
  auto string_match = [&](const std::string& a) {
    for (const auto& s : tds)
      if (a == s || s == "*" || prefix_match(a, s) || prefix_match(s, a) || suffix_match(a, s) ||
          suffix_match(s, a))
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

LowerContext LowerContext::from(const model::MeshConfig& mc) {
  LowerContext ctx;
  ctx.trust_domains.clear();
  ctx.trust_domains.push_back(mc.trust_domain.empty() ? "cluster.local" : mc.trust_domain);
  for (const auto& a : mc.trust_domain_aliases) ctx.trust_domains.push_back(a);
  ctx.providers = mc.extension_providers;
  ctx.providers_known = mc.from_input;
  return ctx;
}

// ---------------------------------------------------------------------------------------------------
// Rule lowering
// ---------------------------------------------------------------------------------------------------

namespace {

// Which generator Istio uses for an item (model.go New; IS §4, §6).
using Gen = GeneratorKind;

// One value to lower, with where it was written.
struct Value {
  std::string text;
  Loc loc;
};

// One item: a source/operation field or a `when` condition, with its values and notValues.
struct Item {
  Gen gen;
  std::string key;          // attribute key for Header/Claims/EnvoyFilter (already extracted)
  std::string key_error;    // non-empty: the key cannot be generated (bad brackets)
  std::string field;        // "principals" / "when[request.headers[x]]"
  std::string not_field;    // "notPrincipals" / "when[...].notValues"
  std::string item_path;    // "rules[0].from[1].source.principals" for drops
  std::vector<Value> values, not_values;
  Loc loc;
};

std::vector<Value> values_of(const model::StrList& l) {
  std::vector<Value> out;
  for (const auto& s : l.items) out.push_back({s.value, s.loc});
  return out;
}

class RuleLowering {
 public:
  RuleLowering(const model::AuthorizationPolicy& pol, const LowerContext& ctx, Protocol proto, int index)
      : pol_(pol), ctx_(ctx), proto_(proto), index_(index) {}

  // Returns nullopt when Istio skips the rule; `why` then holds the RuleDropped record.
  std::optional<Rule> lower(const model::Rule& r, const PolicyRef& ref, Drop& why) {
    Rule rule;
    rule.policy = ref;
    rule.index = index_;
    rule.loc = r.loc;
    std::string rp = "rules[" + std::to_string(index_) + "]";

    // `when`: each condition goes to every principal or every permission clause (IS §4).
    std::vector<Item> when_principal, when_permission;
    for (size_t w = 0; w < r.when.size(); ++w) {
      const auto& c = r.when[w];
      Item it;
      const std::string& k = c.key.value;
      it.field = "when[" + k + "]";
      it.not_field = "when[" + k + "].notValues";
      it.item_path = rp + ".when[" + std::to_string(w) + "] " + k;
      it.values = values_of(c.values);
      it.not_values = values_of(c.not_values);
      it.loc = c.key.loc.known() ? c.key.loc : c.loc;
      std::optional<WhenKey> when_key = classify_when_key(k);
      if (!when_key) {
        // model.New fails on an unknown key: Istio skips the rule whatever the action (IS §6).
        why = {DropKind::RuleDropped, it.item_path,
               "unknown `when` key \"" + k + "\": Istio skips the whole rule (IS §6)", it.loc};
        return std::nullopt;
      }
      it.gen = when_key->gen;
      if (it.gen == Gen::EnvoyFilter) {
        // The Metadata atom's key names the filter and the path in its metadata: "envoy.filters.a.b[c]".
        auto filter_key = parse_envoy_filter_key(k);
        if (!filter_key) it.key_error = "invalid key " + k;
        else it.key = filter_key->filter + "[" + filter_key->key + "]";
      } else if (it.gen == Gen::Header) {
        auto name = name_in_brackets(k.substr(std::string("request.headers").size()));
        if (!name) it.key_error = "cannot extract a header name from " + k;
        else it.key = lower_case(*name);
      } else if (it.gen == Gen::Claims) {
        auto names = names_in_nested_brackets(k.substr(std::string("request.auth.claims").size()));
        if (!names) {
          it.key_error = "cannot extract a claim name from " + k;
        } else {
          for (size_t i = 0; i < names->size(); ++i) it.key += (i ? "." : "") + (*names)[i];
        }
      }
      if (it.values.empty() && it.not_values.empty()) continue;
      (when_key->permission ? when_permission : when_principal).push_back(std::move(it));
    }

    // One principal clause per `from` entry and one permission clause per `to` entry (IS §4).
    if (!add_clauses(ClauseKind::Principal, r.from, kSourceFields, "from", "source", when_principal, r,
                     rule) ||
        !add_clauses(ClauseKind::Permission, r.to, kOperationFields, "to", "operation", when_permission,
                     r, rule))
      return fail(why);
    return rule;
  }

 private:
  // The clauses of one side of the rule (IS §4): one per `from` entry (principals) or `to` entry
  // (permissions), holding the entry's fields in model.New's order and then the `when` items of that
  // side; with no entries, one clause of the `when` items alone. False when the rule is skipped.
  template <class Entry, size_t N>
  bool add_clauses(ClauseKind kind, const std::vector<Entry>& entries,
                   const std::array<FieldSpec<Entry>, N>& fields, const char* list, const char* entry_key,
                   const std::vector<Item>& when_items, const model::Rule& r, Rule& rule) {
    std::vector<Clause>& out = kind == ClauseKind::Principal ? rule.principals : rule.permissions;
    if (entries.empty()) {
      Clause c;
      c.kind = kind;
      c.loc = r.loc;
      if (!build_clause(c, when_items, rule)) return false;
      out.push_back(std::move(c));
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      std::string base = "rules[" + std::to_string(index_) + "]." + list + "[" + std::to_string(i) + "]." +
                         entry_key + ".";
      std::vector<Item> items;
      for (const auto& f : fields) {
        const model::StrList& v = e.*f.values;
        const model::StrList& nv = e.*f.not_values;
        if (v.empty() && nv.empty()) continue;
        Item it;
        it.gen = f.gen;
        it.field = f.name;
        it.not_field = f.not_name;
        it.item_path = base + f.name;
        it.values = values_of(v);
        it.not_values = values_of(nv);
        it.loc = v.present ? v.loc : nv.loc;
        items.push_back(std::move(it));
      }
      items.insert(items.end(), when_items.begin(), when_items.end());
      Clause c;
      c.kind = kind;
      c.entry = static_cast<int>(i);
      c.loc = e.loc.known() ? e.loc : r.loc;
      if (!build_clause(c, items, rule)) return false;
      out.push_back(std::move(c));
    }
    return true;
  }

  std::optional<Rule> fail(Drop& why) {
    why = failure_;
    return std::nullopt;
  }

  bool allow_semantics() const { return pol_.action == model::Action::Allow; }

  // Lowers one value of an item; nullopt plus `error` when Istio's generator fails on it.
  std::optional<std::vector<Term>> lower_value(const Item& it, const Value& v, std::string& error,
                                               std::vector<Drop>& notes) {
    if (proto_ == Protocol::Tcp && generator_http_only(it.gen)) {
      error = "HTTP-only field on a TCP port (IS §7)";
      return std::nullopt;
    }
    if (!it.key_error.empty()) {
      error = it.key_error + " (IS §6)";
      return std::nullopt;
    }
    ValueNote note;
    std::vector<Term> out;
    switch (it.gen) {
      case Gen::Principal: out.push_back(lower_principal(v.text, &note)); break;
      case Gen::Namespace: out = lower_namespace(v.text, &note); break;
      case Gen::ServiceAccount: out.push_back(lower_service_account(v.text, pol_.meta.ns, &note)); break;
      case Gen::TrustDomain: out.push_back(lower_trust_domain(v.text)); break;
      case Gen::RequestPrincipal: out.push_back(lower_request_principal(v.text)); break;
      case Gen::SourceIp:
      case Gen::RemoteIp:
      case Gen::DestinationIp: {
        auto c = parse_cidr(v.text);
        if (!c) {
          error = "\"" + v.text + "\" is not an IP address or CIDR range";
          return std::nullopt;
        }
        Attribute a = it.gen == Gen::SourceIp ? Attribute::SourceIp
                      : it.gen == Gen::RemoteIp ? Attribute::RemoteIp : Attribute::DestinationIp;
        out.push_back(atom_term(make_cidr_atom(a, *c)));
        break;
      }
      case Gen::DestinationPort: {
        std::optional<uint32_t> port = port_value(v.text);
        if (!port) {
          error = "\"" + v.text + "\" is not a port number";
          return std::nullopt;
        }
        out.push_back(atom_term(make_port_atom(*port)));
        break;
      }
      case Gen::Host: out.push_back(lower_string(Attribute::Host, "", v.text)); break;
      case Gen::Method: out.push_back(lower_string(Attribute::Method, "", v.text)); break;
      case Gen::Path:
        if (auto tmpl = envoy_path_template(v.text)) {
          out.push_back(atom_term(make_atom(Attribute::Path, Op::PathTemplate, *tmpl)));
        } else {
          out.push_back(lower_string(Attribute::Path, "", v.text));
        }
        break;
      case Gen::Header: out.push_back(lower_string(Attribute::Header, it.key, v.text)); break;
      case Gen::Audiences: out.push_back(lower_string(Attribute::AuthAudiences, "", v.text)); break;
      case Gen::Presenter: out.push_back(lower_string(Attribute::AuthPresenters, "", v.text)); break;
      case Gen::Claims: {
        // `claims[iss]` and friends read the same payload field as requestPrincipals/audiences/presenter,
        // so they lower onto those attributes (one JWT field, one attribute).
        Attribute a = Attribute::AuthClaim;
        std::string key = it.key;
        if (key == "iss") a = Attribute::AuthIssuer;
        else if (key == "sub") a = Attribute::AuthSubject;
        else if (key == "aud") a = Attribute::AuthAudiences;
        else if (key == "azp") a = Attribute::AuthPresenters;
        if (a != Attribute::AuthClaim) key.clear();
        out.push_back(lower_string(a, key, v.text));
        break;
      }
      case Gen::Sni: out.push_back(lower_string(Attribute::ConnectionSni, "", v.text)); break;
      case Gen::EnvoyFilter: {
        // `[v]` is a list match on element v; we model metadata as a set either way (semantics.md).
        out.push_back(lower_string(Attribute::Metadata, it.key, list_value_element(v.text).value_or(v.text)));
        break;
      }
    }
    for (auto& t : out) {
      t.loc = v.loc;
      if (t.source_value.empty()) t.source_value = v.text;
    }
    if (note.set) notes.push_back({note.kind, it.item_path + " \"" + v.text + "\"", note.reason, v.loc});
    return out;
  }

  // Values after trust-domain aliasing (IS §5): principals (values and notValues), trust domains.
  std::vector<Value> aliased(const Item& it, const std::vector<Value>& vals) {
    if (it.gen != Gen::Principal && it.gen != Gen::TrustDomain) return vals;
    std::vector<Value> out;
    for (const auto& v : vals) {
      auto expanded = it.gen == Gen::Principal ? alias_principals({v.text}, ctx_.trust_domains)
                                               : alias_trust_domains({v.text}, ctx_.trust_domains);
      for (auto& e : expanded) out.push_back({e, v.loc});
    }
    if (it.gen == Gen::TrustDomain) {  // ExpandTrustDomainAliases removes duplicates across the list
      std::vector<Value> dedup;
      for (auto& v : out)
        if (std::none_of(dedup.begin(), dedup.end(), [&](const Value& d) { return d.text == v.text; }))
          dedup.push_back(v);
      out = std::move(dedup);
    }
    return out;
  }

  // Appends the matches of `items` to `c`. False when an ALLOW rule must be skipped (failure_ set).
  bool build_clause(Clause& c, const std::vector<Item>& items, Rule& rule) {
    bool had_items = !items.empty();
    for (const auto& it : items) {
      for (int neg = 0; neg < 2; ++neg) {
        const auto& raw = neg ? it.not_values : it.values;
        if (raw.empty()) continue;
        Match m;
        m.field = neg ? it.not_field : it.field;
        m.negated = neg == 1;
        m.loc = it.loc;
        size_t dropped = 0, kept = 0;
        std::string error;
        std::vector<Drop> notes;
        for (const auto& v : aliased(it, raw)) {
          std::string e;
          auto terms = lower_value(it, v, e, notes);
          if (!terms) {
            if (allow_semantics()) {
              // checkError: an ALLOW rule is skipped on any generation error (IS §7).
              failure_ = {DropKind::RuleDropped, it.item_path,
                          "ALLOW rule skipped by Istio: `" + m.field + "`: " + e, it.loc};
              return false;
            }
            ++dropped;
            error = e;
            continue;
          }
          ++kept;
          for (auto& t : *terms) m.terms.push_back(std::move(t));
        }
        for (auto& n : notes) rule.drops.push_back(std::move(n));
        if (dropped > 0) {
          // DENY/AUDIT/CUSTOM: the value is ignored; with no value left the field disappears (IS §7).
          bool all = kept == 0;
          rule.drops.push_back({DropKind::ItemDropped, it.item_path + (neg ? " (notValues)" : ""),
                                std::string(all ? "`" + m.field + "` ignored by Istio: "
                                                : std::to_string(dropped) + " value(s) of `" + m.field +
                                                      "` ignored by Istio: ") +
                                    error,
                                it.loc});
          if (all) continue;
        }
        // An empty OR from only-unmatchable values stays: it is false, as Istio's matchers are.
        c.matches.push_back(std::move(m));
      }
    }
    if (had_items && c.matches.empty()) {
      c.widened_to_any = true;
      std::string what = c.kind == ClauseKind::Principal ? "from" : "to";
      std::string where = "rules[" + std::to_string(index_) + "]." + what +
                          (c.entry >= 0 ? "[" + std::to_string(c.entry) + "]" : " (when only)");
      rule.drops.push_back({DropKind::ClauseWidened, where,
                            "every item was ignored, so this `" + what +
                                "` matches every request (IS §7)",
                            c.loc});
    }
    return true;
  }

  const model::AuthorizationPolicy& pol_;
  const LowerContext& ctx_;
  Protocol proto_;
  int index_;
  Drop failure_;
};

}  // namespace

LoweredPolicy lower_policy(const model::AuthorizationPolicy& policy, Protocol protocol,
                           const LowerContext& ctx) {
  LoweredPolicy out;
  out.ref.policy = &policy;
  out.ref.ns = policy.meta.ns;
  out.ref.name = policy.meta.name;
  out.ref.action = policy.action;
  out.ref.dry_run = policy.dry_run;
  out.ref.provider = policy.provider;
  out.ref.loc = policy.loc;

  if (policy.rules.empty()) {
    // No rules: Istio emits a policy that never matches, named rule[0] (IS §3).
    Rule never;
    never.policy = out.ref;
    never.index = 0;
    never.loc = policy.rules_loc.known() ? policy.rules_loc : policy.loc;
    never.from_empty_spec = true;
    out.rules.push_back(std::move(never));
    return out;
  }
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const model::Rule& r = policy.rules[i];
    if (r.is_null) {
      out.drops.push_back({DropKind::RuleDropped, "rules[" + std::to_string(i) + "]",
                           "null rule: skipped by Istio (IS §3)", r.loc});
      continue;
    }
    RuleLowering rl(policy, ctx, protocol, static_cast<int>(i));
    Drop why;
    auto rule = rl.lower(r, out.ref, why);
    if (!rule) {
      out.drops.push_back(why);
      continue;
    }
    for (const auto& d : rule->drops) out.drops.push_back(d);
    out.rules.push_back(std::move(*rule));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------------------

namespace {

using PolicyCache = std::map<std::pair<const model::AuthorizationPolicy*, Protocol>, LoweredPolicy>;

const LoweredPolicy& lowered(PolicyCache& cache, const model::AuthorizationPolicy& p, Protocol proto,
                             const LowerContext& ctx) {
  auto key = std::make_pair(&p, proto);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, lower_policy(p, proto, ctx)).first;
  return it->second;
}

Program make_program(const mesh::Workload& w, uint32_t port, const std::string& port_name,
                     Protocol protocol, bool sniffed, const mesh::MtlsDecision& mtls,
                     const LowerContext& ctx, PolicyCache& cache) {
  Program prog;
  prog.workload = w.display();
  prog.class_id = w.class_id;
  prog.port = port;
  prog.port_name = port_name;
  prog.protocol = protocol;
  prog.sniffed = sniffed;
  prog.mtls = mtls.mode == model::MtlsMode::Unset ? model::MtlsMode::Permissive : mtls.mode;
  if (mtls.decided_by) {
    prog.mtls_decided_by = "PeerAuthentication " + mtls.decided_by->meta.ns + "/" + mtls.decided_by->meta.name;
    prog.mtls_loc = mtls.decided_by->loc;
  }
  prog.enforced = w.sidecar_injected;

  std::set<std::string> providers;
  for (const model::AuthorizationPolicy* p : w.authorization_policies) {
    const LoweredPolicy& lp = lowered(cache, *p, protocol, ctx);
    for (const auto& d : lp.drops)
      if (d.kind == DropKind::RuleDropped) prog.drops.push_back(d);
    std::vector<Rule>* dest = nullptr;
    switch (p->action) {
      case model::Action::Allow:
        dest = &prog.allow;
        if (!p->dry_run) prog.has_allow_policy = true;  // dry-run ALLOW enforces nothing (IS §2)
        break;
      case model::Action::Deny: dest = &prog.deny; break;
      case model::Action::Audit: dest = &prog.audit; break;
      case model::Action::Custom:
        dest = &prog.custom;
        providers.insert(p->provider);
        break;
    }
    dest->insert(dest->end(), lp.rules.begin(), lp.rules.end());
  }

  // CUSTOM: provider checks (IS §2).
  if (!prog.custom.empty()) {
    prog.custom_mode = CustomMode::Delegate;
    if (providers.size() > 1) {
      prog.custom_mode = CustomMode::FailClosed;
      std::string names;
      for (const auto& n : providers) names += (names.empty() ? "" : ", ") + n;
      prog.custom_reason = "more than one CUSTOM provider applies (" + names +
                           ") and Istio supports one per workload by default, so it denies what the CUSTOM "
                           "rules match (IS §2)";
    } else {
      const std::string& name = *providers.begin();
      const model::ExtensionProvider* found = nullptr;
      for (const auto& ep : ctx.providers)
        if (ep.name == name) found = &ep;
      bool is_ext_authz =
          found && (found->type == "envoyExtAuthzHttp" || found->type == "envoyExtAuthzGrpc");
      if (!found && ctx.providers_known) {
        prog.custom_mode = CustomMode::FailClosed;
        prog.custom_reason = "provider \"" + name +
                             "\" is not defined in meshConfig.extensionProviders, so Istio denies what the "
                             "CUSTOM rules match (IS §2)";
      } else if (found && !is_ext_authz) {
        prog.custom_mode = CustomMode::FailClosed;
        prog.custom_reason = "provider \"" + name + "\" is a " + found->type +
                             " provider, not an ext_authz one, so Istio denies what the CUSTOM rules match "
                             "(IS §2)";
      } else if (found && found->type == "envoyExtAuthzHttp" && protocol == Protocol::Tcp) {
        // An HTTP ext_authz provider has no TCP filter: the CUSTOM policy is silently ignored (IS §2, §7).
        std::set<const model::AuthorizationPolicy*> seen;
        for (const auto& r : prog.custom)
          if (r.policy.policy && seen.insert(r.policy.policy).second)
            prog.drops.push_back({DropKind::PolicyNotEnforced, r.policy.display(),
                                  "CUSTOM policy with the HTTP ext_authz provider \"" + name +
                                      "\" is not enforced on a TCP port (IS §2, §7)",
                                  r.policy.loc});
        prog.custom.clear();
        prog.custom_mode = CustomMode::None;
      } else if (!found) {
        prog.custom_reason = "provider \"" + name +
                             "\" is assumed to be defined: the input has no mesh config to check it against";
      }
    }
  }

  // RequestAuthentication: the jwt_authn filter exists on HTTP chains only (IS §1, §12).
  if (protocol == Protocol::Http) {
    for (const model::RequestAuthentication* ra : w.request_authentications) {
      for (const auto& jr : ra->jwt_rules) {
        JwtIssuer j;
        j.issuer = jr.issuer.value;
        for (const auto& a : jr.audiences.items) j.audiences.push_back(a.value);
        j.request_authentication = ra->meta.ns + "/" + ra->meta.name;
        j.loc = jr.loc;
        prog.jwt_issuers.push_back(std::move(j));
      }
    }
    prog.has_request_authentication = !prog.jwt_issuers.empty();
  }
  return prog;
}

void add_port(WorkloadPrograms& out, const mesh::Workload& w, uint32_t port, const std::string& name,
              mesh::PortProtocol proto, const mesh::MtlsDecision& mtls, const LowerContext& ctx,
              PolicyCache& cache) {
  PortPrograms pp;
  pp.port = port;
  pp.name = name;
  pp.sniffed = proto == mesh::PortProtocol::Sniffed;
  if (proto != mesh::PortProtocol::Tcp)
    pp.views.push_back(make_program(w, port, name, Protocol::Http, pp.sniffed, mtls, ctx, cache));
  if (proto != mesh::PortProtocol::Http)
    pp.views.push_back(make_program(w, port, name, Protocol::Tcp, pp.sniffed, mtls, ctx, cache));
  out.ports.push_back(std::move(pp));
}

}  // namespace

Program build_program(const mesh::Workload& workload, uint32_t port, const std::string& port_name,
                      Protocol protocol, bool sniffed, const mesh::MtlsDecision& mtls,
                      const LowerContext& ctx) {
  PolicyCache cache;
  return make_program(workload, port, port_name, protocol, sniffed, mtls, ctx, cache);
}

WorkloadPrograms build_programs(const mesh::Workload& workload, const LowerContext& ctx) {
  WorkloadPrograms out;
  out.workload = workload.display();
  out.class_id = workload.class_id;
  PolicyCache cache;
  std::vector<const mesh::WorkloadPort*> ports;
  for (const auto& p : workload.ports) ports.push_back(&p);
  std::stable_sort(ports.begin(), ports.end(),
                   [](const mesh::WorkloadPort* a, const mesh::WorkloadPort* b) { return a->port < b->port; });
  std::set<uint32_t> seen;
  for (const auto* p : ports) {
    if (p->port == 0 || !seen.insert(p->port).second) continue;
    add_port(out, workload, p->port, p->name, p->protocol, p->mtls, ctx, cache);
  }
  // Every other port: inbound passthrough, protocol sniffed, workload-level mTLS mode.
  add_port(out, workload, 0, "", mesh::PortProtocol::Sniffed, workload.default_mtls, ctx, cache);
  return out;
}

std::vector<WorkloadPrograms> build_all_programs(const mesh::Mesh& mesh) {
  LowerContext ctx = LowerContext::from(mesh.config);
  std::vector<WorkloadPrograms> out;
  for (const auto& cls : mesh.classes) {
    if (cls.members.empty()) continue;
    out.push_back(build_programs(mesh.workloads[cls.members.front()], ctx));
  }
  return out;
}

}  // namespace meshproof::ir
