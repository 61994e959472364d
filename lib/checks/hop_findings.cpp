#include "checks/hop_findings.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>

#include "base/text.h"

namespace meshproof::checks {
namespace {

void responsible_of(const mesh::Mesh& mesh, const mesh::Hop& h, ResourceRef& ref, Loc& loc) {
  switch (h.cause) {
    case mesh::HopCause::DestinationRule:
    case mesh::HopCause::CredentialNoSelector:
      if (h.dr.rule) {
        ref = h.dr.rule->ref();
        loc = h.dr.tls && h.dr.tls->mode_loc.known() ? h.dr.tls->mode_loc : h.dr.loc;
        return;
      }
      break;
    case mesh::HopCause::ServicePaDisable:
    case mesh::HopCause::ServerPaDisable:
      break;
    case mesh::HopCause::ServerNoProxy: {
      const mesh::Workload& w = mesh.workloads[h.server];
      ref = w.ref();
      loc = w.data_plane_loc.known() ? w.data_plane_loc : ref.loc;
      return;
    }
    case mesh::HopCause::AutoMtlsDisabled:
      ref = mesh.config.source;
      loc = ref.loc;
      return;
    default:
      break;
  }
  if (h.peer_authentication) {
    ref = h.peer_authentication->ref();
    loc = ref.loc;
    return;
  }
  if (h.dr.rule) {
    ref = h.dr.rule->ref();
    loc = h.dr.loc.known() ? h.dr.loc : ref.loc;
    return;
  }
  ref = mesh.workloads[h.server].ref();
  loc = ref.loc;
}

// The workloads of the lists, ascending, each once. One strictly ascending list (the usual case: every hop of a
// group shares its Service's client list) is used as it is; a set per finding cost clients × findings.
std::vector<size_t> ascending_union(const std::vector<const std::vector<size_t>*>& lists) {
  if (lists.size() == 1 &&
      std::adjacent_find(lists[0]->begin(), lists[0]->end(), std::greater_equal<size_t>()) == lists[0]->end())
    return *lists[0];
  std::set<size_t> all;
  for (const std::vector<size_t>* l : lists) all.insert(l->begin(), l->end());
  return {all.begin(), all.end()};
}

}  // namespace

std::vector<HopGroup> group_hops(const mesh::Mesh& mesh, const std::vector<mesh::Hop>& hops,
                                 mesh::HopTransport transport) {
  std::vector<HopGroup> out;
  std::map<std::string, size_t> index;
  for (const mesh::Hop& h : hops) {
    if (h.transport != transport) continue;
    ResourceRef ref;
    Loc loc;
    responsible_of(mesh, h, ref, loc);
    const std::string key = std::to_string(static_cast<int>(h.cause)) + "|" + ref.display() + "|" +
                            mesh::effective_namespace(*h.service) + "/" + h.service->meta.name + ":" +
                            std::to_string(h.service_port) + "|" + h.subset;
    auto [it, inserted] = index.emplace(key, out.size());
    if (inserted) out.push_back(HopGroup{{}, ref, loc});
    out[it->second].hops.push_back(&h);
  }
  return out;
}

namespace {

// "Deployment a/x" for one workload, else "the sidecars of namespace(s) ...".
std::string workloads_text(const mesh::Mesh& mesh, const std::vector<const std::vector<size_t>*>& lists) {
  const std::vector<size_t> workloads = ascending_union(lists);
  if (workloads.empty()) return "";
  if (workloads.size() == 1) return mesh.workloads[workloads.front()].ref().display();
  std::vector<std::string> namespaces;
  std::unordered_set<std::string_view> seen;
  for (size_t w : workloads)
    if (seen.insert(mesh.workloads[w].ns).second) namespaces.push_back(mesh.workloads[w].ns);
  std::string list = namespaces.size() <= 4 ? join(namespaces, ", ")
                                            : namespaces[0] + ", " + namespaces[1] + ", " + namespaces[2] + " and " +
                                                  std::to_string(namespaces.size() - 3) + " more";
  return std::string("the sidecars of namespace") + (namespaces.size() == 1 ? " " : "s ") + list;
}

}  // namespace

std::string clients_text(const mesh::Mesh& mesh, const HopGroup& g, ClientListTexts& memo) {
  std::vector<std::string> gateways;
  std::vector<const std::vector<size_t>*> member_lists;  // hops toward one Service share their client list
  for (const mesh::Hop* h : g.hops) {
    if (!h->client_name.empty()) {
      if (std::find(gateways.begin(), gateways.end(), h->client_name) == gateways.end())
        gateways.push_back(h->client_name);
    } else if (h->gateway) {
      const model::Gateway& gw = *h->gateway->gateway;
      const std::string name = "Gateway " + mesh::effective_namespace(gw) + "/" + gw.meta.name;
      if (std::find(gateways.begin(), gateways.end(), name) == gateways.end()) gateways.push_back(name);
    } else if (std::find(member_lists.begin(), member_lists.end(), h->clients.get()) == member_lists.end()) {
      member_lists.push_back(h->clients.get());
    }
  }
  auto known = memo.find(member_lists);
  if (known == memo.end()) known = memo.emplace(member_lists, workloads_text(mesh, member_lists)).first;
  std::vector<std::string> parts;
  if (!known->second.empty()) parts.push_back(known->second);
  if (!gateways.empty()) parts.push_back("the gateway pods of " + join(gateways, ", "));
  return join(parts, " and ");
}

std::string servers_text(const mesh::Mesh& mesh, const HopGroup& g) {
  std::vector<std::string> names;
  for (const mesh::Hop* h : g.hops) {
    std::string n = mesh.workloads[h->server].ref().display();
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(std::move(n));
  }
  if (names.size() <= 2) return join(names, " and ");
  return names[0] + ", " + names[1] + " and " + std::to_string(names.size() - 2) + " more";
}

std::vector<std::string> server_namespaces(const mesh::Mesh& mesh, const HopGroup& g) {
  std::vector<std::string> out;
  for (const mesh::Hop* h : g.hops) {
    const std::string& ns = mesh.workloads[h->server].ns;
    if (std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
  }
  return out;
}

std::string service_text(const mesh::Hop& h) {
  std::string s = "Service " + mesh::effective_namespace(*h.service) + "/" + h.service->meta.name + " port " +
                  std::to_string(h.service_port);
  if (!h.subset.empty()) s += " subset " + h.subset;
  return s;
}

std::string rule_text(const mesh::Hop& h) {
  if (!h.dr.rule) return "no DestinationRule";
  std::string s =
      "DestinationRule " + mesh::effective_namespace(*h.dr.rule) + "/" + h.dr.rule->meta.name + " (" + h.dr.scope;
  if (!h.dr.level.empty()) s += ", " + h.dr.level + (h.dr.tls ? ".tls" : " without tls");
  return s + ")";
}

void hop_properties(const mesh::Mesh& mesh, const HopGroup& g, Finding& f) {
  const mesh::Hop& h = g.first();
  f.properties["client"] =
      !h.client_name.empty() ? h.client_name
      : h.gateway ? "Gateway " + mesh::effective_namespace(*h.gateway->gateway) + "/" + h.gateway->gateway->meta.name
                  : mesh.workloads[h.client].display();
  f.properties["server"] = mesh.workloads[h.server].display();
  f.properties["service"] = mesh::effective_namespace(*h.service) + "/" + h.service->meta.name;
  f.properties["port"] = std::to_string(h.service_port);
  f.properties["target_port"] = std::to_string(h.target_port);
  f.properties["client_tls"] = h.client_mode;
  f.properties["server_mtls"] = model::to_string(mesh.workloads[h.server].mtls_for(h.target_port).mode);
  f.properties["server_data_plane"] = mesh::to_string(mesh.workloads[h.server].data_plane);
  f.properties["destination_rule"] =
      h.dr.rule ? mesh::effective_namespace(*h.dr.rule) + "/" + h.dr.rule->meta.name : "";
  f.properties["hops"] = std::to_string(g.hops.size());
  if (!h.subset.empty()) f.properties["subset"] = h.subset;
}

std::vector<ResourceRef> hop_subjects(const Context& ctx) {
  std::vector<ResourceRef> out;
  for (const model::DestinationRule& d : ctx.resources.destination_rules) out.push_back(d.ref());
  for (const model::PeerAuthentication& p : ctx.resources.peer_authentications) out.push_back(p.ref());
  return out;
}

}  // namespace meshproof::checks
