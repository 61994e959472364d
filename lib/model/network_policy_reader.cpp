// Reads the L3/L4 layer's objects from one document of the input (model/network_policy.h): the documents (and
// List items) of a NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy or Cilium
// kind, typed and validated by parse_network_policy.cpp, parse_admin_network_policy.cpp,
// parse_cluster_network_policy.cpp and parse_cilium_network_policy.cpp.
#include "base/vectors.h"
#include "load/loader.h"
#include "model/network_policy.h"
#include "model/parse_network_policy.h"

namespace meshproof::model {

namespace {

using detail::Reader;
using load::Node;

// A scalar at `key`, or "".
std::string_view netreader_scalar(const Node& map, std::string_view key) {
  const Node* n = map.find(key);
  return n && n->is_scalar() ? std::string_view(n->scalar) : std::string_view();
}

class NetReader {
 public:
  NetReader(const std::string& default_namespace, NetworkPolicySet& out)
      : default_namespace_(default_namespace), out_(out) {}

  void object(const Node& obj, std::string_view default_api_version, std::string_view default_kind) {
    if (!obj.is_map()) return;
    std::string_view api_version = netreader_scalar(obj, "apiVersion");
    std::string_view kind = netreader_scalar(obj, "kind");
    if (api_version.empty() && !obj.find("apiVersion")) api_version = default_api_version;
    if (kind.empty() && !obj.find("kind")) kind = default_kind;
    const bool is_list = kind == "List" || (kind.size() > 4 && kind.substr(kind.size() - 4) == "List");
    if (is_list && obj.find("items")) {
      const Node& items = *obj.find("items");
      const std::string_view item_kind = kind != "List" ? kind.substr(0, kind.size() - 4) : std::string_view();
      if (items.is_seq())
        for (const Node& item : items.items) object(item, item_kind.empty() ? "" : api_version, item_kind);
      return;
    }
    const size_t slash = api_version.rfind('/');
    const std::string_view group = slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
    const std::string_view version = slash == std::string_view::npos ? api_version : api_version.substr(slash + 1);
    if (group == "cilium.io" && is_network_policy_kind(group, kind))
      read_cilium(obj, api_version, kind, version);
    else if (is_network_policy_kind(group, kind))
      read(obj, api_version, kind, group == "policy.networking.k8s.io", version);
  }

 private:
  void read(const Node& obj, std::string_view api_version, std::string_view kind, bool admin,
            std::string_view version) {
    NetworkPolicyObject p;
    p.api_version = std::string(api_version);
    p.kind = std::string(kind);
    p.loc = obj.is_map() && !obj.entries.empty() ? obj.entries.front().key_loc : obj.loc;
    ResourceSet scratch;  // the Reader's diagnostics land here
    Reader r(scratch, ResourceRef{p.kind, "", "", p.loc, ""});
    detail::read_metadata(obj, r, p);
    if (admin) {  // cluster-scoped
      p.meta.ns.clear();
      r.ref().ns.clear();
    } else if (p.meta.ns.empty()) {
      p.meta.ns = default_namespace_;
    }
    const bool cluster = kind == "ClusterNetworkPolicy";
    const char* served = cluster ? "v1alpha2" : admin ? "v1alpha1" : "v1";
    if (version != served)
      r.diag(Severity::Error, p.loc, "no matches for kind \"" + p.kind + "\" in version \"" + p.api_version + "\"",
             std::string("Kubernetes serves this kind as ") +
                 (admin ? "policy.networking.k8s.io/" : "networking.k8s.io/") + served +
                 "; kubectl apply rejects any other version",
             "apiVersion");
    std::vector<std::pair<std::string, Loc>> unmodelled;
    if (cluster)
      detail::parse_cluster_network_policy(obj, r, p, unmodelled);
    else if (admin)
      detail::parse_admin_network_policy(obj, r, p, kind == "BaselineAdminNetworkPolicy");
    else
      detail::parse_network_policy(obj, r, p);
    for (const Diagnostic& d : scratch.diagnostics) p.valid &= d.severity != Severity::Error;
    for (Diagnostic& d : scratch.diagnostics) out_.diagnostics.push_back(std::move(d));
    for (const auto& [path, loc] : unmodelled) out_.not_analyzed.push_back(not_modelled_part(p, path, loc));
    out_.policies.push_back(std::move(p));
  }

  // A peer kind the layer cannot resolve (ClusterNetworkPolicy domainNames): it never matches a pod and an
  // outside address only "maybe", so an admitted connection that rests on it is not a proof.
  static NotAnalyzed not_modelled_part(const NetworkPolicyObject& p, const std::string& path, Loc loc) {
    NotAnalyzed n;
    n.loc = loc;
    n.api_version = p.api_version;
    n.kind = p.kind;
    n.name = p.meta.name;
    n.system = "Kubernetes";
    n.part = path + ": peers not modelled: the addresses come from DNS at run time; such a peer matches no pod, and "
                    "an outside address only as far as meshproof can tell";
    return n;
  }

  // CiliumNetworkPolicy (namespaced) and CiliumClusterwideNetworkPolicy: one object per rule.
  void read_cilium(const Node& obj, std::string_view api_version, std::string_view kind, std::string_view version) {
    NetworkPolicyObject base;
    base.api_version = std::string(api_version);
    base.kind = std::string(kind);
    base.cilium = true;
    base.clusterwide = kind == "CiliumClusterwideNetworkPolicy";
    base.tier = NetTier::NetworkPolicy;
    base.loc = obj.is_map() && !obj.entries.empty() ? obj.entries.front().key_loc : obj.loc;
    ResourceSet scratch;
    Reader r(scratch, ResourceRef{base.kind, "", "", base.loc, ""});
    detail::read_metadata(obj, r, base);
    if (base.clusterwide) {
      base.meta.ns.clear();
      r.ref().ns.clear();
    } else if (base.meta.ns.empty()) {
      base.meta.ns = default_namespace_;
    }
    if (version != "v2")
      r.diag(Severity::Error, base.loc, "no matches for kind \"" + base.kind + "\" in version \"" + base.api_version + "\"",
             "Cilium serves this kind as cilium.io/v2; kubectl apply rejects any other version", "apiVersion");
    std::vector<NetworkPolicyObject> rules;
    detail::parse_cilium_network_policy(obj, r, base, rules, out_.not_analyzed);
    bool valid = true;  // the API server (or Cilium's agent) rejects the whole object, every rule of it
    for (const Diagnostic& d : scratch.diagnostics) valid &= d.severity != Severity::Error;
    for (Diagnostic& d : scratch.diagnostics) out_.diagnostics.push_back(std::move(d));
    for (NetworkPolicyObject& p : rules) {
      p.valid = valid;
      out_.policies.push_back(std::move(p));
    }
  }

  const std::string& default_namespace_;
  NetworkPolicySet& out_;
};

}  // namespace

void NetworkPolicySet::merge(NetworkPolicySet&& other) {
  append(policies, std::move(other.policies));
  append(diagnostics, std::move(other.diagnostics));
  append(not_analyzed, std::move(other.not_analyzed));
}

void add_network_policy_document(const load::Document& doc, NetworkPolicySet& out,
                                 const std::string& default_namespace) {
  NetReader(default_namespace, out).object(doc.root, "", "");
}

}  // namespace meshproof::model
