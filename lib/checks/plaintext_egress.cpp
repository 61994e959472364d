// plaintext-egress (MP4002): a regulated workload's sidecar can call an external host (a MESH_EXTERNAL
// ServiceEntry in its scope) on an HTTP-class port, and no DestinationRule originates TLS for that host and
// port: the request leaves the mesh in plaintext, because Istio never adds auto mTLS toward MESH_EXTERNAL
// services and forwards what the application sends (docs/semantics.md#egress, E1, E2). One finding per
// ServiceEntry host and port, naming the regulated workloads that reach it. Calls to hosts outside the
// registry under ALLOW_ANY are egress-unrestricted's.
#include <map>
#include <tuple>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/judged_workloads.h"
#include "mesh/egress.h"

namespace meshproof::checks {
namespace {

struct Exposure {
  mesh::ExternalPort port;
  std::vector<std::string> workloads;  // "ns/name" of regulated workloads that reach it
};

std::string url_of(const mesh::ExternalPort& p) { return p.host + ":" + std::to_string(p.port->number); }

class PlaintextEgress final : public Check {
 public:
  PlaintextEgress()
      : Check(CheckInfo{"plaintext-egress", "MP4002", Severity::Error,
                        "A regulated workload can reach an external host over plaintext HTTP",
                        "A MESH_EXTERNAL ServiceEntry port with an HTTP-class protocol (HTTP, HTTP2, GRPC, GRPC-WEB) "
                        "that a workload of a regulated namespace has in scope (exportTo, Sidecar egress hosts), "
                        "with no DestinationRule on that host and port whose tls.mode originates TLS (SIMPLE, "
                        "MUTUAL). Istio never adds mTLS toward external services: the sidecar forwards the "
                        "application's plaintext request to the Internet."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const model::ServiceEntry& se : ctx.resources.service_entries) out.push_back(se.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    std::map<std::tuple<const model::ServiceEntry*, std::string, const model::ServiceEntryPort*>, Exposure> found;
    std::vector<std::tuple<const model::ServiceEntry*, std::string, const model::ServiceEntryPort*>> order;
    for (const mesh::Workload* wp : judged_regulated_workloads(ctx)) {
      const mesh::Workload& w = *wp;
      if (!w.has_proxy() || w.data_plane == mesh::DataPlane::Gateway) continue;  // gateways: the Gateway checks
      for (const mesh::ExternalPort& p : mesh::external_ports(ctx.mesh, w)) {
        if (!p.http || p.tls_originated() || p.rerouted) continue;
        auto key = std::make_tuple(p.entry, p.host, p.port);
        auto [it, inserted] = found.try_emplace(key, Exposure{p, {}});
        if (inserted) order.push_back(key);
        it->second.workloads.push_back(w.display());
      }
    }
    for (const auto& key : order) report(found.at(key), out);
  }

 private:
  void report(const Exposure& e, std::vector<Finding>& out) const {
    const mesh::ExternalPort& p = e.port;
    const model::ServiceEntry& se = *p.entry;
    std::string why = p.tls_rule ? "DestinationRule " + namespace_of(*p.tls_rule) + "/" + p.tls_rule->meta.name +
                                       (p.tls_mode.empty() ? " sets no tls for it" : " sets tls.mode " + p.tls_mode)
                                 : "no DestinationRule originates TLS for it";
    std::string message = "ServiceEntry " + namespace_of(se) + "/" + se.meta.name + " lets regulated workloads (" +
                          join(e.workloads, ", ") + ") call " + url_of(p) + " in plaintext: port " +
                          std::to_string(p.port->number) + " is " + p.port->protocol + " and " + why +
                          "; Istio adds no mTLS toward MESH_EXTERNAL hosts, so the sidecar sends the application's "
                          "plaintext request out of the mesh (docs/semantics.md#egress)";
    Loc loc = p.port->loc.known() ? p.port->loc : p.host_loc;
    Finding f = make(se.ref(), loc, std::move(message),
                     "originate TLS: a DestinationRule for host " + p.host + " with portLevelSettings port " +
                         std::to_string(p.port->number) +
                         " tls.mode SIMPLE (and targetPort: 443 on the "
                         "ServiceEntry port), or have the application call https:// on an HTTPS/TLS port",
                     p.host + ":" + std::to_string(p.port->number));
    f.properties["host"] = p.host;
    f.properties["port"] = std::to_string(p.port->number);
    f.properties["workloads"] = join(e.workloads, ",");
    if (p.tls_rule) f.properties["destination_rule"] = namespace_of(*p.tls_rule) + "/" + p.tls_rule->meta.name;
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_plaintext_egress_check() { return std::make_unique<PlaintextEgress>(); }

}  // namespace meshproof::checks
