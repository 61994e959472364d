#include "compile/decode/value_matchers.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/text.h"
#include "compile/decode/decode.h"
#include "compile/decode/internal.h"
#include "ir/ip.h"

namespace meshproof::compile {

namespace decoder {

using ir::Attribute;

namespace {

const char* kJwtFilter = "envoy.filters.http.jwt_authn";
// The oneof of a ValueMatcher (type.matcher.v3).
// StringMatcher (type.matcher.v3).
const std::vector<std::string_view> kStringMatcherFields = {"exact",    "prefix",     "suffix", "safeRegex",
                                                            "contains", "ignoreCase", "custom"};
const std::vector<std::string_view> kValueMatcherFields = {"nullMatch",    "doubleMatch", "stringMatch", "boolMatch",
                                                           "presentMatch", "listMatch",   "orMatch"};

bool has_letters(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c); });
}

// A ValueMatcher that is one string matcher or an OR of them; `list_ok` also accepts
// list_match{one_of: string_match} items (a metadata set element).
void value_string_matchers(const Node& n, const std::string& path, bool list_ok, Attribute attr, const std::string& key,
                           std::vector<Formula>& out) {
  Fields f(n, path, kValueMatcherFields);
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
    fail(*v, f.path(k),
         k + " is not expressible on " + std::string(ir::attribute_name(attr)) + " (only string matchers are)");
  }
}

}  // namespace

// StringMatcher on a (non-peer) attribute.
Formula string_matcher(const Node& n, const std::string& path, Attribute attr, const std::string& key) {
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
      fail(*v, f.path(kind),
           "a regex on :authority is case-sensitive in Envoy, but meshproof compares hosts "
           "lower-cased (docs/semantics.md#value-matching): not expressible");
    return f_atom(ir::make_atom(attr, ir::Op::Regex, re, key));
  }
  std::string s = scalar(v, f.path(kind));
  if (attr == Attribute::Host) {
    // The IR compares hosts lower-cased, which is exactly ignore_case (IS §5).
    if (!ignore_case && has_letters(s))
      fail(n, path,
           "a case-sensitive match on :authority is not expressible (meshproof compares hosts "
           "lower-cased, as Istio's ignore_case host matchers do, docs/semantics.md#value-matching)");
    s = ascii_lower(s);
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
Formula principal_name_matcher(const Node& n, const std::string& path) {
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

namespace {

// Where a header matcher's header lives in the IR's request model, as the IR lowers
// `request.headers[NAME]` (docs/semantics.md "Pseudo-headers"). `:method` is the request method: Istio
// writes `methods` and `request.headers[:method]` as the same matcher. `:authority` matched with
// ignore_case or for presence is Istio's `hosts` (the Host attribute, compared lower-cased); matched
// case-sensitively (`request.headers[:authority]`) it is the header itself, as is `:path` (the
// pseudo-header, which carries the query string, unlike url_path) and every other name.
std::pair<Attribute, std::string> header_attribute(const std::string& name, const Fields& f) {
  if (name == ":method") return {Attribute::Method, ""};
  if (name != ":authority") return {Attribute::Header, name};
  bool ignore_case = false;
  if (const Node* sm = f.get("stringMatch")) {
    Fields s(*sm, f.path("stringMatch"), kStringMatcherFields);
    ignore_case = s.get("ignoreCase") && boolean(s.get("ignoreCase"), s.path("ignoreCase"));
  }
  if (ignore_case || f.get("presentMatch")) return {Attribute::Host, ""};
  return {Attribute::Header, name};
}

}  // namespace

Formula header_matcher(const Node& n, const std::string& path) {
  Fields f(n, path,
           {"name", "exactMatch", "safeRegexMatch", "rangeMatch", "presentMatch", "prefixMatch", "suffixMatch",
            "containsMatch", "stringMatch", "invertMatch", "treatMissingHeaderAsEmpty"});
  std::string name = ascii_lower(scalar(f.get("name"), f.path("name")));
  if (name.empty()) fail(n, path, "header matcher without a name");
  bool invert = f.get("invertMatch") && boolean(f.get("invertMatch"), f.path("invertMatch"));
  auto [attr, key] = header_attribute(name, f);
  if (const Node* tm = f.get("treatMissingHeaderAsEmpty"); tm && boolean(tm, f.path("treatMissingHeaderAsEmpty")))
    fail(n, path, "treat_missing_header_as_empty is not expressible");
  if (f.get("rangeMatch")) fail(*f.get("rangeMatch"), f.path("rangeMatch"), "range_match is not supported");
  Formula present = f_atom(ir::make_atom(attr, ir::Op::Present, "", key));
  // HeaderUtility::matchHeaders: a missing header matches only present_match:false (or, inverted,
  // present_match:true); a present value is matched and then inverted.
  const Node* pm = f.get("presentMatch");
  size_t specifiers = 0;
  for (const char* k :
       {"exactMatch", "safeRegexMatch", "presentMatch", "prefixMatch", "suffixMatch", "containsMatch", "stringMatch"})
    if (f.get(k)) ++specifiers;
  if (specifiers > 1) fail(n, path, "a header matcher sets one match specifier");
  if (pm || specifiers == 0) {
    bool want = pm ? boolean(pm, f.path("presentMatch")) : true;
    bool positive = want != invert;
    return positive ? present : f_not(present);
  }
  Formula m = f_true();
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
  if (f.get("exactMatch"))
    m = plain("exactMatch", ir::Op::Exact);
  else if (f.get("prefixMatch"))
    m = plain("prefixMatch", ir::Op::Prefix);
  else if (f.get("suffixMatch"))
    m = plain("suffixMatch", ir::Op::Suffix);
  else if (f.get("containsMatch"))
    m = plain("containsMatch", ir::Op::Glob);
  else if (f.get("safeRegexMatch")) {
    Fields r(*f.get("safeRegexMatch"), f.path("safeRegexMatch"), {"regex", "googleRe2"});
    std::string re = scalar(r.get("regex"), r.path("regex"));
    if (attr == Attribute::Host)
      fail(n, path, "a regex on :authority is not expressible (hosts are compared lower-cased)");
    m = (re == ".*") ? present : f_atom(ir::make_atom(attr, ir::Op::Regex, re, key));
  } else {
    m = string_matcher(*f.get("stringMatch"), f.path("stringMatch"), attr, key);
  }
  if (!invert) return m;
  return f_and({present, f_not(std::move(m))});
}

Formula cidr_matcher(const Node& n, const std::string& path, Attribute attr) {
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

namespace {

// The IR attribute of a JWT payload field (ir.h: one JWT field, one attribute). `iss` and `sub` are
// strings in every token Envoy accepts (jwt_verify_lib's Jwt::parseFromString rejects a token whose iss
// or sub is not a string), so OR(list contains V, equals V) on them is "equals V": the issuer or subject.
std::pair<Attribute, std::string> claim_attribute(const std::vector<std::string>& keys) {
  if (keys.size() == 2) {
    if (keys[1] == "iss") return {Attribute::AuthIssuer, ""};
    if (keys[1] == "sub") return {Attribute::AuthSubject, ""};
    if (keys[1] == "aud") return {Attribute::AuthAudiences, ""};
    if (keys[1] == "azp") return {Attribute::AuthPresenters, ""};
  }
  std::string key;
  for (size_t i = 1; i < keys.size(); ++i) key += (i > 1 ? "." : "") + keys[i];
  return {Attribute::AuthClaim, key};
}

// Istio's OR(list_match{one_of: V}, V) over a JWT claim: "some element satisfies V" in the IR.
Formula claim_set_matcher(const Node& n, const std::string& path, const std::vector<std::string>& keys) {
  Fields o(n, path, {"valueMatchers"});
  const auto& items = seq(o.get("valueMatchers"), o.path("valueMatchers"));
  auto [attr, key] = claim_attribute(keys);
  if (items.size() != 2) fail(n, path, "expected Istio's OR(list_match{one_of: V}, V) claim matcher");
  std::string p0 = o.path("valueMatchers") + "[0]", p1 = o.path("valueMatchers") + "[1]";
  Fields first(items[0], p0, {"listMatch"});
  Fields list(*first.get("listMatch"), p0 + ".listMatch", {"oneOf"});
  if (!list.get("oneOf")) fail(items[0], p0, "list_match without one_of");
  std::vector<Formula> a, b;
  value_string_matchers(*list.get("oneOf"), list.path("oneOf"), false, attr, key, a);
  value_string_matchers(items[1], p1, false, attr, key, b);
  Formula fa = f_or(std::move(a)), fb = f_or(std::move(b));
  if (canon(fa) != canon(fb))
    fail(n, path, "the list half and the string half of the claim matcher differ: not expressible");
  return fa;
}

// The metadata of jwt_authn: payload.<claim>[.<claim>...] of the validated token.
Formula jwt_claim_matcher(const Node& n, const std::string& path, const std::vector<std::string>& keys,
                          const Node& value, const std::string& vpath) {
  if (keys.size() < 2 || keys[0] != "payload") fail(n, path, "a jwt_authn metadata matcher must read payload.<claim>");
  Fields v(value, vpath, kValueMatcherFields);
  auto [vk, vn] = v.only();
  if (vk == "orMatch") return claim_set_matcher(*vn, v.path(vk), keys);
  if (vk != "stringMatch") fail(*vn, v.path(vk), vk + " on a JWT claim is not expressible");
  // A plain string match: Istio uses it for iss and sub (requestPrincipals, IS §5).
  Attribute attr;
  if (keys.size() == 2 && keys[1] == "iss")
    attr = Attribute::AuthIssuer;
  else if (keys.size() == 2 && keys[1] == "sub")
    attr = Attribute::AuthSubject;
  else
    fail(value, vpath,
         "a plain string match on JWT claim " + keys[1] +
             " matches string claims only; meshproof models claims as sets (docs/semantics.md#value-matching uses "
             "OR(list-contains, equals)): not expressible");
  return string_matcher(*vn, v.path(vk), attr, "");
}

}  // namespace

Formula metadata_matcher(const Node& n, const std::string& path) {
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
  Formula out = f_false();
  if (filter == kJwtFilter) {
    out = jwt_claim_matcher(n, path, keys, *value, vpath);
  } else {
    // experimental.envoy.filters.*: opaque metadata, modelled as a set (ir.h Metadata).
    if (keys.size() != 1) fail(n, path, "metadata matchers on " + filter + " need exactly one path key");
    std::string key = filter + "[" + keys[0] + "]";
    std::vector<Formula> ms;
    value_string_matchers(*value, vpath, true, Attribute::Metadata, key, ms);
    out = f_or(std::move(ms));
  }
  return invert ? f_not(std::move(out)) : out;
}

}  // namespace decoder

bool decode_principal_name(const load::Node& matcher, std::vector<ir::Term>& terms, std::string& error) {
  using namespace decoder;
  try {
    Formula f = principal_name_matcher(matcher, "principalName");
    terms.clear();
    // principal_name_matcher returns an OR of ANDs of atoms.
    std::vector<const Formula*> ds;
    if (f.k == Formula::Or) {
      for (const auto& k : f.kids) ds.push_back(&k);
    } else if (f.k != Formula::False) {
      ds.push_back(&f);
    }
    for (const Formula* d : ds) {
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

}  // namespace meshproof::compile
