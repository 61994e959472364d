// The emitter. Each function names the Istio function it follows (pilot/pkg/security/authz/builder/
// builder.go, model/model.go, model/generator.go, matcher/*.go at the anchor of IS). The output shapes were
// checked against the builder goldens (shared/corpus/istio/.../builder/testdata, test/conformance).
#include "compile/emit/emit.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "ir/ip.h"
#include "ir/values.h"
#include "mesh/mesh.h"

namespace meshproof::compile {

using json = nlohmann::json;

EmittedFilters::EmittedFilters() = default;
EmittedFilters::~EmittedFilters() = default;
EmittedFilters::EmittedFilters(const EmittedFilters&) = default;
EmittedFilters::EmittedFilters(EmittedFilters&&) noexcept = default;
EmittedFilters& EmittedFilters::operator=(const EmittedFilters&) = default;
EmittedFilters& EmittedFilters::operator=(EmittedFilters&&) noexcept = default;

std::string quote_meta(const std::string& s) {
  static const std::string special = "\\.+*?()|[]{}^$";
  std::string out;
  for (char c : s) {
    if (special.find(c) != std::string::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

namespace {

using ir::name_in_brackets;
using ir::StringPattern;

enum class RbacAction { Allow, Deny, Log };

const char* kJwtFilter = "envoy.filters.http.jwt_authn";

// ---- matcher package ----

json string_regex(const std::string& re) { return json{{"safeRegex", json{{"regex", re}}}}; }
json string_exact(const std::string& v) { return json{{"exact", v}}; }
json string_prefix(const std::string& v) { return json{{"prefix", v}}; }
json string_suffix(const std::string& v) { return json{{"suffix", v}}; }

// StringMatcherWithPrefix: "*" first (regex ".+", the prefix ignored), then "*x", then "x*" (IS §5).
json string_matcher_with_prefix(const StringPattern& p, const std::string& prefix) {
  switch (p.kind) {
    case StringPattern::Any:
      return string_regex(".+");
    case StringPattern::Suffix:
      if (prefix.empty()) return string_suffix(p.text);
      return string_regex(quote_meta(prefix) + ".*" + quote_meta(p.text));
    case StringPattern::Prefix:
      return string_prefix(prefix + p.text);
    case StringPattern::Exact:
      break;
  }
  return string_exact(prefix + p.text);
}
json string_matcher_with_prefix(const std::string& v, const std::string& prefix) {
  return string_matcher_with_prefix(ir::string_pattern(v), prefix);
}
json string_matcher(const std::string& v) { return string_matcher_with_prefix(v, ""); }

// HeaderMatcher: "*" is present_match, anything else a StringMatcher.
json header_matcher(const std::string& name, const std::string& v) {
  StringPattern p = ir::string_pattern(v);
  if (p.kind == StringPattern::Any) return json{{"name", name}, {"presentMatch", true}};
  return json{{"name", name}, {"stringMatch", string_matcher_with_prefix(p, "")}};
}
// HostMatcher: the same with ignore_case (IS §5).
json host_matcher(const std::string& name, const std::string& v) {
  StringPattern p = ir::string_pattern(v);
  if (p.kind == StringPattern::Any) return json{{"name", name}, {"presentMatch", true}};
  json m = string_matcher_with_prefix(p, "");
  m["ignoreCase"] = true;
  return json{{"name", name}, {"stringMatch", m}};
}

// StringOrMatcher / OrMatcher: one matcher stays itself.
json or_value_matcher(std::vector<json> ms) {
  if (ms.size() == 1) return ms[0];
  return json{{"orMatch", json{{"valueMatchers", ms}}}};
}
json string_or_matcher(const std::vector<std::string>& vs) {
  std::vector<json> ms;
  for (const auto& v : vs) ms.push_back(json{{"stringMatch", string_matcher(v)}});
  return or_value_matcher(std::move(ms));
}

json metadata_path(const std::vector<std::string>& keys) {
  json p = json::array();
  for (const auto& k : keys) p.push_back(json{{"key", k}});
  return p;
}

// MetadataStringMatcherForJWTClaim: payload.<claim> with a plain string matcher.
json jwt_claim_string(const std::string& claim, json string_match) {
  return json{{"filter", kJwtFilter},
              {"path", metadata_path({"payload", claim})},
              {"value", json{{"stringMatch", std::move(string_match)}}}};
}
// MetadataListValueMatcherForJWTClaims: OR(list contains V, equals V) (IS §5, util.go).
json jwt_claims_list(const std::vector<std::string>& claims, const json& value) {
  std::vector<std::string> path{"payload"};
  path.insert(path.end(), claims.begin(), claims.end());
  json list = json{{"listMatch", json{{"oneOf", value}}}};
  return json{{"filter", kJwtFilter}, {"path", metadata_path(path)}, {"value", or_value_matcher({list, value})}};
}

// util.AddrStrToCidrRange: the address as written (not masked), prefixLen always set (a wrapper).
std::optional<json> cidr_range(const std::string& v, std::string& error) {
  ir::CidrProblem problem = ir::CidrProblem::None;
  auto cidr = ir::parse_cidr_as_written(v, &problem);
  if (!cidr) {
    error = (problem == ir::CidrProblem::Address ? "invalid IP address \"" : "invalid CIDR \"") + v + "\"";
    return std::nullopt;
  }
  return json{{"addressPrefix", cidr->address.to_string()}, {"prefixLen", static_cast<int>(cidr->prefix_len)}};
}

// ---- generators (model/generator.go) ----

using Gen = ir::GeneratorKind;

bool extended(Gen g) {
  return g == Gen::EnvoyFilter || g == Gen::RequestPrincipal || g == Gen::Audiences || g == Gen::Presenter ||
         g == Gen::Claims;
}

struct Item {
  Gen gen;
  std::string key;  // the attribute key as written (header/claims/filter keys are extracted from it)
  std::vector<std::string> values, not_values;
};
using ItemList = std::vector<Item>;

struct GenOut {
  std::optional<json> value;  // nullopt: nothing generated
  std::string error;          // non-empty: the generator failed
};

GenOut fail(std::string e) { return GenOut{std::nullopt, std::move(e)}; }
GenOut ok(json j) { return GenOut{std::move(j), {}}; }

// destIpGenerator, srcIpGenerator, remoteIpGenerator: one CidrRange under the field each fills.
GenOut cidr_match(const char* field, const std::string& v) {
  std::string error;
  auto c = cidr_range(v, error);
  if (!c) return fail(error);
  return ok(json{{field, *c}});
}

// The regex of a glob as Istio builds it: the literal parts quoted, every '*' replaced by `star`.
std::string glob_regex(const std::string& v, const std::string& star) {
  std::string re;
  size_t start = 0;
  while (true) {
    size_t next = v.find('*', start);
    re += quote_meta(v.substr(start, next == std::string::npos ? std::string::npos : next - start));
    if (next == std::string::npos) return re;
    re += star;
    start = next + 1;
  }
}

class Generator {
 public:
  Generator(const std::string& policy_ns, bool for_tcp) : policy_ns_(policy_ns), for_tcp_(for_tcp) {}

  // generator.permission / generator.principal for one value.
  GenOut single(const Item& it, const std::string& v) {
    if (for_tcp_ && ir::generator_http_only(it.gen)) return fail("\"" + it.key + "\" is HTTP only");
    switch (it.gen) {
      case Gen::DestinationIp:
        return cidr_match("destinationIp", v);
      case Gen::SourceIp:
        return cidr_match("directRemoteIp", v);
      case Gen::RemoteIp:
        return cidr_match("remoteIp", v);
      case Gen::DestinationPort: {
        std::optional<uint32_t> p = ir::port_value(v);
        if (!p) return fail("invalid port " + v);
        return ok(json{{"destinationPort", *p}});
      }
      case Gen::Sni:
        return ok(json{{"requestedServerName", string_matcher(v)}});
      case Gen::Namespace:
        // ".*/ns/<v>/.*", every '*' of v → ".*", the rest quoted (IS §5).
        return ok(authenticated(string_regex(".*/ns/" + glob_regex(v, ".*") + "/.*")));
      case Gen::ServiceAccount: {
        // serviceAccountRegex: "ns/sa" or "sa" (the policy's namespace).
        auto [ns, sa] = ir::split_service_account(v, policy_ns_);
        return ok(
            authenticated(string_regex("spiffe://.+/ns/" + quote_meta(ns) + "/(.+/|)sa/" + quote_meta(sa) + "(/.+)?")));
      }
      case Gen::Principal:
        return ok(authenticated(string_matcher_with_prefix(v, "spiffe://")));
      case Gen::TrustDomain: {
        // "*" → prefix spiffe://; no '*' → prefix spiffe://<td>/; else spiffe://<pre>[^/]*<post>/.* (IS §5).
        if (v == "*") return ok(authenticated(string_prefix("spiffe://")));
        if (v.find('*') == std::string::npos) return ok(authenticated(string_prefix("spiffe://" + v + "/")));
        return ok(authenticated(string_regex("spiffe://" + glob_regex(v, "[^/]*") + "/.*")));
      }
      case Gen::Header: {
        auto name = name_in_brackets(it.key.substr(std::string("request.headers").size()));
        if (!name) return fail("expecting format [<NAME>], but found " + it.key);
        return ok(json{{"header", header_matcher(*name, v)}});
      }
      case Gen::Host:
        return ok(json{{"header", host_matcher(":authority", v)}});
      case Gen::Method:
        return ok(json{{"header", header_matcher(":method", v)}});
      case Gen::Path: {
        if (auto t = ir::envoy_path_template(v)) {
          // matcher.PathTemplateMatcher (IS §5).
          return ok(json{{"uriTemplate",
                          json{{"name", "uri-template"},
                               {"typedConfig", json{{"@type",
                                                     "type.googleapis.com/envoy.extensions.path.match.uri_template.v3."
                                                     "UriTemplateMatchConfig"},
                                                    {"pathTemplate", *t}}}}}});
        }
        return ok(json{{"urlPath", json{{"path", string_matcher(v)}}}});
      }
      default:
        return fail("unimplemented");
    }
  }

  // extendedGenerator: all values of one half in one matcher.
  GenOut multi(const Item& it, const std::vector<std::string>& vs) {
    if (for_tcp_ && ir::generator_http_only(it.gen)) return fail("\"" + it.key + "\" is HTTP only");
    switch (it.gen) {
      case Gen::RequestPrincipal: {
        std::vector<json> ors;
        for (const auto& v : vs) ors.push_back(json{{"andIds", json{{"ids", request_principal(v)}}}});
        if (ors.size() == 1) return ok(ors[0]);
        return ok(json{{"orIds", json{{"ids", ors}}}});
      }
      case Gen::Audiences:
        return ok(json{{"metadata", jwt_claims_list({"aud"}, string_or_matcher(vs))}});
      case Gen::Presenter:
        return ok(json{{"metadata", jwt_claims_list({"azp"}, string_or_matcher(vs))}});
      case Gen::Claims: {
        auto claims = ir::names_in_nested_brackets(it.key.substr(std::string("request.auth.claims").size()));
        if (!claims) return fail("invalid claim key " + it.key);
        return ok(json{{"metadata", jwt_claims_list(*claims, string_or_matcher(vs))}});
      }
      case Gen::EnvoyFilter: {
        auto filter_key = ir::parse_envoy_filter_key(it.key);
        if (!filter_key) return fail("invalid key: " + it.key);
        std::vector<json> ms;
        for (const auto& v : vs) {
          if (auto element = ir::list_value_element(v))
            ms.push_back(json{{"listMatch", json{{"oneOf", json{{"stringMatch", string_matcher(*element)}}}}}});
          else
            ms.push_back(json{{"stringMatch", string_matcher(v)}});
        }
        return ok(json{{"metadata", json{{"filter", filter_key->filter},
                                         {"path", metadata_path({filter_key->key})},
                                         {"value", or_value_matcher(std::move(ms))}}}});
      }
      default:
        return fail("unimplemented");
    }
  }

 private:
  static json authenticated(json m) { return json{{"authenticated", json{{"principalName", std::move(m)}}}}; }

  // requestPrincipalGenerator, split at the LAST '/' (IS §5).
  static json request_principal(const std::string& value) {
    ir::RequestPrincipalPattern p = ir::request_principal_pattern(value);
    json issuer = string_matcher_with_prefix(p.issuer, "");
    json subject = string_matcher_with_prefix(p.subject, "");
    return json::array(
        {json{{"metadata", jwt_claim_string("iss", issuer)}}, json{{"metadata", jwt_claim_string("sub", subject)}}});
  }

  std::string policy_ns_;
  bool for_tcp_;
};

// ---- model/model.go ----

struct Model {
  std::vector<ItemList> permissions, principals;
};

std::vector<std::string> strings_of(const model::StrList& l) {
  std::vector<std::string> out;
  for (const auto& s : l.items) out.push_back(s.value);
  return out;
}

// One list per `from` (or `to`) entry: the entry's fields in model.New's order, then the `when` items of
// that side; just the `when` items when there is no entry (IS §4).
template <class Entry, size_t N>
std::vector<ItemList> entry_lists(const std::vector<Entry>& entries, const std::array<ir::FieldSpec<Entry>, N>& fields,
                                  const ItemList& when_items) {
  std::vector<ItemList> out;
  for (const Entry& e : entries) {
    ItemList merged;
    for (const auto& f : fields) {
      const model::StrList& v = e.*f.values;
      const model::StrList& nv = e.*f.not_values;
      if (v.empty() && nv.empty()) continue;
      merged.push_back(Item{f.gen, f.attribute, strings_of(v), strings_of(nv)});
    }
    merged.insert(merged.end(), when_items.begin(), when_items.end());
    out.push_back(std::move(merged));
  }
  if (entries.empty()) out.push_back(when_items);
  return out;
}

// model.New: `when` keys into the base permission/principal, then one list per from/to entry with the
// source/operation fields inserted in front (IS §4). An unknown `when` key fails the whole rule.
std::optional<Model> new_model(const model::Rule& r, std::string& error) {
  ItemList base_perm, base_prin;
  for (const auto& w : r.when) {
    const std::string& k = w.key.value;
    auto when_key = ir::classify_when_key(k);
    if (!when_key) {
      error = "unknown attribute " + k;
      return std::nullopt;
    }
    Item it{when_key->gen, k, strings_of(w.values), strings_of(w.not_values)};
    if (it.values.empty() && it.not_values.empty()) continue;  // appendLast skips empty conditions
    (when_key->permission ? base_perm : base_prin).push_back(std::move(it));
  }
  Model m;
  m.principals = entry_lists(r.from, ir::kSourceFields, base_prin);
  m.permissions = entry_lists(r.to, ir::kOperationFields, base_perm);
  return m;
}

// Model.MigrateTrustDomain (principals) and the trust-domain expansion (trustDomains), the same
// functions the IR uses (ir/lower.h).
void migrate_trust_domain(Model& m, const std::vector<std::string>& tds) {
  for (auto& list : m.principals)
    for (auto& it : list) {
      if (it.gen == Gen::Principal) {
        if (!it.values.empty()) it.values = ir::alias_principals(it.values, tds);
        if (!it.not_values.empty()) it.not_values = ir::alias_principals(it.not_values, tds);
      } else if (it.gen == Gen::TrustDomain) {
        if (!it.values.empty()) it.values = ir::alias_trust_domains(it.values, tds);
        if (!it.not_values.empty()) it.not_values = ir::alias_trust_domains(it.not_values, tds);
      }
    }
}

// rule.checkError: ALLOW propagates generation errors (the rule is skipped); DENY/AUDIT (and CUSTOM,
// built as DENY) ignore the value.
bool propagate(RbacAction a) { return a == RbacAction::Allow; }

// rule.permission / rule.principal: OR over values, then NOT(OR) over notValues.
bool generate_item(Generator& g, const Item& it, RbacAction action, bool permission, std::vector<json>& out,
                   std::string& error) {
  const char* or_key = permission ? "orRules" : "orIds";
  const char* list_key = permission ? "rules" : "ids";
  const char* not_key = permission ? "notRule" : "notId";
  // A failed value (which generates nothing) skips the rule when the action propagates errors.
  auto skips_rule = [&](const GenOut& o) {
    if (o.error.empty() || !propagate(action)) return false;
    error = o.error;
    return true;
  };
  for (int neg = 0; neg < 2; ++neg) {
    const auto& vals = neg ? it.not_values : it.values;
    if (vals.empty()) continue;
    if (extended(it.gen)) {
      GenOut o = g.multi(it, vals);
      if (skips_rule(o)) return false;
      if (o.value) out.push_back(neg ? json{{not_key, *o.value}} : *o.value);
      continue;
    }
    std::vector<json> ors;
    for (const auto& v : vals) {
      GenOut o = g.single(it, v);
      if (skips_rule(o)) return false;
      if (o.value) ors.push_back(*o.value);
    }
    if (ors.empty()) continue;
    json orj = json{{or_key, json{{list_key, ors}}}};
    out.push_back(neg ? json{{not_key, orj}} : orj);
  }
  return true;
}

// One andRules per permission list, or one andIds per principal list; `any` when a list generates nothing.
bool generate_lists(Generator& g, const std::vector<ItemList>& lists, RbacAction action, bool permission, json& out,
                    std::string& error) {
  for (const auto& list : lists) {
    std::vector<json> and_list;
    for (const auto& it : list)
      if (!generate_item(g, it, action, permission, and_list, error)) return false;
    if (and_list.empty()) and_list.push_back(json{{"any", true}});
    out.push_back(json{{permission ? "andRules" : "andIds", json{{permission ? "rules" : "ids", and_list}}}});
  }
  return true;
}

// Model.Generate: permissions, then principals.
std::optional<json> generate(const Model& m, const std::string& policy_ns, bool for_tcp, RbacAction action,
                             std::string& error) {
  Generator g(policy_ns, for_tcp);
  json perms = json::array(), prins = json::array();
  if (!generate_lists(g, m.permissions, action, true, perms, error) ||
      !generate_lists(g, m.principals, action, false, prins, error))
    return std::nullopt;
  return json{{"permissions", perms}, {"principals", prins}};
}

const json& match_never() {
  static const json j = {{"permissions", json::array({json{{"notRule", json{{"any", true}}}}})},
                         {"principals", json::array({json{{"notId", json{{"any", true}}}}})}};
  return j;
}

std::string policy_name(const std::string& ns, const std::string& name, size_t rule, const std::string* provider) {
  std::string prefix;
  if (provider) prefix = provider->empty() ? "istio-ext-authz-" : "istio-ext-authz-" + *provider + "-";
  return prefix + "ns[" + ns + "]-policy[" + name + "]-rule[" + std::to_string(rule) + "]";
}

// An RBAC rule set: action plus named policies; nullopt = absent (nil) in Istio.
struct RuleSet {
  RbacAction action = RbacAction::Allow;
  std::map<std::string, json> policies;
};

json rule_set_json(const RuleSet& r) {
  json j = json::object();
  if (r.action == RbacAction::Deny) j["action"] = "DENY";
  if (r.action == RbacAction::Log) j["action"] = "LOG";
  if (!r.policies.empty()) {
    json p = json::object();
    for (const auto& [k, v] : r.policies) p[k] = v;
    j["policies"] = p;
  }
  return j;
}

// builder.build's loop body for one policy: every rule into `target`.
void add_policy_rules(const model::AuthorizationPolicy& p, RbacAction action, bool for_tcp, const ir::LowerContext& ctx,
                      const std::string* provider, RuleSet& target, std::vector<std::string>& notes) {
  const std::string ns = mesh::effective_namespace(p);
  for (size_t i = 0; i < p.rules.size(); ++i) {
    std::string name = policy_name(ns, p.meta.name, i, provider);
    const model::Rule& r = p.rules[i];
    if (r.is_null) {
      notes.push_back("skipped nil rule " + name);
      continue;
    }
    std::string error;
    auto m = new_model(r, error);
    if (!m) {
      notes.push_back("skipped invalid rule " + name + ": " + error);
      continue;
    }
    migrate_trust_domain(*m, ctx.trust_domains);
    auto gen = generate(*m, ns, for_tcp, action, error);
    if (!gen) {
      notes.push_back("skipped rule " + name + (for_tcp ? " on TCP filter chain: " : ": ") + error);
      continue;
    }
    target.policies[name] = std::move(*gen);
  }
  if (p.rules.empty()) target.policies[policy_name(ns, p.meta.name, 0, provider)] = match_never();
}

const char* kHttpRbac = "envoy.filters.http.rbac";
const char* kTcpRbac = "envoy.filters.network.rbac";

json rbac_filter(bool for_tcp, const std::optional<RuleSet>& rules, const std::optional<RuleSet>& shadow,
                 std::optional<std::string> shadow_prefix) {
  json tc = json::object();
  tc["@type"] = for_tcp ? "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC"
                        : "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";
  if (rules) tc["rules"] = rule_set_json(*rules);
  if (shadow) tc["shadowRules"] = rule_set_json(*shadow);
  if (shadow_prefix && !shadow_prefix->empty()) tc["shadowRulesStatPrefix"] = *shadow_prefix;
  if (for_tcp) tc["statPrefix"] = "tcp.";
  return json{{"name", for_tcp ? kTcpRbac : kHttpRbac}, {"typedConfig", tc}};
}

// shadowRuleStatPrefix: by the shadow rules' action; a nil RBAC reads as ALLOW (IS §2 quirk).
std::string shadow_stat_prefix(const std::optional<RuleSet>& shadow) {
  RbacAction a = shadow ? shadow->action : RbacAction::Allow;
  if (a == RbacAction::Allow) return "istio_dry_run_allow_";
  if (a == RbacAction::Deny) return "istio_dry_run_deny_";
  return "";
}

json ext_authz_filter(bool for_tcp, const std::string& provider) {
  json tc = json::object();
  tc["@type"] = for_tcp ? "type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz"
                        : "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz";
  // generateFilterMatcherForProvider: run only when the shadow RBAC's effective policy has this prefix.
  tc["filterEnabledMetadata"] = json{{"filter", for_tcp ? kTcpRbac : kHttpRbac},
                                     {"path", metadata_path({"istio_ext_authz_shadow_effective_policy_id"})},
                                     {"value", json{{"stringMatch", string_prefix("istio-ext-authz-" + provider)}}}};
  tc["transportApiVersion"] = "V3";
  if (for_tcp) tc["statPrefix"] = "tcp.";
  return json{{"name", for_tcp ? "envoy.filters.network.ext_authz" : "envoy.filters.http.ext_authz"},
              {"typedConfig", tc}};
}

RuleSet bad_custom_deny_rules(const RuleSet& r) {
  RuleSet out;
  out.action = RbacAction::Deny;
  for (const auto& [k, v] : r.policies) out.policies[k + "-deny-due-to-bad-CUSTOM-action"] = v;
  return out;
}

void emit_custom(const std::vector<const model::AuthorizationPolicy*>& custom, bool for_tcp,
                 const ir::LowerContext& ctx, EmittedFilters& out) {
  std::map<std::string, RuleSet> enforce, dry;
  for (const auto* p : custom) {
    const std::string& provider = p->provider;
    if (!enforce.count(provider)) {
      enforce[provider].action = RbacAction::Deny;
      dry[provider].action = RbacAction::Deny;
    }
    RuleSet& target = p->dry_run ? dry[provider] : enforce[provider];
    add_policy_rules(*p, RbacAction::Deny, for_tcp, ctx, &provider, target, out.notes);
  }
  if (enforce.size() > 1) {
    // More than one provider without PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS: fail closed (IS §2).
    std::string names;
    for (const auto& [p, r] : enforce) names += (names.empty() ? "" : ", ") + p;
    out.notes.push_back("multiple CUSTOM providers (" + names +
                        ") per workload: every CUSTOM rule is enforced as DENY");
    for (const auto& [p, r] : enforce)
      out.filters.push_back(rbac_filter(for_tcp, bad_custom_deny_rules(r), std::nullopt, std::nullopt));
    return;
  }
  for (const auto& [provider, rules] : enforce) {
    const model::ExtensionProvider* found = nullptr;
    for (const auto& ep : ctx.providers)
      if (ep.name == provider) found = &ep;
    // getExtAuthz: an undefined provider, one that is not ext_authz, or one processExtensionProvider
    // refused (model::ExtensionProvider::problem) fails closed.
    bool bad = (!found && ctx.providers_known) ||
               (found && found->type != "envoyExtAuthzHttp" && found->type != "envoyExtAuthzGrpc") ||
               (found && !found->problem.empty());
    if (bad) {
      out.notes.push_back("CUSTOM provider \"" + provider + "\" is not a usable ext_authz provider" +
                          (found && !found->problem.empty() ? " (" + found->problem + ")" : std::string()) +
                          ": its CUSTOM rules are enforced as DENY");
      out.filters.push_back(rbac_filter(for_tcp, bad_custom_deny_rules(rules), std::nullopt, std::nullopt));
      continue;
    }
    if (for_tcp && found && found->type == "envoyExtAuthzHttp") {
      out.notes.push_back("CUSTOM provider \"" + provider + "\" is an HTTP ext_authz provider: ignored on TCP");
      continue;
    }
    std::optional<RuleSet> dry_rules;
    if (!dry[provider].policies.empty()) dry_rules = dry[provider];
    out.filters.push_back(rbac_filter(for_tcp, dry_rules, rules, std::string("istio_ext_authz_")));
    out.filters.push_back(ext_authz_filter(for_tcp, provider));
  }
}

void emit_action(const std::vector<const model::AuthorizationPolicy*>& policies, RbacAction action, bool for_tcp,
                 const ir::LowerContext& ctx, EmittedFilters& out) {
  if (policies.empty()) return;
  RuleSet enforce, shadow;
  enforce.action = shadow.action = action;
  bool has_enforce = false, has_dry = false;
  for (const auto* p : policies) {
    // Only ALLOW and DENY honour istio.io/dry-run in validation, but the builder reads it for every
    // non-CUSTOM action (builder.go isDryRun).
    bool dry = p->dry_run;
    (dry ? has_dry : has_enforce) = true;
    add_policy_rules(*p, action, for_tcp, ctx, nullptr, dry ? shadow : enforce, out.notes);
  }
  std::optional<RuleSet> rules, shadow_rules;
  if (has_enforce) rules = enforce;
  if (has_dry) shadow_rules = shadow;
  out.filters.push_back(rbac_filter(for_tcp, rules, shadow_rules, shadow_stat_prefix(shadow_rules)));
}

}  // namespace

EmittedFilters emit_filters(const std::vector<const model::AuthorizationPolicy*>& policies, ir::Protocol protocol,
                            const ir::LowerContext& ctx) {
  EmittedFilters out;
  bool for_tcp = protocol == ir::Protocol::Tcp;
  std::vector<const model::AuthorizationPolicy*> custom, audit, deny, allow;
  for (const auto* p : policies) {
    switch (p->action) {
      case model::Action::Custom:
        custom.push_back(p);
        break;
      case model::Action::Audit:
        audit.push_back(p);
        break;
      case model::Action::Deny:
        deny.push_back(p);
        break;
      case model::Action::Allow:
        allow.push_back(p);
        break;
    }
  }
  // Chain order: CUSTOM (before jwt_authn), then AUDIT, DENY, ALLOW (IS §1).
  if (!custom.empty()) emit_custom(custom, for_tcp, ctx, out);
  emit_action(audit, RbacAction::Log, for_tcp, ctx, out);
  emit_action(deny, RbacAction::Deny, for_tcp, ctx, out);
  emit_action(allow, RbacAction::Allow, for_tcp, ctx, out);
  return out;
}

}  // namespace meshproof::compile
