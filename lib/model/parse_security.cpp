// The three security.istio.io kinds, read against their CRD schema (field names, types, and which fields
// exist). Semantic rules (what the admission webhook and CEL rules reject) live in validate.cpp.
#include "model/parse_internal.h"

namespace meshproof::model::detail {

namespace {

// Go's strconv.ParseBool, which Istio applies to the istio.io/dry-run annotation.
bool go_parse_bool(const std::string& s, bool& out) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return out = true, true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return out = false, true;
  return false;
}

void read_selector(const Node& spec, Reader& r, Selector& sel) {
  const Node* n = spec.find("selector");
  if (!n) return;
  auto s = r.field("selector");
  if (!r.expect_map(*n)) return;
  sel.present = true;
  sel.loc = spec.key_loc("selector");
  r.check_fields(*n, {"matchLabels"});
  r.get_labels(*n, "matchLabels", sel.match_labels);
}

void read_target_ref(const Node& n, Reader& r, TargetRef& t) {
  t.loc = n.loc;
  r.check_fields(n, {"group", "kind", "name", "namespace"});
  r.get_string(n, "group", t.group);
  t.has_kind = r.get_string(n, "kind", t.kind);
  t.has_name = r.get_string(n, "name", t.name);
  r.get_string(n, "namespace", t.ns);
}

// targetRef and targetRefs, shared by AuthorizationPolicy and RequestAuthentication.
void read_target_refs(const Node& spec, Reader& r, TargetRef& singular, bool& has_singular,
                      std::vector<TargetRef>& refs, bool& has_plural) {
  if (const Node* n = spec.find("targetRef")) {
    auto s = r.field("targetRef");
    if (r.expect_map(*n)) {
      has_singular = true;
      read_target_ref(*n, r, singular);
    }
  }
  if (const Node* n = spec.find("targetRefs")) {
    auto s = r.field("targetRefs");
    if (r.expect_seq(*n, "target references")) {
      has_plural = true;
      for (size_t i = 0; i < n->items.size(); ++i) {
        auto si = r.index(i);
        const Node& item = n->items[i];
        if (!item.is_map()) {
          if (item.is_null())
            r.error(item.loc, "expected map, found null", "remove the empty list item");
          else
            r.expect_map(item);
          continue;
        }
        TargetRef t;
        read_target_ref(item, r, t);
        refs.push_back(std::move(t));
      }
    }
  }
  // Istio reads the singular targetRef only when targetRefs is empty (IS §10, GetTargetRefs).
  if (refs.empty() && has_singular) refs.push_back(singular);
}

void read_source(const Node& n, Reader& r, Source& src) {
  src.present = true;
  src.loc = n.loc;
  r.check_fields(n, {"principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces",
                     "notNamespaces", "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains",
                     "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"});
  r.get_str_list(n, "principals", src.principals);
  r.get_str_list(n, "notPrincipals", src.not_principals);
  r.get_str_list(n, "requestPrincipals", src.request_principals);
  r.get_str_list(n, "notRequestPrincipals", src.not_request_principals);
  r.get_str_list(n, "namespaces", src.namespaces);
  r.get_str_list(n, "notNamespaces", src.not_namespaces);
  r.get_str_list(n, "serviceAccounts", src.service_accounts);
  r.get_str_list(n, "notServiceAccounts", src.not_service_accounts);
  r.get_str_list(n, "trustDomains", src.trust_domains);
  r.get_str_list(n, "notTrustDomains", src.not_trust_domains);
  r.get_str_list(n, "ipBlocks", src.ip_blocks);
  r.get_str_list(n, "notIpBlocks", src.not_ip_blocks);
  r.get_str_list(n, "remoteIpBlocks", src.remote_ip_blocks);
  r.get_str_list(n, "notRemoteIpBlocks", src.not_remote_ip_blocks);
}

void read_operation(const Node& n, Reader& r, Operation& op) {
  op.present = true;
  op.loc = n.loc;
  r.check_fields(n, {"hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"});
  r.get_str_list(n, "hosts", op.hosts);
  r.get_str_list(n, "notHosts", op.not_hosts);
  r.get_str_list(n, "ports", op.ports);
  r.get_str_list(n, "notPorts", op.not_ports);
  r.get_str_list(n, "methods", op.methods);
  r.get_str_list(n, "notMethods", op.not_methods);
  r.get_str_list(n, "paths", op.paths);
  r.get_str_list(n, "notPaths", op.not_paths);
}

// A list of objects whose items may be null (kept as null entries for validation to reject with Istio's
// message). `fn(item_node, index)` reads a map item.
template <class Fn>
bool for_each_item(const Node& parent, std::string_view key, Reader& r, const char* what, Loc* key_loc, Fn fn) {
  const Node* n = parent.find(key);
  if (!n) return false;
  if (key_loc) *key_loc = parent.key_loc(key);
  auto s = r.field(key);
  if (!r.expect_seq(*n, what)) return false;
  for (size_t i = 0; i < n->items.size(); ++i) {
    auto si = r.index(i);
    const Node& item = n->items[i];
    if (!item.is_null() && !item.is_map()) {
      r.expect_map(item);
      continue;
    }
    fn(item, i);
  }
  return true;
}

void read_rule(const Node& n, Reader& r, Rule& rule) {
  rule.loc = n.loc;
  r.check_fields(n, {"from", "to", "when"});
  rule.from_present = for_each_item(n, "from", r, "sources", nullptr, [&](const Node& item, size_t) {
    Source src;
    src.loc = item.loc;
    if (item.is_null()) {
      src.null_entry = true;
    } else {
      r.check_fields(item, {"source"});
      if (const Node* sn = item.find("source")) {
        auto s = r.field("source");
        if (r.expect_map(*sn)) read_source(*sn, r, src);
      }
    }
    rule.from.push_back(std::move(src));
  });
  rule.to_present = for_each_item(n, "to", r, "operations", nullptr, [&](const Node& item, size_t) {
    Operation op;
    op.loc = item.loc;
    if (item.is_null()) {
      op.null_entry = true;
    } else {
      r.check_fields(item, {"operation"});
      if (const Node* on = item.find("operation")) {
        auto s = r.field("operation");
        if (r.expect_map(*on)) read_operation(*on, r, op);
      }
    }
    rule.to.push_back(std::move(op));
  });
  rule.when_present = for_each_item(n, "when", r, "conditions", nullptr, [&](const Node& item, size_t) {
    Condition c;
    c.loc = item.loc;
    if (item.is_null()) {
      c.null_entry = true;
    } else {
      r.check_fields(item, {"key", "values", "notValues"});
      c.key.loc = item.loc;
      r.get_str(item, "key", c.key);
      r.get_str_list(item, "values", c.values);
      r.get_str_list(item, "notValues", c.not_values);
    }
    rule.when.push_back(std::move(c));
  });
}

bool parse_mode(const std::string& s, MtlsMode& m) {
  if (s == "UNSET") return m = MtlsMode::Unset, true;
  if (s == "DISABLE") return m = MtlsMode::Disable, true;
  if (s == "PERMISSIVE") return m = MtlsMode::Permissive, true;
  if (s == "STRICT") return m = MtlsMode::Strict, true;
  return false;
}

}  // namespace

void parse_authorization_policy(const Node& obj, Reader& r, AuthorizationPolicy& p) {
  if (auto it = p.meta.annotations.find("istio.io/dry-run"); it != p.meta.annotations.end()) {
    bool v = false;
    p.dry_run = go_parse_bool(it->second, v) && v;
  }
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  r.check_fields(*spec, {"selector", "targetRef", "targetRefs", "rules", "action", "provider"});
  read_selector(*spec, r, p.selector);
  read_target_refs(*spec, r, p.target_ref, p.has_target_ref_singular, p.target_refs, p.has_target_refs_plural);
  if (const Node* a = spec->find("action")) {
    auto sa = r.field("action");
    p.action_loc = a->loc;
    if (r.read_string(*a, p.action_written)) {
      const std::string& v = p.action_written;
      if (v == "ALLOW")
        p.action = Action::Allow;
      else if (v == "DENY")
        p.action = Action::Deny;
      else if (v == "AUDIT")
        p.action = Action::Audit;
      else if (v == "CUSTOM")
        p.action = Action::Custom;
      // Anything else stays ALLOW here and is rejected by validate().
    }
  }
  if (const Node* pr = spec->find("provider")) {
    auto sp = r.field("provider");
    if (r.expect_map(*pr)) {
      p.provider_present = true;
      p.provider_loc = spec->key_loc("provider");
      r.check_fields(*pr, {"name"});
      Str name;
      if (r.get_str(*pr, "name", name)) {
        p.provider = std::move(name.value);
        p.provider_loc = name.loc;
      }
    }
  }
  p.rules_present = for_each_item(*spec, "rules", r, "rules", &p.rules_loc, [&](const Node& item, size_t) {
    Rule rule;
    rule.loc = item.loc;
    if (item.is_null())
      rule.is_null = true;
    else
      read_rule(item, r, rule);
    p.rules.push_back(std::move(rule));
  });
}

void parse_peer_authentication(const Node& obj, Reader& r, PeerAuthentication& p) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  r.check_fields(*spec, {"selector", "mtls", "portLevelMtls"});
  read_selector(*spec, r, p.selector);
  if (const Node* m = spec->find("mtls")) {
    auto sm = r.field("mtls");
    if (r.expect_map(*m)) {
      p.mtls_present = true;
      r.check_fields(*m, {"mode"});
      if (const Node* mode = m->find("mode")) {
        auto smode = r.field("mode");
        p.mode_loc = mode->loc;
        if (r.read_string(*mode, p.mode_written)) parse_mode(p.mode_written, p.mode);
      }
    }
  }
  if (const Node* pl = spec->find("portLevelMtls")) {
    auto spl = r.field("portLevelMtls");
    p.port_level_loc = spec->key_loc("portLevelMtls");
    if (r.expect_map(*pl)) {
      p.port_level_present = true;
      for (const load::MapEntry& e : pl->entries) {
        auto sk = r.key(e.key);
        PortMtls pm;
        pm.loc = e.key_loc;
        pm.port_written = e.key;
        // The key is a uint32 in the proto (map<uint32, MutualTLS>): anything else does not convert.
        bool digits = !e.key.empty() && e.key.size() <= 10;
        for (char c : e.key) digits &= c >= '0' && c <= '9';
        if (digits) {
          uint64_t v = std::stoull(e.key);
          if (v <= UINT32_MAX) pm.port = static_cast<uint32_t>(v);
        }
        if (r.expect_map(e.value)) {
          r.check_fields(e.value, {"mode"});
          if (const Node* mode = e.value.find("mode")) {
            auto smode = r.field("mode");
            pm.mode_loc = mode->loc;
            if (r.read_string(*mode, pm.mode_written)) parse_mode(pm.mode_written, pm.mode);
          }
        }
        p.port_level.push_back(std::move(pm));
      }
      std::stable_sort(p.port_level.begin(), p.port_level.end(),
                       [](const PortMtls& a, const PortMtls& b) { return a.port < b.port; });
    }
  }
}

void parse_request_authentication(const Node& obj, Reader& r, RequestAuthentication& p) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  r.check_fields(*spec, {"selector", "targetRef", "targetRefs", "jwtRules"});
  read_selector(*spec, r, p.selector);
  read_target_refs(*spec, r, p.target_ref, p.has_target_ref_singular, p.target_refs, p.has_target_refs_plural);
  for_each_item(*spec, "jwtRules", r, "JWT rules", nullptr, [&](const Node& item, size_t) {
    JwtRule j;
    j.loc = item.loc;
    if (item.is_null()) {
      j.null_entry = true;
      p.jwt_rules.push_back(std::move(j));
      return;
    }
    r.check_fields(item, {"issuer", "audiences", "jwksUri", "jwks_uri", "jwks", "fromHeaders", "fromParams",
                          "fromCookies", "outputPayloadToHeader", "forwardOriginalToken", "outputClaimToHeaders",
                          "timeout", "spaceDelimitedClaims", "presence"});
    r.get_str(item, "issuer", j.issuer);
    r.get_str_list(item, "audiences", j.audiences);
    for (const char* k : {"jwksUri", "jwks_uri", "jwks"}) {
      if (const Node* n = item.find(k); n && !n->is_null()) ++j.jwks_fields;
    }
    if (!r.get_str(item, "jwksUri", j.jwks_uri)) r.get_str(item, "jwks_uri", j.jwks_uri);
    r.get_str(item, "jwks", j.jwks);
    r.get_bool(item, "forwardOriginalToken", j.forward_original_token);
    // A null item here is a type error ("must be of type object"), reported where it is read.
    for_each_item(item, "fromHeaders", r, "header locations", nullptr, [&](const Node& h, size_t) {
      if (h.is_null()) {
        r.error(h.loc, "expected map, found null", "remove the empty list item");
        return;
      }
      Str name;
      name.loc = h.loc;
      r.check_fields(h, {"name", "prefix"});
      r.get_str(h, "name", name);
      std::string prefix;
      r.get_string(h, "prefix", prefix);
      j.from_header_names.push_back(std::move(name));
    });
    r.get_str_list(item, "fromParams", j.from_params);
    r.get_str_list(item, "fromCookies", j.from_cookies);
    for_each_item(item, "outputClaimToHeaders", r, "claim-to-header mappings", nullptr, [&](const Node& c, size_t) {
      if (c.is_null()) {
        r.error(c.loc, "expected map, found null", "remove the empty list item");
        return;
      }
      Str claim, header;
      claim.loc = header.loc = c.loc;
      r.check_fields(c, {"header", "claim"});
      r.get_str(c, "claim", claim);
      r.get_str(c, "header", header);
      j.output_claim_to_headers.emplace_back(std::move(claim), std::move(header));
    });
    r.get_str(item, "timeout", j.timeout);
    r.get_str_list(item, "spaceDelimitedClaims", j.space_delimited_claims);
    r.get_str(item, "presence", j.presence);
    r.get_str(item, "outputPayloadToHeader", j.output_payload_to_header);
    p.jwt_rules.push_back(std::move(j));
  });
}

}  // namespace meshproof::model::detail
