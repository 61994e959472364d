// The L3/L4 layer in `meshproof diff` (diff/network.h). The layer reads a connection only through the source
// and destination pods (labels, namespace labels, service account), the port and protocol, and an outside
// source's address, which matters only by the region of the CIDRs it falls in: so deciding every declared pod
// pair, every declared port and one representative per CIDR region on both sides finds every change the
// layer makes to a declared workload (mesh::outside_representatives).
#include "diff/network.h"

#include <map>
#include <set>
#include <tuple>

#include "engine/network_encoding.h"
#include "engine/witness.h"
#include "mesh/network_layer.h"

namespace meshproof::diff::detail {

namespace {

// One tree's layer and what naming its decisions needs.
struct NetTree {
  const analysis::Analysis& analysis;
  const mesh::NetworkLayer& layer;
  const std::vector<std::string>& paths;
  std::map<std::string, const mesh::Workload*> pods;  // declared workloads by "ns/name"
};

// A destination port: what the pod declares (container ports, else the mesh's ports of it, TCP).
struct NetDstPort {
  uint32_t port = 0;
  std::string protocol, name;
  bool operator<(const NetDstPort& o) const { return std::tie(port, protocol) < std::tie(o.port, o.protocol); }
};

std::set<NetDstPort> net_ports_of(const mesh::Workload& w) {
  std::set<NetDstPort> out;
  for (const model::ContainerPort& cp : w.decl->ports) out.insert({cp.port, cp.protocol, cp.name});
  if (out.empty())
    for (const auto& p : w.ports) out.insert({p.port, "TCP", p.name});
  return out;
}

std::string net_query(const NetTree& t, const std::string& dst, uint32_t port, const std::string& from,
                      const std::optional<model::Cidr>& address) {
  if (t.paths.empty()) return "";
  std::string cmd = "meshproof query";
  for (const auto& p : t.paths) cmd += " " + engine::shell_quote(p);
  cmd += " --to " + engine::shell_quote(dst) + " --port " + std::to_string(port);
  if (address) {
    std::string ip = address->text.substr(0, address->text.find('/'));
    return cmd + " --plaintext --source-ip " + engine::shell_quote(ip);
  }
  return cmd + " --from " + engine::shell_quote(from);
}

NetSide net_side(const NetTree& t, const mesh::NetVerdict& v) {
  NetSide s;
  s.admitted = v.allowed;
  s.reason = v.reason;
  s.unmodelled = v.unmodelled;
  if (!v.decided) return s;
  s.policy = v.policy_name;
  s.tier = mesh::to_string(v.tier);
  s.direction = v.direction;
  if (!v.loc.known()) return s;
  s.location = t.analysis.input->sources.describe(v.loc);
  s.file = t.analysis.input->sources.file(v.loc.file).path;
  s.line = v.loc.line;
  return s;
}

// A source on both trees: a declared pod (the same name on each side) or an outside address.
struct NetSource {
  std::string name;  // "ns/name" for a pod
  const mesh::Workload* before = nullptr;
  const mesh::Workload* after = nullptr;
  std::optional<model::Cidr> address;
};

mesh::NetEndpoint net_endpoint(const mesh::NetworkLayer& layer, const mesh::Workload* pod,
                               const std::optional<model::Cidr>& address) {
  return pod ? layer.pod(*pod->decl) : layer.outside(address);
}

// The verdict of one tree for one connection, and the port the layer saw.
mesh::NetVerdict net_decide(const mesh::NetworkLayer& layer, const mesh::Workload& dst, const mesh::Workload* src,
                            const std::optional<model::Cidr>& address, const NetDstPort& port) {
  const mesh::CallerKind kind = src ? mesh::caller_kind(src->data_plane) : mesh::CallerKind::NonMesh;
  const uint32_t wire = port.protocol == "TCP" ? mesh::wire_port(dst.data_plane, kind, src != nullptr, port.port)
                                               : port.port;  // HBONE carries TCP only
  return layer.admit(net_endpoint(layer, src, address), layer.pod(*dst.decl), port.protocol, wire);
}

void net_compare_destination(const NetTree& b, const NetTree& a, const std::string& dst,
                             const std::vector<NetSource>& sources, Result& result) {
  const mesh::Workload& db = *b.pods.at(dst);
  const mesh::Workload& da = *a.pods.at(dst);
  std::set<NetDstPort> ports = net_ports_of(db);
  for (const NetDstPort& p : net_ports_of(da)) ports.insert(p);
  for (const NetDstPort& port : ports)
    for (const NetSource& src : sources) {
      ++result.connections_compared;
      const mesh::NetVerdict vb = net_decide(b.layer, db, src.before, src.address, port);
      const mesh::NetVerdict va = net_decide(a.layer, da, src.after, src.address, port);
      if (vb.allowed == va.allowed) continue;
      NetworkChange c;
      c.newly_admitted = va.allowed;
      c.source = src.before ? "pod " + src.name : "outside address " + src.address->text;
      c.destination = dst;
      c.port = port.port;
      c.port_name = port.name;
      c.protocol = port.protocol;
      c.wire_port = va.port;
      c.before = net_side(b, vb);
      c.after = net_side(a, va);
      if (port.protocol == "TCP") {  // query decides TCP connections
        c.before.reproduce = net_query(b, dst, port.port, src.name, src.address);
        c.after.reproduce = net_query(a, dst, port.port, src.name, src.address);
      }
      result.network.push_back(std::move(c));
    }
}

std::map<std::string, const mesh::Workload*> net_declared_pods(const analysis::Analysis& a) {
  std::map<std::string, const mesh::Workload*> out;
  for (const mesh::Workload& w : a.input->mesh.workloads)
    if (w.decl) out.emplace(w.display(), &w);
  return out;
}

std::string net_dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." + std::to_string((a >> 8) & 0xff) +
         "." + std::to_string(a & 0xff);
}

// The solver over both layers (engine/network_encoding.h): a proof that they decide every connection between the
// compared pods, on every port and protocol and from every IPv4 outside address alike, or a connection they
// decide differently; when the enumeration found none, that connection (an undeclared port or protocol) is
// reported too, decided by both concrete layers.
void net_solver_check(const NetTree& b, const NetTree& a, const std::vector<NetSource>& sources, const Options& options,
                      Result& result) {
  std::vector<const model::Workload*> pb, pa;
  std::vector<std::string> names;
  for (const NetSource& s : sources)
    if (s.before) pb.push_back(s.before->decl), pa.push_back(s.after->decl), names.push_back(s.name);
  const engine::NetDifference d = engine::NetworkEncoding::difference(b.layer, pb, a.layer, pa, options.timeout_ms);
  if (d.answer == engine::SatAnswer::Unknown) {
    result.network_solver = "unknown: " + d.unknown_reason;
    return;
  }
  result.network_solver = d.answer == engine::SatAnswer::Sat ? "differs" : "equivalent";
  if (d.answer != engine::SatAnswer::Sat || !result.network.empty() || !d.witness) return;
  const engine::NetConnection& k = *d.witness;
  std::optional<model::Cidr> address;
  if (!k.source) address = model::parse_net_cidr(net_dotted(k.address) + "/32");
  auto decide = [&](const NetTree& t, const std::vector<const model::Workload*>& pods) {
    const mesh::NetEndpoint src = k.source ? t.layer.pod(*pods[*k.source]) : t.layer.outside(address);
    return t.layer.admit(src, t.layer.pod(*pods[k.destination]), k.protocol, k.port);
  };
  const mesh::NetVerdict vb = decide(b, pb), va = decide(a, pa);
  if (vb.allowed == va.allowed) {  // the two evaluators disagree: say so rather than guess
    result.network_solver = "unknown: the solver's connection is decided alike by the concrete layer";
    return;
  }
  NetworkChange c;
  c.newly_admitted = va.allowed;
  c.source = k.source ? "pod " + names[*k.source] : "outside address " + address->text;
  c.destination = names[k.destination];
  c.port = c.wire_port = k.port;
  c.protocol = k.protocol;
  c.found_by_solver = true;
  c.before = net_side(b, vb);
  c.after = net_side(a, va);
  result.network.push_back(std::move(c));
}

}  // namespace

void compare_network(const analysis::Analysis& before, const analysis::Analysis& after, const Options& options,
                     Result& result) {
  const mesh::NetworkLayer lb(before.input->network_policies.get(), before.input->resources);
  const mesh::NetworkLayer la(after.input->network_policies.get(), after.input->resources);
  if (lb.empty() && la.empty()) return;
  result.network_layer = true;
  const NetTree b{before, lb, options.before_paths, net_declared_pods(before)};
  const NetTree a{after, la, options.after_paths, net_declared_pods(after)};
  std::vector<NetSource> sources;
  for (const auto& [name, w] : a.pods)
    if (auto it = b.pods.find(name); it != b.pods.end()) sources.push_back({name, it->second, w, std::nullopt});
  for (const model::Cidr& address : mesh::outside_representatives({&lb, &la}))
    sources.push_back({"", nullptr, nullptr, address});
  // Destinations in the after tree's workload order, as the decisions are listed.
  for (const mesh::Workload& w : after.input->mesh.workloads)
    if (w.decl && b.pods.count(w.display())) net_compare_destination(b, a, w.display(), sources, result);
  net_solver_check(b, a, sources, options, result);
}

}  // namespace meshproof::diff::detail
