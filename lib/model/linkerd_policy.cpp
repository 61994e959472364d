// Reading Linkerd's policy kinds (model/linkerd_policy.h). Field names and shapes follow the CRDs in linkerd2
// charts/linkerd-crds/templates/policy/*.yaml and policy-controller/k8s/api/src/policy/*.rs; what admission
// rejects is in linkerd_admission.cpp. docs/semantics.md#linkerd-policy.
#include "model/linkerd_policy.h"

#include "base/vectors.h"
#include "model/linkerd_admission.h"
#include "model/parse_internal.h"

namespace meshproof::model {

using detail::Reader;
using load::Node;

namespace {

std::string_view linkerd_scalar(const Node& map, std::string_view key) {
  const Node* n = map.find(key);
  return n && n->is_scalar() ? std::string_view(n->scalar) : std::string_view();
}

void read_linkerd_selector(const Node& map, std::string_view key, Reader& r, LinkerdSelector& out) {
  const Node* sel = detail::child_map(map, key, r);
  if (!sel) return;
  out.present = true;
  out.loc = map.key_loc(key);
  auto s = r.field(key);
  r.get_labels(*sel, "matchLabels", out.match_labels);
  detail::each_map(*sel, "matchExpressions", r, "expressions", [&](const Node& e) {
    LinkerdSelectorExpression x;
    r.get_string(e, "key", x.key);
    r.get_string(e, "operator", x.op);
    r.get_string_vector(e, "values", x.values);
    out.expressions.push_back(std::move(x));
  });
}

LinkerdRef read_linkerd_ref(const Node& n, Reader& r, Loc loc) {
  LinkerdRef ref;
  ref.loc = loc;
  r.get_string(n, "group", ref.group);
  r.get_string(n, "kind", ref.kind);
  r.get_string(n, "name", ref.name);
  r.get_string(n, "namespace", ref.ns);
  return ref;
}

void read_linkerd_refs(const Node& map, std::string_view key, Reader& r, std::vector<LinkerdRef>& out) {
  detail::each_map(map, key, r, "references",
                   [&](const Node& item) { out.push_back(read_linkerd_ref(item, r, item.loc)); });
}

void read_linkerd_strs(const Node& map, std::string_view key, Reader& r, std::vector<Str>& out) {
  StrList list;
  r.get_str_list(map, key, list);
  for (Str& s : list.items) out.push_back(std::move(s));
}

void read_linkerd_networks(const Node& map, std::string_view key, Reader& r, std::vector<LinkerdNetwork>& out) {
  detail::each_map(map, key, r, "networks", [&](const Node& item) {
    LinkerdNetwork net;
    r.get_str(item, "cidr", net.cidr);
    if (!net.cidr.loc.known()) net.cidr.loc = item.loc;
    read_linkerd_strs(item, "except", r, net.except);
    out.push_back(std::move(net));
  });
}

void parse_linkerd_server(const Node& spec, Reader& r, LinkerdServer& s) {
  read_linkerd_selector(spec, "podSelector", r, s.pod_selector);
  s.external_workload_selector = spec.find("externalWorkloadSelector") != nullptr;
  if (const Node* port = spec.find("port")) {
    s.port_loc = spec.key_loc("port");
    auto f = r.field("port");
    if (port->is_scalar() && detail::kube_type(*port) == load::ScalarType::Int)
      r.read_uint(*port, s.port_number, 1, 65535);
    else
      r.read_string(*port, s.port_name);
  }
  r.get_string(spec, "proxyProtocol", s.proxy_protocol);
  if (spec.find("accessPolicy")) {
    s.access_policy_loc = spec.key_loc("accessPolicy");
    r.get_string(spec, "accessPolicy", s.access_policy);
  }
}

void parse_linkerd_server_authorization(const Node& spec, Reader& r, LinkerdServerAuthorization& a) {
  if (const Node* server = detail::child_map(spec, "server", r)) {
    auto f = r.field("server");
    r.get_string(*server, "name", a.server_name);
    read_linkerd_selector(*server, "selector", r, a.server_selector);
  }
  const Node* client = detail::child_map(spec, "client", r);
  if (!client) return;
  auto f = r.field("client");
  r.get_bool(*client, "unauthenticated", a.unauthenticated);
  a.has_networks = client->find("networks") != nullptr;
  read_linkerd_networks(*client, "networks", r, a.networks);
  const Node* mtls = detail::child_map(*client, "meshTLS", r);
  if (!mtls) return;
  auto m = r.field("meshTLS");
  r.get_bool(*mtls, "unauthenticatedTLS", a.unauthenticated_tls);
  read_linkerd_strs(*mtls, "identities", r, a.identities);
  read_linkerd_refs(*mtls, "serviceAccounts", r, a.service_accounts);
  for (LinkerdRef& sa : a.service_accounts)
    if (sa.ns.empty()) sa.ns = a.meta.ns;
}

void parse_linkerd_authorization_policy(const Node& spec, Reader& r, LinkerdAuthorizationPolicy& p) {
  if (const Node* target = detail::child_map(spec, "targetRef", r)) {
    auto f = r.field("targetRef");
    p.target = read_linkerd_ref(*target, r, spec.key_loc("targetRef"));
  }
  read_linkerd_refs(spec, "requiredAuthenticationRefs", r, p.authentications);
}

// Matches written with queryParams (rules[i].matches[j].queryParams): the Gateway API shape does not keep them.
void find_query_param_matches(const Node& obj, LinkerdHTTPRoute& route) {
  const Node* spec = obj.find("spec");
  const Node* rules = spec && spec->is_map() ? spec->find("rules") : nullptr;
  if (!rules || !rules->is_seq()) return;
  for (const Node& rule : rules->items) {
    const Node* matches = rule.is_map() ? rule.find("matches") : nullptr;
    if (!matches || !matches->is_seq()) continue;
    for (const Node& m : matches->items)
      if (m.is_map() && m.find("queryParams")) route.query_param_matches.push_back(m.key_loc("queryParams"));
  }
}

// A gateway.networking.k8s.io HTTPRoute is Linkerd's when a parentRef names a policy.linkerd.io Server
// (linkerd2 policy-controller k8s/index/src/inbound/routes.rs from_parent_ref: other parents are skipped).
bool has_server_parent(const Node& obj) {
  const Node* spec = obj.find("spec");
  const Node* parents = spec && spec->is_map() ? spec->find("parentRefs") : nullptr;
  if (!parents || !parents->is_seq()) return false;
  for (const Node& p : parents->items)
    if (p.is_map() && linkerd_scalar(p, "kind") == "Server" && linkerd_scalar(p, "group") == "policy.linkerd.io")
      return true;
  return false;
}

template <class T>
T linkerd_object(const Node& obj, Reader& r, std::string_view api_version, std::string_view kind, Loc loc,
                 const std::string& helm_source) {
  T o;
  o.api_version = std::string(api_version);
  o.kind = std::string(kind);
  o.loc = loc;
  o.helm_source = helm_source;
  detail::read_metadata(obj, r, o);
  return o;
}

class LinkerdParser {
 public:
  LinkerdParser(const load::Document& doc, LinkerdPolicySet& out, const std::string& default_ns)
      : doc_(doc), out_(out), default_ns_(default_ns) {}

  void object(const Node& obj, std::string_view default_api_version, std::string_view default_kind);

 private:
  template <class T, class Fn>
  void add(const Node& obj, Reader& r, std::string_view api_version, std::string_view kind, Loc loc,
           std::vector<T>& into, Fn parse_spec) {
    T o = linkerd_object<T>(obj, r, api_version, kind, loc, doc_.helm_source);
    if (o.meta.ns.empty()) {
      o.meta.ns = default_ns_;
      o.meta.ns_defaulted = true;
      r.ref().ns = default_ns_;
    }
    if (const Node* spec = detail::spec_of(obj, r)) {
      auto s = r.field("spec");
      parse_spec(*spec, r, o);
    }
    detail::admit_linkerd_object(o, r);
    into.push_back(std::move(o));
  }

  // HTTPRoute: the Gateway API reader reads the object from its root (spec included).
  void add_route(const Node& obj, Reader& r, std::string_view api_version, Loc loc) {
    LinkerdHTTPRoute route = linkerd_object<LinkerdHTTPRoute>(obj, r, api_version, "HTTPRoute", loc, doc_.helm_source);
    if (route.meta.ns.empty()) {
      route.meta.ns = default_ns_;
      route.meta.ns_defaulted = true;
      r.ref().ns = default_ns_;
    }
    detail::parse_gateway_api_route(obj, r, route);
    find_query_param_matches(obj, route);
    detail::admit_linkerd_object(route, r);
    list_unmodelled_route_parts(obj, route);
    out_.http_routes.push_back(std::move(route));
  }

  // A route's hostnames and queryParams narrow which requests it takes; the lowering matches without them, so
  // the route may take requests Linkerd sends elsewhere: listed, never dropped in silence.
  void list_unmodelled_route_parts(const Node& obj, const LinkerdHTTPRoute& route) {
    auto add = [&](Loc loc, const std::string& part) {
      NotAnalyzed n;
      n.loc = loc;
      n.api_version = route.api_version;
      n.kind = "HTTPRoute";
      n.name = route.meta.name;
      n.ns = route.meta.ns;
      n.system = "Linkerd";
      n.part = part;
      out_.not_analyzed.push_back(std::move(n));
    };
    const Node* spec = obj.find("spec");
    if (!route.hostnames.empty() && spec)
      add(spec->key_loc("hostnames"), "spec.hostnames: not modelled: the route is matched as if it had none");
    for (Loc loc : route.query_param_matches)
      add(loc, "queryParams: not modelled: the match is read without them (and they do not enter route precedence)");
  }

  const load::Document& doc_;
  LinkerdPolicySet& out_;
  const std::string& default_ns_;
};

void LinkerdParser::object(const Node& obj, std::string_view default_api_version, std::string_view default_kind) {
  if (!obj.is_map()) return;
  std::string_view api_version = linkerd_scalar(obj, "apiVersion");
  std::string_view kind = linkerd_scalar(obj, "kind");
  if (api_version.empty()) api_version = default_api_version;
  if (kind.empty()) kind = default_kind;
  if (const Node* items = obj.find("items"); items && items->is_seq() && kind.ends_with("List")) {
    std::string_view item_kind = kind == "List" ? std::string_view() : kind.substr(0, kind.size() - 4);
    for (const Node& item : items->items) object(item, api_version, item_kind);
    return;
  }
  const size_t slash = api_version.rfind('/');
  const std::string_view group = slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
  const bool gateway_route = group == gwapi::kGroup && kind == "HTTPRoute" && has_server_parent(obj);
  if (!is_linkerd_policy_kind(group, kind) && !gateway_route) return;
  const Loc loc = obj.entries.empty() ? obj.loc : obj.entries.front().key_loc;
  ResourceSet diags;
  Reader r(diags, ResourceRef{std::string(kind), "", "", loc, doc_.helm_source});
  if (kind == "Server") add(obj, r, api_version, kind, loc, out_.servers, parse_linkerd_server);
  if (kind == "ServerAuthorization")
    add(obj, r, api_version, kind, loc, out_.server_authorizations, parse_linkerd_server_authorization);
  if (kind == "AuthorizationPolicy")
    add(obj, r, api_version, kind, loc, out_.authorization_policies, parse_linkerd_authorization_policy);
  if (kind == "MeshTLSAuthentication")
    add(obj, r, api_version, kind, loc, out_.meshtls_authentications,
        [](const Node& spec, Reader& rr, LinkerdMeshTLSAuthentication& m) {
          read_linkerd_strs(spec, "identities", rr, m.identities);
          read_linkerd_refs(spec, "identityRefs", rr, m.identity_refs);
        });
  if (kind == "NetworkAuthentication")
    add(obj, r, api_version, kind, loc, out_.network_authentications,
        [](const Node& spec, Reader& rr, LinkerdNetworkAuthentication& n) {
          read_linkerd_networks(spec, "networks", rr, n.networks);
        });
  if (kind == "HTTPRoute") add_route(obj, r, api_version, loc);
  for (Diagnostic& d : diags.diagnostics) out_.diagnostics.push_back(std::move(d));
}

bool expression_matches(const LinkerdSelectorExpression& e, const Labels& labels) {
  auto it = labels.find(e.key);
  const bool has = it != labels.end();
  bool in = false;
  for (const std::string& v : e.values) in = in || (has && it->second == v);
  if (e.op == "In") return in;
  if (e.op == "NotIn") return !in;
  if (e.op == "Exists") return has;
  if (e.op == "DoesNotExist") return !has;
  return false;  // an unknown operator: the API server rejects the selector, it selects nothing
}

}  // namespace

bool LinkerdSelector::matches(const Labels& labels) const {
  for (const auto& [k, v] : match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const LinkerdSelectorExpression& e : expressions)
    if (!expression_matches(e, labels)) return false;
  return true;
}

size_t LinkerdPolicySet::object_count() const {
  return servers.size() + server_authorizations.size() + authorization_policies.size() +
         meshtls_authentications.size() + network_authentications.size() + http_routes.size();
}

void LinkerdPolicySet::merge(LinkerdPolicySet&& other) {
  append(servers, std::move(other.servers));
  append(server_authorizations, std::move(other.server_authorizations));
  append(authorization_policies, std::move(other.authorization_policies));
  append(meshtls_authentications, std::move(other.meshtls_authentications));
  append(network_authentications, std::move(other.network_authentications));
  append(http_routes, std::move(other.http_routes));
  append(diagnostics, std::move(other.diagnostics));
  append(not_analyzed, std::move(other.not_analyzed));
}

bool is_linkerd_policy_kind(std::string_view group, std::string_view kind) {
  return group == "policy.linkerd.io" &&
         (kind == "Server" || kind == "ServerAuthorization" || kind == "AuthorizationPolicy" ||
          kind == "MeshTLSAuthentication" || kind == "NetworkAuthentication" || kind == "HTTPRoute");
}

bool is_linkerd_server_parent(const gwapi::ParentReference& p) {
  return p.group == "policy.linkerd.io" && p.kind == "Server";
}

void add_linkerd_document(const load::Document& doc, LinkerdPolicySet& out, const std::string& default_namespace) {
  LinkerdParser(doc, out, default_namespace).object(doc.root, "", "");
}

bool valid_linkerd_default_policy(std::string_view name) {
  return name == "all-unauthenticated" || name == "all-authenticated" || name == "cluster-unauthenticated" ||
         name == "cluster-authenticated" || name == "deny" || name == "audit";
}

}  // namespace meshproof::model
