// The decoder (see decode.h). Structure:
//   1. each filter → RawFilter (RBAC rule sets with every policy decoded to a Boolean formula, or the
//      ext_authz trigger prefix), with errors carrying JSON path and position;
//   2. the filter sequence → which rules are CUSTOM (shadow RBAC + ext_authz pair, or Istio's fail-closed
//      deny), DENY, ALLOW, AUDIT, enforced or dry-run (IS §1, §2);
//   3. each policy's permission/principal formulas → IR clauses (Istio's and/or/not shape maps directly;
//      anything else goes through a bounded DNF).
#include "compile/decode/decode.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "compile/decode/internal.h"
#include "ir/ip.h"

namespace meshproof::compile {

std::string to_string(const DecodeError& e, const SourceSet& sources) {
  std::string where = e.loc.known() ? sources.describe(e.loc) : std::string();
  std::string out = where.empty() ? "" : where + ": ";
  out += "error: " + e.message;
  if (!e.path.empty()) out += " (at " + e.path + ")";
  return out;
}

namespace {

using ir::Attribute;
using load::Node;

// ---------------------------------------------------------------------------------------------------
// Errors and field access
// ---------------------------------------------------------------------------------------------------

struct Failure {
  DecodeError e;
};

[[noreturn]] void fail(const Node& n, const std::string& path, std::string msg) {
  throw Failure{DecodeError{n.loc, path, std::move(msg)}};
}

std::string camel(std::string_view key) {
  std::string out;
  bool up = false;
  for (char c : key) {
    if (c == '_') {
      up = true;
      continue;
    }
    out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    up = false;
  }
  return out;
}

// A map node's entries by camelCase name; every key must be in `allowed` (an unknown field is an error:
// it might change what the matcher means).
class Fields {
 public:
  Fields(const Node& n, const std::string& path, std::initializer_list<const char*> allowed) : n_(n), path_(path) {
    if (!n.is_map()) fail(n, path, std::string("expected a map, found ") + n.type_name());
    for (const auto& e : n.entries) {
      std::string k = e.key == "@type" ? e.key : camel(e.key);
      bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; });
      if (!ok) {
        throw Failure{DecodeError{e.key_loc, path + "." + e.key,
                                  "unknown field \"" + e.key + "\": meshproof cannot tell what it does, so it "
                                  "does not guess"}};
      }
      if (!by_name_.emplace(k, &e).second)
        throw Failure{DecodeError{e.key_loc, path + "." + e.key, "field \"" + e.key + "\" given twice"}};
    }
  }
  const Node* get(const std::string& k) const {
    auto it = by_name_.find(k);
    return it == by_name_.end() ? nullptr : &it->second->value;
  }
  std::string path(const std::string& k) const {
    auto it = by_name_.find(k);
    return path_ + "." + (it == by_name_.end() ? k : it->second->key);
  }
  size_t size() const { return by_name_.size(); }
  // The single key of a oneof-only map.
  std::pair<std::string, const Node*> only() const {
    if (by_name_.size() != 1)
      fail(n_, path_, by_name_.empty() ? "empty matcher" : "a matcher must set exactly one field");
    return {by_name_.begin()->first, &by_name_.begin()->second->value};
  }

 private:
  const Node& n_;
  std::string path_;
  std::map<std::string, const load::MapEntry*> by_name_;
};

std::string scalar(const Node* n, const std::string& path, const char* what = "a string") {
  if (!n || !n->is_scalar()) fail(n ? *n : Node{}, path, std::string("expected ") + what);
  return n->scalar;
}

bool boolean(const Node* n, const std::string& path) {
  std::string s = scalar(n, path, "a boolean");
  if (s == "true") return true;
  if (s == "false") return false;
  fail(*n, path, "expected true or false, found \"" + s + "\"");
}

uint64_t number(const Node* n, const std::string& path, uint64_t max) {
  std::string s = scalar(n, path, "a number");
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), ::isdigit)) fail(*n, path, "expected a non-negative integer, found \"" + s + "\"");
  uint64_t v = std::stoull(s);
  if (v > max) fail(*n, path, "value " + s + " out of range");
  return v;
}

const std::vector<Node>& seq(const Node* n, const std::string& path) {
  static const std::vector<Node> empty;
  if (!n || n->is_null()) return empty;
  if (!n->is_seq()) fail(*n, path, std::string("expected a list, found ") + n->type_name());
  return n->items;
}

bool has_letters(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c); });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// ---------------------------------------------------------------------------------------------------
// Formulas
// ---------------------------------------------------------------------------------------------------

struct F {
  enum K : uint8_t { True, False, Atom, And, Or, Not } k = True;
  ir::Atom atom;
  std::vector<F> kids;
};

F f_true() { return F{F::True, {}, {}}; }
F f_false() { return F{F::False, {}, {}}; }
F f_atom(ir::Atom a) { return F{F::Atom, std::move(a), {}}; }

F f_and(std::vector<F> ks) {
  std::vector<F> out;
  for (auto& k : ks) {
    if (k.k == F::False) return f_false();
    if (k.k == F::True) continue;
    if (k.k == F::And) {
      for (auto& g : k.kids) out.push_back(std::move(g));
    } else {
      out.push_back(std::move(k));
    }
  }
  if (out.empty()) return f_true();
  if (out.size() == 1) return std::move(out[0]);
  return F{F::And, {}, std::move(out)};
}

F f_or(std::vector<F> ks) {
  std::vector<F> out;
  for (auto& k : ks) {
    if (k.k == F::True) return f_true();
    if (k.k == F::False) continue;
    if (k.k == F::Or) {
      for (auto& g : k.kids) out.push_back(std::move(g));
    } else {
      out.push_back(std::move(k));
    }
  }
  if (out.empty()) return f_false();
  if (out.size() == 1) return std::move(out[0]);
  return F{F::Or, {}, std::move(out)};
}

F f_not(F f) {
  if (f.k == F::True) return f_false();
  if (f.k == F::False) return f_true();
  if (f.k == F::Not) return std::move(f.kids[0]);
  return F{F::Not, {}, {std::move(f)}};
}

F from_terms(const std::vector<ir::Term>& terms) {
  std::vector<F> ors;
  for (const auto& t : terms) {
    if (t.is_false) continue;
    std::vector<F> ands;
    for (const auto& a : t.atoms) ands.push_back(f_atom(a));
    ors.push_back(f_and(std::move(ands)));
  }
  return f_or(std::move(ors));
}

// ---------------------------------------------------------------------------------------------------
// Matchers
// ---------------------------------------------------------------------------------------------------

const char* kJwtFilter = "envoy.filters.http.jwt_authn";

// StringMatcher on a (non-peer) attribute.
F string_matcher(const Node& n, const std::string& path, Attribute attr, const std::string& key) {
  Fields f(n, path, {"exact", "prefix", "suffix", "safeRegex", "contains", "ignoreCase", "custom"});
  bool ignore_case = f.get("ignoreCase") && boolean(f.get("ignoreCase"), f.path("ignoreCase"));
  std::string kind;
  const Node* v = nullptr;
  for (const char* k : {"exact", "prefix", "suffix", "safeRegex", "contains", "custom"})
    if (f.get(k)) {
      if (v) fail(n, path, "a StringMatcher sets exactly one of exact, prefix, suffix, safe_regex, contains");
      kind = k;
      v = f.get(k);
    }
  if (!v) fail(n, path, "a StringMatcher needs one of exact, prefix, suffix, safe_regex, contains");
  if (kind == "custom") fail(*v, f.path(kind), "custom string matchers are not supported");
  bool empty_is_absent = attr != Attribute::Header;
  if (kind == "safeRegex") {
    Fields r(*v, f.path(kind), {"regex", "googleRe2"});
    std::string re = scalar(r.get("regex"), r.path("regex"));
    if (re == ".*") return f_atom(ir::make_atom(attr, ir::Op::Present, "", key));
    if (re == ".+" && empty_is_absent) return f_atom(ir::make_atom(attr, ir::Op::Present, "", key));
    if (attr == Attribute::Host)
      fail(*v, f.path(kind), "a regex on :authority is case-sensitive in Envoy, but meshproof compares hosts "
                             "lower-cased (IS §5): not expressible");
    return f_atom(ir::make_atom(attr, ir::Op::Regex, re, key));
  }
  std::string s = scalar(v, f.path(kind));
  if (attr == Attribute::Host) {
    // The IR compares hosts lower-cased, which is exactly ignore_case (IS §5).
    if (!ignore_case && has_letters(s))
      fail(n, path, "a case-sensitive match on :authority is not expressible (meshproof compares hosts "
                    "lower-cased, as Istio's ignore_case host matchers do, IS §5)");
    s = lower(s);
  } else if (ignore_case && has_letters(s)) {
    fail(n, path, "ignore_case on " + std::string(ir::attribute_name(attr)) + " is not expressible");
  }
  if (kind == "exact") {
    if (s.empty() && empty_is_absent) return f_false();  // "" is absent for this attribute (ir.h)
    return f_atom(ir::make_atom(attr, ir::Op::Exact, s, key));
  }
  if (s.empty()) return f_atom(ir::make_atom(attr, ir::Op::Present, "", key));
  if (kind == "prefix") return f_atom(ir::make_atom(attr, ir::Op::Prefix, s, key));
  if (kind == "suffix") return f_atom(ir::make_atom(attr, ir::Op::Suffix, s, key));
  // contains
  if (s.find('*') != std::string::npos) fail(*v, f.path(kind), "contains with a '*' is not expressible");
  return f_atom(ir::make_atom(attr, ir::Op::Glob, "*" + s + "*", key));
}

// authenticated.principal_name (or any principal StringMatcher) over the SPIFFE id.
F principal_matcher(const Node& n, const std::string& path) {
  Fields f(n, path, {"exact", "prefix", "suffix", "safeRegex", "contains", "ignoreCase", "custom"});
  if (f.get("ignoreCase") && boolean(f.get("ignoreCase"), f.path("ignoreCase")))
    fail(n, path, "ignore_case on principal_name is not expressible");
  std::vector<ir::Term> terms;
  std::string error;
  bool ok = false;
  const Node* v = nullptr;
  std::string kind;
  for (const char* k : {"exact", "prefix", "suffix", "safeRegex", "contains", "custom"})
    if (f.get(k)) {
      if (v) fail(n, path, "a StringMatcher sets exactly one of exact, prefix, suffix, safe_regex, contains");
      v = f.get(k);
      kind = k;
    }
  if (!v) fail(n, path, "a StringMatcher needs one of exact, prefix, suffix, safe_regex, contains");
  if (kind == "custom") fail(*v, f.path(kind), "custom string matchers are not supported");
  if (kind == "safeRegex") {
    Fields r(*v, f.path(kind), {"regex", "googleRe2"});
    ok = decode_principal_regex(scalar(r.get("regex"), r.path("regex")), terms, error);
  } else {
    ok = decode_principal_literal(kind, scalar(v, f.path(kind)), terms, error);
  }
  if (!ok) fail(*v, f.path(kind), error);
  return from_terms(terms);
}

F header_matcher(const Node& n, const std::string& path) {
  Fields f(n, path, {"name", "exactMatch", "safeRegexMatch", "rangeMatch", "presentMatch", "prefixMatch",
                     "suffixMatch", "containsMatch", "stringMatch", "invertMatch", "treatMissingHeaderAsEmpty"});
  std::string name = lower(scalar(f.get("name"), f.path("name")));
  if (name.empty()) fail(n, path, "header matcher without a name");
  Attribute attr = Attribute::Header;
  std::string key;
  if (name == ":authority" || name == "host") attr = Attribute::Host;
  else if (name == ":method") attr = Attribute::Method;
  else if (name == ":path")
    fail(n, path, "a :path header matcher sees the query string, which meshproof's request.path does not: use url_path");
  else key = name;
  bool invert = f.get("invertMatch") && boolean(f.get("invertMatch"), f.path("invertMatch"));
  if (f.get("treatMissingHeaderAsEmpty") && boolean(f.get("treatMissingHeaderAsEmpty"), f.path("treatMissingHeaderAsEmpty")))
    fail(n, path, "treat_missing_header_as_empty is not expressible");
  if (f.get("rangeMatch")) fail(*f.get("rangeMatch"), f.path("rangeMatch"), "range_match is not supported");
  F present = f_atom(ir::make_atom(attr, ir::Op::Present, "", key));
  // HeaderUtility::matchHeaders: a missing header matches only present_match:false (or, inverted,
  // present_match:true); a present value is matched and then inverted.
  const Node* pm = f.get("presentMatch");
  size_t specifiers = 0;
  for (const char* k : {"exactMatch", "safeRegexMatch", "presentMatch", "prefixMatch", "suffixMatch",
                        "containsMatch", "stringMatch"})
    if (f.get(k)) ++specifiers;
  if (specifiers > 1) fail(n, path, "a header matcher sets one match specifier");
  if (pm || specifiers == 0) {
    bool want = pm ? boolean(pm, f.path("presentMatch")) : true;
    bool positive = want != invert;
    return positive ? present : f_not(present);
  }
  F m = f_true();
  auto plain = [&](const char* k, ir::Op op) {
    std::string s = scalar(f.get(k), f.path(k));
    if (attr == Attribute::Host) {
      if (has_letters(s))
        fail(n, path, "a case-sensitive match on :authority is not expressible (hosts are compared lower-cased)");
    }
    if (s.empty()) return present;  // an empty exact/prefix/suffix/contains accepts any present value
    if (op == ir::Op::Glob) {
      if (s.find('*') != std::string::npos) fail(n, path, "contains with a '*' is not expressible");
      s = "*" + s + "*";
    }
    return f_atom(ir::make_atom(attr, op, s, key));
  };
  if (f.get("exactMatch")) m = plain("exactMatch", ir::Op::Exact);
  else if (f.get("prefixMatch")) m = plain("prefixMatch", ir::Op::Prefix);
  else if (f.get("suffixMatch")) m = plain("suffixMatch", ir::Op::Suffix);
  else if (f.get("containsMatch")) m = plain("containsMatch", ir::Op::Glob);
  else if (f.get("safeRegexMatch")) {
    Fields r(*f.get("safeRegexMatch"), f.path("safeRegexMatch"), {"regex", "googleRe2"});
    std::string re = scalar(r.get("regex"), r.path("regex"));
    if (attr == Attribute::Host) fail(n, path, "a regex on :authority is not expressible (hosts are compared lower-cased)");
    m = (re == ".*") ? present : f_atom(ir::make_atom(attr, ir::Op::Regex, re, key));
  } else {
    m = string_matcher(*f.get("stringMatch"), f.path("stringMatch"), attr, key);
  }
  if (!invert) return m;
  return f_and({present, f_not(std::move(m))});
}

F cidr(const Node& n, const std::string& path, Attribute attr) {
  Fields f(n, path, {"addressPrefix", "prefixLen"});
  std::string addr = scalar(f.get("addressPrefix"), f.path("addressPrefix"));
  uint64_t len = 0;
  if (const Node* pl = f.get("prefixLen")) {
    if (pl->is_map()) {
      Fields w(*pl, f.path("prefixLen"), {"value"});
      len = number(w.get("value"), w.path("value"), 128);
    } else {
      len = number(pl, f.path("prefixLen"), 128);
    }
  }
  auto c = ir::parse_cidr(addr + "/" + std::to_string(len));
  if (!c) fail(n, path, "invalid CIDR range " + addr + "/" + std::to_string(len));
  return f_atom(ir::make_cidr_atom(attr, *c));
}

// A ValueMatcher that is one string matcher or an OR of them; `list_ok` also accepts
// list_match{one_of: string_match} items (a metadata set element).
void value_string_matchers(const Node& n, const std::string& path, bool list_ok, Attribute attr,
                           const std::string& key, std::vector<F>& out) {
  Fields f(n, path, {"nullMatch", "doubleMatch", "stringMatch", "boolMatch", "presentMatch", "listMatch", "orMatch"});
  auto [k, v] = f.only();
  if (k == "stringMatch") {
    out.push_back(string_matcher(*v, f.path(k), attr, key));
  } else if (k == "orMatch") {
    Fields o(*v, f.path(k), {"valueMatchers"});
    const auto& items = seq(o.get("valueMatchers"), o.path("valueMatchers"));
    for (size_t i = 0; i < items.size(); ++i)
      value_string_matchers(items[i], o.path("valueMatchers") + "[" + std::to_string(i) + "]", list_ok, attr, key, out);
  } else if (k == "listMatch" && list_ok) {
    Fields l(*v, f.path(k), {"oneOf"});
    if (!l.get("oneOf")) fail(*v, f.path(k), "list_match without one_of");
    value_string_matchers(*l.get("oneOf"), l.path("oneOf"), false, attr, key, out);
  } else {
    fail(*v, f.path(k), k + " is not expressible on " + std::string(ir::attribute_name(attr)) +
                            " (only string matchers are)");
  }
}

// Canonical text of a formula, to compare the two halves of Istio's OR(list-contains, equals) matcher.
std::string canon(const F& f) {
  switch (f.k) {
    case F::True: return "T";
    case F::False: return "F";
    case F::Atom: return ir::to_string(f.atom);
    case F::Not: return "!(" + canon(f.kids[0]) + ")";
    case F::And:
    case F::Or: {
      std::vector<std::string> ks;
      for (const auto& k : f.kids) ks.push_back(canon(k));
      std::sort(ks.begin(), ks.end());
      std::string out = f.k == F::And ? "&(" : "|(";
      for (const auto& k : ks) out += k + ",";
      return out + ")";
    }
  }
  return "?";
}

F metadata(const Node& n, const std::string& path) {
  Fields f(n, path, {"filter", "path", "value", "invert"});
  std::string filter = scalar(f.get("filter"), f.path("filter"));
  std::vector<std::string> keys;
  const auto& segs = seq(f.get("path"), f.path("path"));
  for (size_t i = 0; i < segs.size(); ++i) {
    Fields s(segs[i], f.path("path") + "[" + std::to_string(i) + "]", {"key"});
    keys.push_back(scalar(s.get("key"), s.path("key")));
  }
  bool invert = f.get("invert") && boolean(f.get("invert"), f.path("invert"));
  const Node* value = f.get("value");
  if (!value) fail(n, path, "metadata matcher without a value");
  std::string vpath = f.path("value");
  F out = f_false();
  if (filter == kJwtFilter) {
    if (keys.size() < 2 || keys[0] != "payload")
      fail(n, path, "a jwt_authn metadata matcher must read payload.<claim>");
    Fields v(*value, vpath, {"nullMatch", "doubleMatch", "stringMatch", "boolMatch", "presentMatch", "listMatch", "orMatch"});
    auto [vk, vn] = v.only();
    if (vk == "stringMatch") {
      // A plain string match: Istio uses it for iss and sub (requestPrincipals, IS §5).
      Attribute attr;
      if (keys.size() == 2 && keys[1] == "iss") attr = Attribute::AuthIssuer;
      else if (keys.size() == 2 && keys[1] == "sub") attr = Attribute::AuthSubject;
      else
        fail(*value, vpath, "a plain string match on JWT claim " + keys[1] +
                                " matches string claims only; meshproof models claims as sets (IS §5 uses "
                                "OR(list-contains, equals)): not expressible");
      out = string_matcher(*vn, v.path(vk), attr, "");
    } else if (vk == "orMatch") {
      // Istio's OR(list_match{one_of: V}, V) over the claim: "some element satisfies V" in the IR.
      Fields o(*vn, v.path(vk), {"valueMatchers"});
      const auto& items = seq(o.get("valueMatchers"), o.path("valueMatchers"));
      Attribute attr = Attribute::AuthClaim;
      std::string key;
      if (keys.size() == 2 && keys[1] == "aud") attr = Attribute::AuthAudiences;
      else if (keys.size() == 2 && keys[1] == "azp") attr = Attribute::AuthPresenters;
      else
        for (size_t i = 1; i < keys.size(); ++i) key += (i > 1 ? "." : "") + keys[i];
      if (items.size() != 2) fail(*vn, v.path(vk), "expected Istio's OR(list_match{one_of: V}, V) claim matcher");
      std::string p0 = o.path("valueMatchers") + "[0]", p1 = o.path("valueMatchers") + "[1]";
      Fields first(items[0], p0, {"listMatch"});
      Fields list(*first.get("listMatch"), p0 + ".listMatch", {"oneOf"});
      if (!list.get("oneOf")) fail(items[0], p0, "list_match without one_of");
      std::vector<F> a, b;
      value_string_matchers(*list.get("oneOf"), list.path("oneOf"), false, attr, key, a);
      value_string_matchers(items[1], p1, false, attr, key, b);
      F fa = f_or(std::move(a)), fb = f_or(std::move(b));
      if (canon(fa) != canon(fb))
        fail(*vn, v.path(vk), "the list half and the string half of the claim matcher differ: not expressible");
      out = std::move(fa);
    } else {
      fail(*vn, v.path(vk), vk + " on a JWT claim is not expressible");
    }
  } else {
    // experimental.envoy.filters.*: opaque metadata, modelled as a set (ir.h Metadata).
    if (keys.size() != 1) fail(n, path, "metadata matchers on " + filter + " need exactly one path key");
    std::string key = filter + "[" + keys[0] + "]";
    std::vector<F> ms;
    value_string_matchers(*value, vpath, true, Attribute::Metadata, key, ms);
    out = f_or(std::move(ms));
  }
  return invert ? f_not(std::move(out)) : out;
}

F permission(const Node& n, const std::string& path);
F principal(const Node& n, const std::string& path);

std::vector<F> list_of(const Node& set, const std::string& path, const char* key, bool perm) {
  Fields f(set, path, {key});
  const auto& items = seq(f.get(key), f.path(key));
  std::vector<F> out;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string p = f.path(key) + "[" + std::to_string(i) + "]";
    out.push_back(perm ? permission(items[i], p) : principal(items[i], p));
  }
  return out;
}

F common_rule(const std::string& k, const Node& v, const std::string& p, bool perm, bool& handled) {
  handled = true;
  if (k == "any") {
    if (!boolean(&v, p)) fail(v, p, "any: false is not a valid matcher");
    return f_true();
  }
  if (k == "header") return header_matcher(v, p);
  if (k == "urlPath") {
    Fields f(v, p, {"path", "ignoreCase"});
    if (!f.get("path")) fail(v, p, "url_path without path");
    return string_matcher(*f.get("path"), f.path("path"), Attribute::Path, "");
  }
  if (k == "metadata") return metadata(v, p);
  handled = false;
  return f_false();
}

F permission(const Node& n, const std::string& path) {
  Fields f(n, path, {"andRules", "orRules", "any", "header", "urlPath", "destinationIp", "destinationPort",
                     "destinationPortRange", "metadata", "notRule", "requestedServerName", "matcher",
                     "uriTemplate", "sourcedMetadata"});
  auto [k, v] = f.only();
  std::string p = f.path(k);
  bool handled = false;
  F c = common_rule(k, *v, p, true, handled);
  if (handled) return c;
  if (k == "andRules") return f_and(list_of(*v, p, "rules", true));
  if (k == "orRules") return f_or(list_of(*v, p, "rules", true));
  if (k == "notRule") return f_not(permission(*v, p));
  if (k == "destinationIp") return cidr(*v, p, Attribute::DestinationIp);
  if (k == "destinationPort") return f_atom(ir::make_port_atom(static_cast<uint32_t>(number(v, p, 0xffffffffu))));
  if (k == "destinationPortRange") {
    Fields r(*v, p, {"start", "end"});
    uint64_t s = r.get("start") ? number(r.get("start"), r.path("start"), 0xffffffffu) : 0;
    uint64_t e = r.get("end") ? number(r.get("end"), r.path("end"), 0xffffffffu) : 0;
    if (e > s + 4096) fail(*v, p, "port ranges wider than 4096 ports are not expanded");
    std::vector<F> ors;
    for (uint64_t q = s; q < e; ++q) ors.push_back(f_atom(ir::make_port_atom(static_cast<uint32_t>(q))));
    return f_or(std::move(ors));
  }
  if (k == "requestedServerName") return string_matcher(*v, p, Attribute::ConnectionSni, "");
  if (k == "uriTemplate") {
    Fields u(*v, p, {"name", "typedConfig"});
    const Node* tc = u.get("typedConfig");
    if (!tc) fail(*v, p, "uri_template without typed_config");
    Fields t(*tc, u.path("typedConfig"), {"@type", "pathTemplate"});
    std::string type = scalar(t.get("@type"), t.path("@type"));
    if (type != "type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig")
      fail(*tc, u.path("typedConfig"), "unsupported path matcher " + type);
    return f_atom(ir::make_atom(Attribute::Path, ir::Op::PathTemplate, scalar(t.get("pathTemplate"), t.path("pathTemplate"))));
  }
  fail(*v, p, "permission matcher \"" + k + "\" is not supported");
}

F principal(const Node& n, const std::string& path) {
  Fields f(n, path, {"andIds", "orIds", "any", "authenticated", "sourceIp", "directRemoteIp", "remoteIp",
                     "header", "urlPath", "metadata", "filterState", "notId", "sourcedMetadata", "custom"});
  auto [k, v] = f.only();
  std::string p = f.path(k);
  bool handled = false;
  F c = common_rule(k, *v, p, false, handled);
  if (handled) return c;
  if (k == "andIds") return f_and(list_of(*v, p, "ids", false));
  if (k == "orIds") return f_or(list_of(*v, p, "ids", false));
  if (k == "notId") return f_not(principal(*v, p));
  if (k == "authenticated") {
    Fields a(*v, p, {"principalName"});
    // No principal_name: any authenticated (mTLS) peer.
    if (!a.get("principalName")) return f_atom(ir::make_atom(Attribute::PeerTrustDomain, ir::Op::Present));
    return principal_matcher(*a.get("principalName"), a.path("principalName"));
  }
  if (k == "directRemoteIp") return cidr(*v, p, Attribute::SourceIp);
  if (k == "remoteIp") return cidr(*v, p, Attribute::RemoteIp);
  if (k == "sourceIp")
    fail(*v, p, "source_ip (deprecated) reads the connection's remote address, which PROXY protocol may "
                "rewrite; meshproof models direct_remote_ip and remote_ip only");
  fail(*v, p, "principal matcher \"" + k + "\" is not supported");
}

// ---------------------------------------------------------------------------------------------------
// Formulas → IR clauses
// ---------------------------------------------------------------------------------------------------

bool term_of(const F& x, ir::Term& t) {
  if (x.k == F::True) return true;
  if (x.k == F::False) {
    t.is_false = true;
    return true;
  }
  if (x.k == F::Atom) {
    t.atoms.push_back(x.atom);
    return true;
  }
  if (x.k == F::And) {
    for (const auto& k : x.kids)
      if (k.k != F::Atom) return false;
    for (const auto& k : x.kids) t.atoms.push_back(k.atom);
    return true;
  }
  return false;
}

bool match_of(const F& g, ir::Match& m) {
  const F* h = &g;
  if (g.k == F::Not) {
    m.negated = true;
    h = &g.kids[0];
  }
  std::vector<const F*> parts;
  if (h->k == F::Or) {
    for (const auto& k : h->kids) parts.push_back(&k);
  } else {
    parts.push_back(h);
  }
  for (const F* x : parts) {
    ir::Term t;
    if (!term_of(*x, t)) return false;
    m.terms.push_back(std::move(t));
  }
  return true;
}

// Literal-level DNF for shapes outside Istio's: a list of conjunctions of (atom, positive).
using Conj = std::vector<std::pair<ir::Atom, bool>>;
constexpr size_t kMaxDnf = 4096;

bool dnf(const F& f, bool positive, std::vector<Conj>& out) {
  switch (f.k) {
    case F::True: out = positive ? std::vector<Conj>{Conj{}} : std::vector<Conj>{}; return true;
    case F::False: out = positive ? std::vector<Conj>{} : std::vector<Conj>{Conj{}}; return true;
    case F::Atom: out = {Conj{{f.atom, positive}}}; return true;
    case F::Not: return dnf(f.kids[0], !positive, out);
    case F::And:
    case F::Or: {
      bool conj = (f.k == F::And) == positive;
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

void clauses_of(const std::vector<F>& list, ir::ClauseKind kind, const Node& at, const std::string& path,
                std::vector<ir::Clause>& out) {
  std::vector<const F*> disjuncts;
  for (const auto& f : list) {
    if (f.k == F::Or) {
      for (const auto& k : f.kids) disjuncts.push_back(&k);
    } else {
      disjuncts.push_back(&f);
    }
  }
  for (const F* d : disjuncts) {
    if (d->k == F::False) continue;
    ir::Clause c;
    c.kind = kind;
    c.loc = at.loc;
    bool fits = true;
    if (d->k != F::True) {
      std::vector<const F*> conj;
      if (d->k == F::And) {
        for (const auto& k : d->kids) conj.push_back(&k);
      } else {
        conj.push_back(d);
      }
      for (const F* g : conj) {
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

// ---------------------------------------------------------------------------------------------------
// Policies and filters
// ---------------------------------------------------------------------------------------------------

const std::string kExtAuthzPrefix = "istio-ext-authz-";
const std::string kBadCustomSuffix = "-deny-due-to-bad-CUSTOM-action";

bool starts_with(const std::string& s, const std::string& p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// "[istio-ext-authz-<provider>-]ns[NS]-policy[NAME]-rule[I][-deny-due-to-bad-CUSTOM-action]" → ref.
void parse_policy_name(const std::string& full, ir::PolicyRef& ref, int& index) {
  std::string s = full;
  if (ends_with(s, kBadCustomSuffix)) s.resize(s.size() - kBadCustomSuffix.size());
  if (starts_with(s, kExtAuthzPrefix)) {
    size_t ns = s.find("-ns[", kExtAuthzPrefix.size() - 1);
    if (ns != std::string::npos) {
      ref.provider = s.substr(kExtAuthzPrefix.size(), ns >= kExtAuthzPrefix.size() ? ns - kExtAuthzPrefix.size() : 0);
      s = s.substr(ns + 1);
    }
  }
  index = -1;
  ref.ns.clear();
  ref.name = full;
  if (!starts_with(s, "ns[")) return;
  size_t p = s.find("]-policy[");
  size_t r = s.rfind("]-rule[");
  if (p == std::string::npos || r == std::string::npos || r < p || s.back() != ']') return;
  std::string digits = s.substr(r + 7, s.size() - r - 8);
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return;
  ref.ns = s.substr(3, p - 3);
  ref.name = s.substr(p + 9, r - p - 9);
  index = std::stoi(digits);
}

struct RawPolicy {
  std::string name;
  ir::Rule rule;
};

struct RawRules {
  bool present = false;
  std::string action = "ALLOW";
  std::vector<RawPolicy> policies;
};

struct RawFilter {
  enum Kind { Rbac, ExtAuthz, Other } kind = Other;
  std::string name;
  std::string path;
  const Node* node = nullptr;
  RawRules rules, shadow;
  bool ext_all = false;         // ext_authz without filter_enabled_metadata: every request
  std::string ext_prefix;       // ext_authz trigger prefix
};

RawRules rule_set(const Node& n, const std::string& path) {
  RawRules r;
  r.present = true;
  Fields f(n, path, {"action", "policies", "auditLoggingOptions"});
  if (const Node* a = f.get("action")) {
    r.action = scalar(a, f.path("action"));
    if (r.action != "ALLOW" && r.action != "DENY" && r.action != "LOG")
      fail(*a, f.path("action"), "unknown RBAC action \"" + r.action + "\"");
  }
  if (const Node* ps = f.get("policies")) {
    if (ps->is_null()) return r;
    if (!ps->is_map()) fail(*ps, f.path("policies"), "expected a map of policies");
    for (const auto& e : ps->entries) {
      std::string pp = f.path("policies") + "[\"" + e.key + "\"]";
      Fields pol(e.value, pp, {"permissions", "principals", "condition", "checkedCondition"});
      if (pol.get("condition") || pol.get("checkedCondition"))
        fail(e.value, pp, "CEL conditions on RBAC policies are not supported");
      std::vector<F> perms, prins;
      const auto& pl = seq(pol.get("permissions"), pol.path("permissions"));
      for (size_t i = 0; i < pl.size(); ++i)
        perms.push_back(permission(pl[i], pol.path("permissions") + "[" + std::to_string(i) + "]"));
      const auto& il = seq(pol.get("principals"), pol.path("principals"));
      for (size_t i = 0; i < il.size(); ++i)
        prins.push_back(principal(il[i], pol.path("principals") + "[" + std::to_string(i) + "]"));
      RawPolicy rp;
      rp.name = e.key;
      rp.rule.loc = e.key_loc;
      parse_policy_name(e.key, rp.rule.policy, rp.rule.index);
      rp.rule.policy.loc = e.key_loc;
      clauses_of(prins, ir::ClauseKind::Principal, e.value, pp + ".principals", rp.rule.principals);
      clauses_of(perms, ir::ClauseKind::Permission, e.value, pp + ".permissions", rp.rule.permissions);
      r.policies.push_back(std::move(rp));
    }
  }
  return r;
}

RawFilter raw_filter(const Node& n, const std::string& path, ir::Protocol protocol, bool skip_other) {
  RawFilter rf;
  rf.path = path;
  rf.node = &n;
  Fields f(n, path, {"name", "typedConfig", "isOptional", "disabled", "configDiscovery"});
  rf.name = scalar(f.get("name"), f.path("name"));
  bool http = protocol == ir::Protocol::Http;
  const std::string rbac = http ? "envoy.filters.http.rbac" : "envoy.filters.network.rbac";
  const std::string ext = http ? "envoy.filters.http.ext_authz" : "envoy.filters.network.ext_authz";
  const Node* tc = f.get("typedConfig");
  std::string type;
  if (tc && tc->is_map()) {
    if (const Node* t = tc->find("@type")) type = t->scalar;
  }
  const std::string rbac_type = http ? "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC"
                                     : "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";
  const std::string ext_type = http ? "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"
                                    : "type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz";
  bool is_rbac = type == rbac_type || (type.empty() && rf.name == rbac);
  bool is_ext = type == ext_type || (type.empty() && rf.name == ext);
  if (!is_rbac && !is_ext) {
    if (skip_other) return rf;
    fail(n, path, "filter \"" + rf.name + "\" is not an " + (http ? "HTTP" : "network") +
                      " RBAC or ext_authz filter");
  }
  if (f.get("disabled") && boolean(f.get("disabled"), f.path("disabled")))
    fail(n, path, "a disabled filter (enabled per route) is not supported");
  if (!tc) fail(n, path, "filter without typed_config");
  std::string tp = f.path("typedConfig");
  if (is_rbac) {
    rf.kind = RawFilter::Rbac;
    Fields t(*tc, tp, {"@type", "rules", "shadowRules", "shadowRulesStatPrefix", "rulesStatPrefix", "statPrefix",
                       "matcher", "shadowMatcher", "trackPerRuleStats", "enforcementType", "delayDenyMs"});
    if (t.get("matcher") || t.get("shadowMatcher"))
      fail(*tc, tp, "RBAC filters configured with the generic matcher API are not supported");
    if (const Node* r = t.get("rules"); r && !r->is_null()) rf.rules = rule_set(*r, t.path("rules"));
    if (const Node* s = t.get("shadowRules"); s && !s->is_null()) rf.shadow = rule_set(*s, t.path("shadowRules"));
    return rf;
  }
  rf.kind = RawFilter::ExtAuthz;
  if (!tc->is_map()) fail(*tc, tp, "expected a map");
  const Node* fem = nullptr;
  for (const auto& e : tc->entries)
    if (camel(e.key) == "filterEnabledMetadata") fem = &e.value;
  if (!fem) {
    rf.ext_all = true;
    return rf;
  }
  std::string fp = tp + ".filterEnabledMetadata";
  Fields m(*fem, fp, {"filter", "path", "value", "invert"});
  std::string filt = scalar(m.get("filter"), m.path("filter"));
  const auto& segs = seq(m.get("path"), m.path("path"));
  bool shape = filt == rbac && segs.size() == 1 && !(m.get("invert") && boolean(m.get("invert"), m.path("invert")));
  std::string key;
  if (shape) {
    Fields s(segs[0], m.path("path") + "[0]", {"key"});
    key = scalar(s.get("key"), s.path("key"));
  }
  if (!shape || key != "istio_ext_authz_shadow_effective_policy_id" || !m.get("value"))
    fail(*fem, fp, "filter_enabled_metadata is not Istio's shadow-policy trigger (" + rbac +
                       " / istio_ext_authz_shadow_effective_policy_id prefix match)");
  Fields v(*m.get("value"), m.path("value"), {"stringMatch"});
  if (!v.get("stringMatch")) fail(*m.get("value"), m.path("value"), "expected a string_match prefix");
  Fields sm(*v.get("stringMatch"), v.path("stringMatch"), {"prefix"});
  rf.ext_prefix = scalar(sm.get("prefix"), sm.path("prefix"));
  if (rf.ext_prefix.empty()) fail(*v.get("stringMatch"), v.path("stringMatch"), "empty ext_authz trigger prefix");
  return rf;
}

void add_rules(std::vector<ir::Rule>& dest, const RawRules& rs, model::Action action, bool dry_run,
               const std::string& provider) {
  for (const auto& p : rs.policies) {
    ir::Rule r = p.rule;
    r.policy.action = action;
    r.policy.dry_run = dry_run;
    if (!provider.empty()) r.policy.provider = provider;
    dest.push_back(std::move(r));
  }
}

model::Action action_of(const std::string& a) {
  if (a == "DENY") return model::Action::Deny;
  if (a == "LOG") return model::Action::Audit;
  return model::Action::Allow;
}

std::vector<ir::Rule>& list_for(DecodedTable& t, model::Action a) {
  switch (a) {
    case model::Action::Deny: return t.deny;
    case model::Action::Audit: return t.audit;
    case model::Action::Custom: return t.custom;
    default: return t.allow;
  }
}

void classify(std::vector<RawFilter>& raw, DecodedTable& out) {
  bool delegate = false, fail_closed = false;
  size_t allow_enforcing = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    RawFilter& f = raw[i];
    if (f.kind == RawFilter::Other) {
      out.skipped_filters.push_back(f.name);
      continue;
    }
    if (f.kind == RawFilter::ExtAuthz) {
      ++out.ext_authz_filters;
      if (f.ext_all) {
        // Every request goes to the authorizer: one CUSTOM rule that always matches.
        ir::Rule r;
        r.index = -1;
        r.policy.name = "ext_authz[" + std::to_string(i) + "] (no filter_enabled_metadata)";
        r.policy.action = model::Action::Custom;
        r.principals.push_back(ir::Clause{ir::ClauseKind::Principal, -1, {}, f.node->loc, false});
        r.permissions.push_back(ir::Clause{ir::ClauseKind::Permission, -1, {}, f.node->loc, false});
        out.custom.push_back(std::move(r));
        delegate = true;
      }
      continue;  // a prefixed ext_authz is consumed by the RBAC filter before it
    }
    ++out.rbac_filters;
    // CUSTOM, delegating: shadow rules named with the prefix the next filter (ext_authz) triggers on.
    const RawFilter* next = i + 1 < raw.size() ? &raw[i + 1] : nullptr;
    bool pair = next && next->kind == RawFilter::ExtAuthz && !next->ext_all && f.shadow.present &&
                f.shadow.action == "DENY" && !f.shadow.policies.empty();
    if (pair)
      for (const auto& p : f.shadow.policies)
        if (!starts_with(p.name, next->ext_prefix + "-")) pair = false;
    if (pair) {
      if (!starts_with(next->ext_prefix, kExtAuthzPrefix))
        fail(*next->node, next->path, "ext_authz trigger prefix does not start with " + kExtAuthzPrefix);
      std::string provider = next->ext_prefix.substr(kExtAuthzPrefix.size());
      add_rules(out.custom, f.shadow, model::Action::Custom, false, provider);
      delegate = true;
      // Enforcing rules in a CUSTOM filter (Istio puts dry-run CUSTOM rules there) act by their action.
      if (f.rules.present) {
        model::Action a = action_of(f.rules.action);
        if (a == model::Action::Allow) fail(*f.node, f.path, "an enforcing ALLOW rule set inside a CUSTOM filter is not supported");
        add_rules(list_for(out, a), f.rules, a, false, "");
      }
      continue;
    }
    // CUSTOM, fail-closed: an enforcing DENY whose policies all carry Istio's CUSTOM prefix (IS §2).
    bool closed = f.rules.present && f.rules.action == "DENY" && !f.rules.policies.empty() && !f.shadow.present;
    if (closed)
      for (const auto& p : f.rules.policies)
        if (!starts_with(p.name, kExtAuthzPrefix)) closed = false;
    if (closed) {
      add_rules(out.custom, f.rules, model::Action::Custom, false, "");
      fail_closed = true;
      continue;
    }
    if (f.rules.present) {
      model::Action a = action_of(f.rules.action);
      if (a == model::Action::Allow) {
        ++allow_enforcing;
        out.has_allow_policy = true;
      }
      add_rules(list_for(out, a), f.rules, a, false, "");
    }
    if (f.shadow.present) {
      model::Action a = action_of(f.shadow.action);
      add_rules(list_for(out, a), f.shadow, a, true, "");
    }
  }
  if (allow_enforcing > 1)
    throw Failure{DecodeError{raw.front().node->loc, raw.front().path,
                              "several enforcing ALLOW RBAC filters: a request must pass each of them, which "
                              "meshproof's decision model (one ALLOW set, IS §2) cannot express"}};
  if (delegate && fail_closed)
    throw Failure{DecodeError{raw.front().node->loc, raw.front().path,
                              "both delegating and fail-closed CUSTOM filters: not expressible"}};
  out.custom_mode = delegate ? ir::CustomMode::Delegate
                             : fail_closed ? ir::CustomMode::FailClosed : ir::CustomMode::None;
}

}  // namespace

bool decode_principal_name(const load::Node& matcher, std::vector<ir::Term>& terms, std::string& error) {
  try {
    F f = principal_matcher(matcher, "principalName");
    terms.clear();
    // principal_matcher returns an OR of ANDs of atoms.
    std::vector<const F*> ds;
    if (f.k == F::Or) {
      for (const auto& k : f.kids) ds.push_back(&k);
    } else if (f.k != F::False) {
      ds.push_back(&f);
    }
    for (const F* d : ds) {
      ir::Term t;
      if (!term_of(*d, t)) {
        error = "unexpected shape";
        return false;
      }
      terms.push_back(std::move(t));
    }
    return true;
  } catch (const Failure& e) {
    error = e.e.message;
    return false;
  }
}

bool decode_filters(const std::vector<const load::Node*>& filters, const std::vector<std::string>& paths,
                    ir::Protocol protocol, const DecodeOptions& options, DecodedTable& out,
                    std::vector<DecodeError>& errors) {
  out = DecodedTable{};
  out.protocol = protocol;
  try {
    std::vector<RawFilter> raw;
    for (size_t i = 0; i < filters.size(); ++i)
      raw.push_back(raw_filter(*filters[i], i < paths.size() ? paths[i] : "filters[" + std::to_string(i) + "]",
                               protocol, options.skip_other_filters));
    if (!raw.empty()) classify(raw, out);
    return true;
  } catch (const Failure& f) {
    errors.push_back(f.e);
    return false;
  }
}

bool decode_table(const load::Node& root, ir::Protocol protocol, DecodedTable& out,
                  std::vector<DecodeError>& errors) {
  std::vector<const load::Node*> filters;
  std::vector<std::string> paths;
  if (root.is_seq()) {
    for (size_t i = 0; i < root.items.size(); ++i) {
      filters.push_back(&root.items[i]);
      paths.push_back("[" + std::to_string(i) + "]");
    }
  } else if (root.is_map()) {
    filters.push_back(&root);
    paths.push_back("$");
  } else if (!root.is_null()) {
    errors.push_back(DecodeError{root.loc, "$", std::string("expected a list of filters or one filter, found ") +
                                                    root.type_name()});
    return false;
  }
  return decode_filters(filters, paths, protocol, DecodeOptions{}, out, errors);
}

ir::Program to_program(const DecodedTable& t, const ir::Program& context) {
  ir::Program p = context;
  p.custom = t.custom;
  p.deny = t.deny;
  p.allow = t.allow;
  p.audit = t.audit;
  p.custom_mode = t.custom_mode;
  p.custom_reason = t.custom_mode == ir::CustomMode::FailClosed
                        ? "the table enforces the CUSTOM rules as DENY (Istio's fail-closed CUSTOM, IS §2)"
                        : "";
  p.has_allow_policy = t.has_allow_policy;
  p.drops.clear();
  return p;
}

}  // namespace meshproof::compile
