// Document dispatch: apiVersion/kind, List expansion, metadata, and the notes for what is skipped.
#include "model/parse.h"

#include <string_view>

#include "model/parse_internal.h"

namespace meshproof::model {

using detail::read_metadata;
using detail::Reader;
using load::Node;

// metadata: name, namespace, labels, annotations, creationTimestamp.
void detail::read_metadata(const Node& obj, Reader& r, ResourceBase& b) {
  const Node* md = obj.find("metadata");
  bool has_generate_name = false;
  if (md) {
    b.meta.loc = obj.key_loc("metadata");
    auto s = r.field("metadata");
    if (r.expect_map(*md)) {
      Str name;
      if (r.get_str(*md, "name", name)) {
        b.meta.name = std::move(name.value);
        b.meta.name_loc = name.loc;
      }
      r.get_string(*md, "namespace", b.meta.ns);
      r.get_labels(*md, "labels", b.meta.labels, &b.meta.labels_loc);
      r.get_labels(*md, "annotations", b.meta.annotations);
      r.get_string(*md, "creationTimestamp", b.meta.creation_timestamp);
      std::string gen;
      has_generate_name = r.get_string(*md, "generateName", gen) && !gen.empty();
    }
  }
  r.ref().name = b.meta.name;
  r.ref().ns = b.meta.ns;
  // istioctl names an IstioOperator itself; every object kubectl applies needs a name.
  if (b.meta.name.empty() && !has_generate_name && b.kind != "IstioOperator") {
    r.diag(Severity::Error, md ? b.meta.loc : b.loc, "metadata.name is missing",
           "every object needs a name: kubectl apply rejects an object without one", "metadata.name");
  }
}

namespace {

struct GroupVersion {
  std::string_view group;  // "" for the core group
  std::string_view version;
};

GroupVersion split_api_version(std::string_view api_version) {
  size_t slash = api_version.rfind('/');
  if (slash == std::string_view::npos) return {"", api_version};
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set)
    if (s == v) return true;
  return false;
}

// A scalar string at `key`, or "" (no diagnostics: used to decide whether a document is an object).
std::string_view plain_string(const Node& map, std::string_view key) {
  const Node* n = map.find(key);
  if (!n || !n->is_scalar() || detail::kube_type(*n) != load::ScalarType::String) return {};
  return n->scalar;
}

Loc first_key_loc(const Node& obj) {
  if (obj.is_map() && !obj.entries.empty()) return obj.entries.front().key_loc;
  return obj.loc;
}

void note(ResourceSet& out, Loc loc, std::string msg) { out.notes.emplace_back(loc, std::move(msg)); }

// Known Istio kinds that meshproof does not model: skipped without a note.
bool istio_kind_outside_model(std::string_view group, std::string_view kind) {
  if (group == "networking.istio.io")
    return one_of(kind, {"EnvoyFilter", "WorkloadEntry", "WorkloadGroup", "ProxyConfig"});
  if (group == "extensions.istio.io") return kind == "WasmPlugin";
  if (group == "telemetry.istio.io") return false;
  return false;
}

class Dispatcher {
 public:
  Dispatcher(const load::Document& doc, ResourceSet& out, const ParseContext& ctx) : doc_(doc), out_(out), ctx_(ctx) {}

  void object(const Node& obj, std::string_view default_api_version, std::string_view default_kind, bool in_list);

 private:
  template <class T>
  T make(const Node& obj, std::string_view api_version, std::string_view kind) {
    T t;
    t.api_version = std::string(api_version);
    t.kind = std::string(kind);
    t.loc = first_key_loc(obj);
    t.helm_source = doc_.helm_source;
    return t;
  }
  void expand_list(const Node& obj, std::string_view api_version, std::string_view kind);
  void unserved(Reader& r, const ResourceBase& b, std::string_view served);

  const load::Document& doc_;
  ResourceSet& out_;
  const ParseContext& ctx_;
};

void Dispatcher::unserved(Reader& r, const ResourceBase& b, std::string_view served) {
  r.diag(Severity::Error, b.loc, "no matches for kind \"" + b.kind + "\" in version \"" + b.api_version + "\"",
         "Istio serves this kind as " + std::string(served) + "; kubectl apply rejects any other version",
         "apiVersion");
}

void Dispatcher::expand_list(const Node& obj, std::string_view api_version, std::string_view kind) {
  const Node* items = obj.find("items");
  if (!items || items->is_null()) return;
  // The item kind of a typed list ("DeploymentList") when the items leave it out.
  std::string_view item_kind;
  if (kind != "List" && kind.size() > 4) item_kind = kind.substr(0, kind.size() - 4);
  if (!items->is_seq()) {
    ResourceRef ref{std::string(kind), "", "", first_key_loc(obj), doc_.helm_source};
    Reader r(out_, ref);
    auto s = r.field("items");
    r.expect_seq(*items, "objects");
    return;
  }
  for (const Node& item : items->items)
    object(item, item_kind.empty() ? std::string_view{} : api_version, item_kind, true);
}

void Dispatcher::object(const Node& obj, std::string_view default_api_version, std::string_view default_kind,
                        bool in_list) {
  if (obj.is_null()) return;  // an empty document (e.g. a trailing "---")
  if (!obj.is_map()) {
    note(out_, obj.loc,
         std::string(in_list ? "list item" : "document") + " is a " + obj.type_name() +
             ", not a Kubernetes object; skipped");
    return;
  }
  std::string_view api_version = plain_string(obj, "apiVersion");
  std::string_view kind = plain_string(obj, "kind");
  if (api_version.empty() && !obj.find("apiVersion")) api_version = default_api_version;
  if (kind.empty() && !obj.find("kind")) kind = default_kind;
  if (api_version.empty() || kind.empty()) {
    note(out_, first_key_loc(obj),
         std::string(in_list ? "list item" : "document") + " has no " +
             (api_version.empty() && kind.empty() ? "apiVersion or kind"
              : api_version.empty()               ? "apiVersion"
                                                  : "kind") +
             "; not a Kubernetes object; skipped");
    return;
  }
  if ((kind == "List" || (kind.size() > 4 && kind.substr(kind.size() - 4) == "List")) && obj.find("items")) {
    expand_list(obj, api_version, kind);
    return;
  }

  auto [group, version] = split_api_version(api_version);
  ResourceRef ref{std::string(kind), "", "", first_key_loc(obj), doc_.helm_source};
  Reader r(out_, ref);

  auto base = [&](ResourceBase& b) { read_metadata(obj, r, b); };

  if (group.empty()) {
    if (kind == "Namespace") {
      auto n = make<Namespace>(obj, api_version, kind);
      base(n);
      r.ref().ns.clear();  // cluster-scoped
      n.meta.ns.clear();
      out_.namespaces.push_back(std::move(n));
    } else if (kind == "ServiceAccount") {
      auto sa = make<ServiceAccount>(obj, api_version, kind);
      base(sa);
      out_.service_accounts.push_back(std::move(sa));
    } else if (kind == "Service") {
      auto s = make<Service>(obj, api_version, kind);
      base(s);
      detail::parse_service(obj, r, s);
      out_.services.push_back(std::move(s));
    } else if (kind == "Pod" || kind == "ReplicationController") {
      auto w = make<Workload>(obj, api_version, kind);
      base(w);
      detail::parse_workload(obj, r, w);
      out_.workloads.push_back(std::move(w));
    } else if (kind == "Secret") {
      // Only the name and data keys are read, quietly: Secrets are not validated (semantics §2.1).
      ResourceSet scratch;
      Reader quiet(scratch, ref);
      auto sec = make<Secret>(obj, api_version, kind);
      read_metadata(obj, quiet, sec);
      detail::parse_secret(obj, sec);
      out_.secrets.push_back(std::move(sec));
    } else if (kind == "ConfigMap") {
      ResourceBase b = make<ResourceBase>(obj, api_version, kind);
      std::string_view name = [&]() -> std::string_view {
        const Node* md = obj.find("metadata");
        return md && md->is_map() ? plain_string(*md, "name") : std::string_view{};
      }();
      // Only the mesh config ConfigMap is read; other ConfigMaps are skipped without a word.
      if (name == "istio" || name.rfind("istio-", 0) == 0) {
        base(b);
        MeshConfig m;
        if (detail::parse_mesh_configmap(obj, r, b, ctx_, m)) detail::adopt_mesh_config(out_, std::move(m));
      }
    }
    return;
  }

  if (one_of(group, {"apps", "extensions", "batch", "argoproj.io"})) {
    bool workload = (group == "batch" && (kind == "Job" || kind == "CronJob")) ||
                    (group == "argoproj.io" && kind == "Rollout") ||
                    ((group == "apps" || group == "extensions") &&
                     one_of(kind, {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}));
    if (workload) {
      auto w = make<Workload>(obj, api_version, kind);
      base(w);
      detail::parse_workload(obj, r, w);
      out_.workloads.push_back(std::move(w));
    }
    return;
  }

  if (group == "security.istio.io") {
    bool served = version == "v1" || version == "v1beta1";
    if (kind == "AuthorizationPolicy") {
      auto p = make<AuthorizationPolicy>(obj, api_version, kind);
      base(p);
      if (!served) unserved(r, p, "security.istio.io/v1 or v1beta1");
      detail::parse_authorization_policy(obj, r, p);
      out_.authorization_policies.push_back(std::move(p));
    } else if (kind == "PeerAuthentication") {
      auto p = make<PeerAuthentication>(obj, api_version, kind);
      base(p);
      if (!served) unserved(r, p, "security.istio.io/v1 or v1beta1");
      detail::parse_peer_authentication(obj, r, p);
      out_.peer_authentications.push_back(std::move(p));
    } else if (kind == "RequestAuthentication") {
      auto p = make<RequestAuthentication>(obj, api_version, kind);
      base(p);
      if (!served) unserved(r, p, "security.istio.io/v1 or v1beta1");
      detail::parse_request_authentication(obj, r, p);
      out_.request_authentications.push_back(std::move(p));
    } else {
      note(out_, ref.loc,
           std::string(api_version) + " " + std::string(kind) +
               " is not a kind of Istio's security API (AuthorizationPolicy, PeerAuthentication, "
               "RequestAuthentication); skipped");
    }
    return;
  }

  if (group == "networking.istio.io") {
    bool served = one_of(version, {"v1", "v1beta1", "v1alpha3"});
    auto check = [&](const ResourceBase& b) {
      if (!served) unserved(r, b, "networking.istio.io/v1, v1beta1 or v1alpha3");
    };
    if (kind == "Gateway") {
      auto g = make<Gateway>(obj, api_version, kind);
      base(g);
      check(g);
      detail::parse_gateway(obj, r, g);
      out_.gateways.push_back(std::move(g));
    } else if (kind == "VirtualService") {
      auto v = make<VirtualService>(obj, api_version, kind);
      base(v);
      check(v);
      detail::parse_virtual_service(obj, r, v);
      out_.virtual_services.push_back(std::move(v));
    } else if (kind == "DestinationRule") {
      auto d = make<DestinationRule>(obj, api_version, kind);
      base(d);
      check(d);
      detail::parse_destination_rule(obj, r, d);
      out_.destination_rules.push_back(std::move(d));
    } else if (kind == "ServiceEntry") {
      auto s = make<ServiceEntry>(obj, api_version, kind);
      base(s);
      check(s);
      detail::parse_service_entry(obj, r, s);
      out_.service_entries.push_back(std::move(s));
    } else if (kind == "Sidecar") {
      auto s = make<Sidecar>(obj, api_version, kind);
      base(s);
      check(s);
      detail::parse_sidecar(obj, r, s);
      out_.sidecars.push_back(std::move(s));
    } else if (!istio_kind_outside_model(group, kind)) {
      note(out_, ref.loc,
           std::string(api_version) + " " + std::string(kind) + " is not a kind of Istio's networking API; skipped");
    }
    return;
  }

  if (group == "telemetry.istio.io") {
    if (kind == "Telemetry") {
      auto t = make<Telemetry>(obj, api_version, kind);
      base(t);
      if (!one_of(version, {"v1", "v1alpha1"})) unserved(r, t, "telemetry.istio.io/v1 or v1alpha1");
      detail::parse_telemetry(obj, r, t);
      out_.telemetries.push_back(std::move(t));
    } else {
      note(out_, ref.loc,
           std::string(api_version) + " " + std::string(kind) + " is not a kind of Istio's telemetry API; skipped");
    }
    return;
  }

  if (group == gwapi::kGroup && kind == "Gateway") {
    // Kinds of the group outside the model (GatewayClass, UDPRoute, ...) are skipped silently below.
    auto g = make<gwapi::Gateway>(obj, api_version, kind);
    base(g);
    if (!one_of(version, {"v1", "v1beta1"})) unserved(r, g, "gateway.networking.k8s.io/v1 or v1beta1");
    detail::parse_gateway_api_gateway(obj, r, g);
    out_.gateway_api_gateways.push_back(std::move(g));
    return;
  }
  if (group == gwapi::kGroup && one_of(kind, {"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute"})) {
    // Served versions: the union of the experimental channel of gateway-api v1.4 and v1.6
    // (docs/semantics.md#gateway-api-routes).
    auto route = make<gwapi::Route>(obj, api_version, kind);
    base(route);
    const char* served = kind == "HTTPRoute"   ? "gateway.networking.k8s.io/v1 or v1beta1"
                         : kind == "GRPCRoute" ? "gateway.networking.k8s.io/v1"
                         : kind == "TLSRoute"  ? "gateway.networking.k8s.io/v1, v1alpha3 or v1alpha2"
                                               : "gateway.networking.k8s.io/v1 or v1alpha2";
    const bool ok = kind == "HTTPRoute"   ? one_of(version, {"v1", "v1beta1"})
                    : kind == "GRPCRoute" ? version == "v1"
                    : kind == "TLSRoute"  ? one_of(version, {"v1", "v1alpha3", "v1alpha2"})
                                          : one_of(version, {"v1", "v1alpha2"});
    if (!ok) unserved(r, route, served);
    detail::parse_gateway_api_route(obj, r, route);
    out_.gateway_api_routes.push_back(std::move(route));
    return;
  }
  if (group == gwapi::kGroup && kind == "ReferenceGrant") {
    auto grant = make<gwapi::ReferenceGrant>(obj, api_version, kind);
    base(grant);
    if (!one_of(version, {"v1", "v1beta1"})) unserved(r, grant, "gateway.networking.k8s.io/v1 or v1beta1");
    detail::parse_reference_grant(obj, r, grant);
    out_.reference_grants.push_back(std::move(grant));
    return;
  }

  if (group == "install.istio.io" && kind == "IstioOperator") {
    ResourceBase b = make<ResourceBase>(obj, api_version, kind);
    base(b);
    MeshConfig m;
    if (detail::parse_istio_operator(obj, r, b, m)) detail::adopt_mesh_config(out_, std::move(m));
    return;
  }

  // APIs that Istio retired: their CRDs are not among those Istio installs
  // (manifests/charts/base/files/crd-all.gen.yaml), so nothing enforces what they say.
  if (one_of(group, {"rbac.istio.io", "authentication.istio.io", "config.istio.io"})) {
    std::string msg = std::string(api_version) + " " + std::string(kind) +
                      " belongs to a retired Istio API that current Istio does not install or enforce; skipped";
    if (group == "rbac.istio.io")
      msg += " (its successor is AuthorizationPolicy)";
    else if (group == "authentication.istio.io")
      msg += " (its successors are PeerAuthentication and RequestAuthentication)";
    note(out_, ref.loc, std::move(msg));
    return;
  }
  if (group == "cert-manager.io" && kind == "Certificate") {
    // The Secret a Certificate makes (spec.secretName, in the Certificate's namespace) counts as declared.
    ResourceSet scratch;
    Reader quiet(scratch, ref);
    auto sec = make<Secret>(obj, api_version, kind);
    read_metadata(obj, quiet, sec);
    detail::parse_certificate_secret(obj, sec);
    if (!sec.meta.name.empty()) out_.secrets.push_back(std::move(sec));
    return;
  }
  // Everything else (RBAC, CRDs, Gateway API routes, other meshes, ...) is outside the model: skipped silently.
}

}  // namespace

void add_document(const load::Document& doc, ResourceSet& out) { add_document(doc, out, ParseContext{}); }

void add_document(const load::Document& doc, ResourceSet& out, const ParseContext& ctx) {
  // Problems the loader found inside the document (duplicate keys, ...): the API server's strict
  // decoding rejects duplicate fields, and kubectl apply uses strict validation by default.
  if (!doc.problems.empty()) {
    ResourceRef ref;
    if (doc.root.is_map()) {
      ref.kind = std::string(plain_string(doc.root, "kind"));
      if (const Node* md = doc.root.find("metadata"); md && md->is_map()) {
        ref.name = std::string(plain_string(*md, "name"));
        ref.ns = std::string(plain_string(*md, "namespace"));
      }
    }
    ref.loc = first_key_loc(doc.root);
    ref.helm_source = doc.helm_source;
    for (const load::DocumentProblem& p : doc.problems) {
      Diagnostic d;
      d.severity = Severity::Error;
      d.message = p.message;
      if (p.message.find("duplicate") != std::string::npos)
        d.help =
            "remove one of them: kubectl apply rejects duplicate fields, and without strict validation only "
            "the last value counts";
      d.resource = ref;
      d.loc = p.loc;
      out.diagnostics.push_back(std::move(d));
    }
  }
  Dispatcher(doc, out, ctx).object(doc.root, {}, {}, false);
}

}  // namespace meshproof::model
