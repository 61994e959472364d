// The inbound ports of each workload and the filter chain each gets: HTTP, TCP, or sniffed
// (istio-semantics.md §1: the port's protocol decides which RBAC compilation applies).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <unordered_map>

#include "mesh/resolve_internal.h"

namespace meshproof::mesh::detail {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct ProtocolChoice {
  PortProtocol protocol = PortProtocol::Sniffed;
  std::string name;    // Istio's protocol, lower case: "http", "grpc-web", "tls", ... ; "" when unknown
  std::string source;  // see WorkloadPort::protocol_source
};

// pkg/config/protocol/instance.go Parse (case-insensitive exact names) and the listener protocol each
// gets at a sidecar inbound: HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-Web use the HTTP chain (IsHTTP); TCP,
// HTTPS, TLS, Mongo, Redis, MySQL use the TCP chain (IsTCP; the sidecar does not terminate TLS, so HTTPS
// "is the same as tls", istio.io protocol-selection); anything else is unsupported and sniffed.
ProtocolChoice parse_protocol(const std::string& raw) {
  static const std::map<std::string, PortProtocol> known = {
      {"http", PortProtocol::Http}, {"http2", PortProtocol::Http},    {"http_proxy", PortProtocol::Http},
      {"grpc", PortProtocol::Http}, {"grpc-web", PortProtocol::Http}, {"tcp", PortProtocol::Tcp},
      {"https", PortProtocol::Tcp}, {"tls", PortProtocol::Tcp},       {"mongo", PortProtocol::Tcp},
      {"redis", PortProtocol::Tcp}, {"mysql", PortProtocol::Tcp},
  };
  ProtocolChoice c;
  const std::string l = lower(raw);
  if (auto it = known.find(l); it != known.end()) {
    c.protocol = it->second;
    c.name = l;
  } else if (l == "udp") {
    // A Service port *named* udp on a TCP port: Istio's listener protocol for UDP is unknown; treated as
    // sniffed here (not verified against the listener code).
    c.name = "udp";
  }
  return c;
}

// pkg/config/kube/conversion.go ConvertProtocol (istio/istio b00f7c9e): appProtocol, when set, replaces
// the port name; a "grpc-web" prefix (case-insensitive) is gRPC-Web; otherwise the text before the first
// '-' is parsed ("http-web" → http, "httpx" → unsupported); an unsupported protocol on a well-known port
// (25 SMTP, 53 DNS, 3306 MySQL, 27017 MongoDB) is TCP.
ProtocolChoice convert_service_protocol(const model::ServicePort& sp) {
  const bool by_app_protocol = !sp.app_protocol.empty();
  std::string name = by_app_protocol ? sp.app_protocol : sp.name;
  ProtocolChoice c;
  if (name.size() >= 8 && lower(name.substr(0, 8)) == "grpc-web") {
    c.protocol = PortProtocol::Http;
    c.name = "grpc-web";
  } else {
    if (size_t dash = name.find('-'); dash != std::string::npos) name.resize(dash);
    c = parse_protocol(name);
  }
  if (!c.name.empty()) {
    c.source = by_app_protocol ? "appProtocol" : "port name";
  } else if (c.name.empty() && (sp.port == 25 || sp.port == 53 || sp.port == 3306 || sp.port == 27017)) {
    c.protocol = PortProtocol::Tcp;
    c.name = "tcp";
    c.source = "well-known port";
  }
  return c;
}

// Kubernetes protocol of a Service or container port. Only TCP is redirected to the sidecar; UDP and
// SCTP bypass it (istio.io protocol-selection: "Non-TCP based protocols, such as UDP, are not proxied").
bool is_tcp(const std::string& k8s_protocol) { return k8s_protocol.empty() || lower(k8s_protocol) == "tcp"; }

std::string service_port_id(const model::Service& s, const model::ServicePort& sp) {
  return effective_namespace(s) + "/" + s.meta.name + ":" + std::to_string(sp.port);
}

// Services of each namespace indexed by the first label pair of their selector.
struct ServiceIndex {
  std::vector<uint32_t> rank;
  std::unordered_map<std::string, std::unordered_map<std::string, std::vector<const model::Service*>>> by_ns;
  const model::Service* base = nullptr;

  void build(const std::vector<model::Service>& services) {
    base = services.data();
    rank = istio_ranks(services);
    for (const model::Service& s : services) {
      // A Service without a selector (or with an empty one) gets no endpoints from pods.
      if (!s.has_selector || s.selector.empty()) continue;
      const auto& first = *s.selector.begin();
      by_ns[effective_namespace(s)][label_pair_key(first.first, first.second)].push_back(&s);
    }
  }
  // Services selecting the labels, oldest first (Istio keeps the oldest Service on a conflict).
  std::vector<const model::Service*> selecting(const std::string& ns, const model::Labels& labels) const {
    std::vector<const model::Service*> out;
    auto it = by_ns.find(ns);
    if (it == by_ns.end()) return out;
    for (const auto& [k, v] : labels) {
      auto bucket = it->second.find(label_pair_key(k, v));
      if (bucket == it->second.end()) continue;
      for (const model::Service* s : bucket->second)
        if (labels_subset(s->selector, labels)) out.push_back(s);
    }
    std::sort(out.begin(), out.end(),
              [&](const model::Service* a, const model::Service* b) { return rank[a - base] < rank[b - base]; });
    return out;
  }
};

// The Sidecar that configures a workload (istio.io Sidecar reference): one in its namespace whose
// workloadSelector selects it, else the namespace's selector-less Sidecar, else the root namespace's
// selector-less Sidecar; the oldest when several qualify.
struct SidecarIndex {
  std::vector<uint32_t> rank;
  const model::Sidecar* base = nullptr;
  std::unordered_map<std::string, std::vector<const model::Sidecar*>> by_ns;  // Istio order

  void build(const std::vector<model::Sidecar>& sidecars) {
    base = sidecars.data();
    rank = istio_ranks(sidecars);
    std::vector<const model::Sidecar*> ordered(sidecars.size());
    for (size_t i = 0; i < sidecars.size(); ++i) ordered[rank[i]] = &sidecars[i];
    for (const model::Sidecar* s : ordered) by_ns[effective_namespace(*s)].push_back(s);
  }
  const model::Sidecar* for_workload(const std::string& ns, const model::Labels& labels,
                                     const std::string& root) const {
    auto namespace_default = [&](const std::string& n) -> const model::Sidecar* {
      auto it = by_ns.find(n);
      if (it == by_ns.end()) return nullptr;
      for (const model::Sidecar* s : it->second)
        if (!s->has_workload_selector || s->workload_selector.empty()) return s;
      return nullptr;
    };
    if (auto it = by_ns.find(ns); it != by_ns.end()) {
      for (const model::Sidecar* s : it->second)
        if (s->has_workload_selector && !s->workload_selector.empty() && labels_subset(s->workload_selector, labels))
          return s;
    }
    if (const model::Sidecar* s = namespace_default(ns)) return s;
    return namespace_default(root);
  }
};

std::optional<uint32_t> parse_port(const std::string& s) {
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v == 0 || v > 65535) return std::nullopt;
  return v;
}

// Ports that the policies applying to a synthetic or "other" workload name: `ports`/`notPorts` of
// operations and `destination.port` conditions. Such a workload has no container ports of its own, and
// these are the ports its analysis must look at.
void add_policy_ports(const Workload& w, std::map<uint32_t, WorkloadPort>& ports) {
  auto add = [&](const model::Str& v) {
    auto port = parse_port(v.value);
    if (!port || ports.count(*port)) return;
    WorkloadPort p;
    p.port = *port;
    p.protocol = PortProtocol::Sniffed;
    p.protocol_source = "policy";
    p.loc = v.loc;
    ports.emplace(*port, std::move(p));
  };
  for (const model::AuthorizationPolicy* ap : w.authorization_policies) {
    for (const model::Rule& rule : ap->rules) {
      for (const model::Operation& op : rule.to) {
        for (const model::Str& v : op.ports.items) add(v);
        for (const model::Str& v : op.not_ports.items) add(v);
      }
      for (const model::Condition& c : rule.when) {
        if (c.key.value != "destination.port") continue;
        for (const model::Str& v : c.values.items) add(v);
        for (const model::Str& v : c.not_values.items) add(v);
      }
    }
  }
}

// The filter chain a Gateway server gets (pilot/pkg/networking/core/gateway.go
// buildGatewayTCPBasedFilterChains, pkg/config/gateway/gateway.go IsHTTPServer): HTTP, HTTP2, HTTP_PROXY,
// GRPC, GRPC-Web servers get an HTTP connection manager (HTTP RBAC); an HTTPS server with a `tls` block
// whose mode is not PASSTHROUGH/AUTO_PASSTHROUGH terminates TLS and gets one too; everything else (TCP,
// TLS, passthrough HTTPS, Mongo, ...) gets a network filter chain (TCP RBAC). A `tls` block without a mode
// is PASSTHROUGH (the proto enum's 0).
PortProtocol gateway_server_protocol(const model::GatewayServer& srv) {
  const std::string p = lower(srv.protocol);
  if (p == "http" || p == "http2" || p == "http_proxy" || p == "grpc" || p == "grpc-web") return PortProtocol::Http;
  if (p == "https" && srv.tls_present && !srv.tls_mode.empty() && srv.tls_mode != "PASSTHROUGH" &&
      srv.tls_mode != "AUTO_PASSTHROUGH")
    return PortProtocol::Http;
  return PortProtocol::Tcp;
}

// The listener ports of an Istio gateway pod that Gateway resources select (IS §1: gateways get HTTP
// authorization on their HTTP listeners and TCP RBAC on the others). A Gateway's `selector` picks pods in
// every namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE is off by default; istio.io Gateway reference). A server
// port that a Service of the pod exposes listens on that Service port's targetPort (mergeGateways
// translates it, gateway.go; istio/istio#20838); another number is the listener port itself. Empty when
// no Gateway in the input selects the pod: then its Services and container ports stand in (the Gateways
// may be kept elsewhere).
std::map<uint32_t, WorkloadPort> gateway_listener_ports(const Workload& w, const std::vector<model::Gateway>& gateways,
                                                        const ServiceIndex& services) {
  std::map<uint32_t, WorkloadPort> ports;
  if (!is_istio_gateway_pod(w)) return ports;
  const std::vector<const model::Service*> svcs = services.selecting(w.ns, w.labels);
  for (const model::Gateway& g : gateways) {
    if (!gateway_selects(g, w)) continue;
    for (const model::GatewayServer& srv : g.servers) {
      if (srv.port == 0) continue;
      uint32_t target = srv.port;
      std::vector<std::string> via;
      for (const model::Service* s : svcs) {
        for (const model::ServicePort& sp : s->ports) {
          if (sp.port != srv.port || !is_tcp(sp.protocol)) continue;
          uint32_t t = sp.target_port_number ? sp.target_port_number : sp.port;
          if (!sp.target_port_name.empty()) {
            t = 0;
            for (const model::ContainerPort& cp : w.decl->ports)
              if (cp.name == sp.target_port_name && is_tcp(cp.protocol)) t = cp.port;
            if (t == 0) continue;
          }
          if (via.empty()) target = t;  // the oldest Service decides, as for sidecar chains
          via.push_back(service_port_id(*s, sp));
        }
      }
      const PortProtocol protocol = gateway_server_protocol(srv);
      auto [it, inserted] = ports.try_emplace(target);
      WorkloadPort& p = it->second;
      if (inserted) {
        p.port = target;
        p.name = srv.port_name;
        p.protocol_name = lower(srv.protocol);
        p.protocol = protocol;
        p.protocol_source = "Gateway " + effective_namespace(g) + "/" + g.meta.name;
        p.loc = srv.loc;
      } else if (p.protocol != protocol) {
        // HTTP-terminating and passthrough servers share the port (SNI-matched filter chains): both
        // compilations apply, as on a sniffed port.
        p.protocol = PortProtocol::Sniffed;
        p.protocol_conflict = true;
      }
      for (const std::string& id : via)
        if (std::find(p.services.begin(), p.services.end(), id) == p.services.end()) p.services.push_back(id);
    }
  }
  return ports;
}

void build_ports(Workload& w, const ServiceIndex& services, const SidecarIndex& sidecars,
                 const std::vector<model::Gateway>& gateways, const std::string& root) {
  std::map<uint32_t, WorkloadPort> ports = gateway_listener_ports(w, gateways, services);
  if (!ports.empty()) {
    // A gateway listens only on its Gateway servers' ports: no inbound passthrough chains for other
    // container ports, no portLevelMtls chains (those belong to the sidecar inbound listener).
    w.ports.clear();
    w.ports.reserve(ports.size());
    for (auto& [n, p] : ports) w.ports.push_back(std::move(p));
    return;
  }
  const model::Sidecar* sidecar = sidecars.for_workload(w.ns, w.labels, root);
  if (sidecar && !sidecar->ingress.empty()) {
    // Sidecar ingress listeners replace the Service-derived chains (listener_inbound.go
    // buildInboundChainConfigs; PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE defaults to false).
    // Their protocol is parsed as a name, without the prefix rule.
    w.sidecar = sidecar;
    for (const model::Sidecar::Ingress& in : sidecar->ingress) {
      if (in.port == 0 || ports.count(in.port)) continue;  // the first listener on a port wins
      ProtocolChoice c = parse_protocol(in.protocol);
      WorkloadPort p;
      p.port = in.port;
      p.name = in.name;
      p.protocol_name = c.name;
      p.protocol = c.protocol;
      p.protocol_source = "Sidecar ingress";
      p.loc = in.loc;
      ports.emplace(in.port, std::move(p));
    }
  } else {
    for (const model::Service* s : services.selecting(w.ns, w.labels)) {
      for (const model::ServicePort& sp : s->ports) {
        if (!is_tcp(sp.protocol)) continue;
        uint32_t target = 0;
        std::string name = sp.name;
        if (!sp.target_port_name.empty()) {
          // A named targetPort resolves against the pod's container ports; a pod without such a port
          // gets no endpoint for this Service port. Synthetic workloads have no container ports.
          if (!w.decl) continue;
          for (const model::ContainerPort& cp : w.decl->ports) {
            if (cp.name == sp.target_port_name && is_tcp(cp.protocol)) {
              target = cp.port;
              name = cp.name;
              break;
            }
          }
          if (target == 0) continue;
        } else {
          target = sp.target_port_number ? sp.target_port_number : sp.port;
          if (w.decl) {
            for (const model::ContainerPort& cp : w.decl->ports)
              if (cp.port == target && !cp.name.empty()) name = cp.name;
          }
        }
        ProtocolChoice c = convert_service_protocol(sp);
        auto [it, inserted] = ports.try_emplace(target);
        WorkloadPort& p = it->second;
        if (inserted) {
          // The oldest Service decides the protocol of a target port (services come oldest first).
          p.port = target;
          p.name = name;
          p.protocol_name = c.name;
          p.protocol = c.protocol;
          p.protocol_source = c.source;
          p.loc = sp.loc;
        } else if (p.protocol != c.protocol) {
          p.protocol_conflict = true;
        }
        std::string id = service_port_id(*s, sp);
        if (std::find(p.services.begin(), p.services.end(), id) == p.services.end()) p.services.push_back(id);
      }
    }
  }
  if (w.decl) {
    // Container ports that no chain covers reach the passthrough chains, which detect the protocol.
    for (const model::ContainerPort& cp : w.decl->ports) {
      if (!is_tcp(cp.protocol) || cp.port == 0 || ports.count(cp.port)) continue;
      WorkloadPort p;
      p.port = cp.port;
      p.name = cp.name;
      p.protocol = PortProtocol::Sniffed;
      p.protocol_source = "container port";
      p.loc = cp.loc;
      ports.emplace(cp.port, std::move(p));
    }
  } else {
    add_policy_ports(w, ports);
  }
  // portLevelMtls ports of the workload-level PeerAuthentication get dedicated passthrough chains even
  // when nothing else declares them (istio-semantics.md §11).
  if (w.has_proxy() && w.pa_workload) {
    for (const model::PortMtls& pm : w.pa_workload->port_level) {
      if (pm.port == 0 || ports.count(pm.port)) continue;
      WorkloadPort p;
      p.port = pm.port;
      p.protocol = PortProtocol::Sniffed;
      p.protocol_source = "portLevelMtls";
      p.from_port_level_only = true;
      p.loc = pm.loc;
      ports.emplace(pm.port, std::move(p));
    }
  }
  w.ports.clear();
  w.ports.reserve(ports.size());
  for (auto& [n, p] : ports) w.ports.push_back(std::move(p));
}

}  // namespace

}  // namespace meshproof::mesh::detail

namespace meshproof::mesh {

bool is_istio_gateway_pod(const Workload& w) {
  if (!w.decl || !w.gateway_name.empty()) return false;
  if (w.decl->runs_proxy_as_gateway) return true;
  auto it = w.labels.find("istio");
  return it != w.labels.end() && (it->second == "ingressgateway" || it->second == "egressgateway");
}

bool gateway_selects(const model::Gateway& g, const Workload& w) {
  return is_istio_gateway_pod(w) && labels_subset(g.selector, w.labels);
}

}  // namespace meshproof::mesh

namespace meshproof::mesh::detail {

void resolve_ports(const model::ResourceSet& rs, Mesh& mesh) {
  ServiceIndex services;
  services.build(rs.services);
  SidecarIndex sidecars;
  sidecars.build(rs.sidecars);
  for (Workload& w : mesh.workloads) build_ports(w, services, sidecars, rs.gateways, mesh.config.root_namespace);
}

}  // namespace meshproof::mesh::detail
