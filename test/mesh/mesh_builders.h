// Builds model::ResourceSet objects directly, so each mesh rule is tested without YAML.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "mesh/mesh.h"
#include "model/resources.h"

namespace meshproof::test {

struct MeshBuilder {
  model::ResourceSet rs;
  uint32_t next_line = 1;

  // Every object gets its own position in file 1, in creation order.
  Loc loc() { return Loc{1, next_line++, 1}; }

  template <class T>
  void meta(T& o, const std::string& kind, const std::string& ns, const std::string& name, const std::string& ts) {
    o.kind = kind;
    o.meta.ns = ns;
    o.meta.name = name;
    o.meta.creation_timestamp = ts;
    o.loc = loc();
    o.meta.loc = o.loc;
  }

  model::Namespace& namespace_(const std::string& name, model::Labels labels = {}) {
    model::Namespace n;
    meta(n, "Namespace", "", name, "");
    n.meta.labels = std::move(labels);
    rs.namespaces.push_back(std::move(n));
    return rs.namespaces.back();
  }

  model::Workload& deployment(const std::string& ns, const std::string& name, model::Labels labels,
                              std::vector<std::pair<std::string, uint32_t>> container_ports = {}) {
    model::Workload w;
    meta(w, "Deployment", ns, name, "");
    w.pod_labels = std::move(labels);
    w.service_account = "default";
    for (auto& [pname, port] : container_ports) {
      model::ContainerPort cp;
      cp.name = pname;
      cp.port = port;
      cp.loc = loc();
      w.ports.push_back(cp);
    }
    rs.workloads.push_back(std::move(w));
    return rs.workloads.back();
  }

  struct SvcPort {
    SvcPort(std::string name_, uint32_t port_, uint32_t target_number_ = 0, std::string target_name_ = "",
            std::string app_protocol_ = "", std::string protocol_ = "TCP")
        : name(std::move(name_)),
          port(port_),
          target_number(target_number_),
          target_name(std::move(target_name_)),
          app_protocol(std::move(app_protocol_)),
          protocol(std::move(protocol_)) {}
    std::string name;
    uint32_t port = 0;
    uint32_t target_number = 0;
    std::string target_name;
    std::string app_protocol;
    std::string protocol = "TCP";
  };
  model::Service& service(const std::string& ns, const std::string& name, model::Labels selector,
                          std::vector<SvcPort> ports, const std::string& ts = "") {
    model::Service s;
    meta(s, "Service", ns, name, ts);
    s.selector = std::move(selector);
    s.has_selector = true;
    for (const SvcPort& p : ports) {
      model::ServicePort sp;
      sp.name = p.name;
      sp.port = p.port;
      sp.target_port_number = p.target_number;
      sp.target_port_name = p.target_name;
      sp.app_protocol = p.app_protocol;
      sp.protocol = p.protocol;
      sp.loc = loc();
      s.ports.push_back(sp);
    }
    rs.services.push_back(std::move(s));
    return rs.services.back();
  }

  model::Selector selector(model::Labels labels, bool present = true) {
    model::Selector s;
    s.present = present;
    s.match_labels = std::move(labels);
    s.loc = loc();
    return s;
  }

  model::PeerAuthentication& peer_authn(const std::string& ns, const std::string& name, model::Labels sel,
                                        model::MtlsMode mode, const std::string& ts = "",
                                        std::vector<std::pair<uint32_t, model::MtlsMode>> port_level = {}) {
    model::PeerAuthentication p;
    meta(p, "PeerAuthentication", ns, name, ts);
    p.selector = selector(std::move(sel), true);
    p.mtls_present = mode != model::MtlsMode::Unset;
    p.mode = mode;
    for (auto& [port, m] : port_level) {
      model::PortMtls pm;
      pm.port = port;
      pm.mode = m;
      pm.loc = loc();
      p.port_level.push_back(pm);
    }
    p.port_level_present = !p.port_level.empty();
    rs.peer_authentications.push_back(std::move(p));
    return rs.peer_authentications.back();
  }

  model::AuthorizationPolicy& authz(const std::string& ns, const std::string& name, model::Labels sel,
                                    const std::string& ts = "", std::vector<std::string> ports = {}) {
    model::AuthorizationPolicy p;
    meta(p, "AuthorizationPolicy", ns, name, ts);
    p.selector = selector(std::move(sel), true);
    p.rules_present = true;
    model::Rule r;
    r.loc = loc();
    if (!ports.empty()) {
      model::Operation op;
      op.present = true;
      op.ports.present = true;
      for (const std::string& v : ports) op.ports.items.push_back(model::Str{v, loc()});
      r.to_present = true;
      r.to.push_back(op);
    }
    p.rules.push_back(r);
    rs.authorization_policies.push_back(std::move(p));
    return rs.authorization_policies.back();
  }

  model::AuthorizationPolicy& authz_target(const std::string& ns, const std::string& name, const std::string& group,
                                           const std::string& kind, const std::string& target) {
    model::AuthorizationPolicy p;
    meta(p, "AuthorizationPolicy", ns, name, "");
    model::TargetRef t;
    t.group = group;
    t.kind = kind;
    t.name = target;
    t.loc = loc();
    p.target_refs.push_back(t);
    p.has_target_refs_plural = true;
    rs.authorization_policies.push_back(std::move(p));
    return rs.authorization_policies.back();
  }

  model::RequestAuthentication& request_authn(const std::string& ns, const std::string& name, model::Labels sel,
                                              const std::string& ts = "") {
    model::RequestAuthentication p;
    meta(p, "RequestAuthentication", ns, name, ts);
    p.selector = selector(std::move(sel), true);
    rs.request_authentications.push_back(std::move(p));
    return rs.request_authentications.back();
  }

  model::Sidecar& sidecar(const std::string& ns, const std::string& name, model::Labels sel,
                          std::vector<std::pair<uint32_t, std::string>> ingress) {
    model::Sidecar s;
    meta(s, "Sidecar", ns, name, "");
    s.has_workload_selector = !sel.empty();
    s.workload_selector = std::move(sel);
    for (auto& [port, proto] : ingress) {
      model::Sidecar::Ingress in;
      in.port = port;
      in.protocol = proto;
      in.name = "ingress-" + std::to_string(port);
      in.loc = loc();
      s.ingress.push_back(in);
    }
    rs.sidecars.push_back(std::move(s));
    return rs.sidecars.back();
  }

  mesh::Mesh resolve(mesh::ResolveOptions o = {}) const { return mesh::resolve(rs, o); }
};

// The workload, or a failed REQUIRE-friendly nullptr.
inline const mesh::Workload* workload(const mesh::Mesh& m, const std::string& ns, const std::string& name) {
  return m.find(ns, name);
}

// The workload NS/NAME of the mesh; the test case stops when there is none.
inline const mesh::Workload& get_workload(const mesh::Mesh& m, const std::string& ns, const std::string& name) {
  const mesh::Workload* w = m.find(ns, name);
  INFO("workload " << ns << "/" << name);
  REQUIRE(w != nullptr);
  return *w;
}

}  // namespace meshproof::test
