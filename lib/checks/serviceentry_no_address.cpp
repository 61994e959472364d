// serviceentry-no-address (MP4005): a ServiceEntry port serving TCP (protocol TCP or unset) while the entry
// has no `addresses`, no allocated address (status.addresses) and the mesh does not allocate one (DNS
// capture with auto-allocation in defaultConfig.proxyMetadata). Istio then identifies its traffic by the
// destination port alone (ServiceEntry reference: "If the Address field is empty, traffic will be
// identified solely based on the destination port"): the sidecar's listener 0.0.0.0:<port> takes every TCP
// connection to that port, whatever the destination, as traffic to the entry's hosts, and under
// REGISTRY_ONLY such connections pass as this entry (docs/semantics.md#egress, E10; istioctl analyze
// IST0134, serviceentry.ProtocolAddressesAnalyzer).
#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"

namespace meshproof::checks {
namespace {

class ServiceentryNoAddress final : public Check {
 public:
  ServiceentryNoAddress()
      : Check(
            CheckInfo{"serviceentry-no-address", "MP4005", Severity::Warning,
                      "A ServiceEntry serves a TCP port without addresses, so its traffic is matched by port alone",
                      "A ServiceEntry port whose protocol is TCP (or unset) on an entry without addresses, without an "
                      "allocated address and without the mesh's DNS auto-allocation: Istio matches its traffic by the "
                      "destination port only, so every TCP connection to that port, to any destination, is treated as "
                      "traffic to the entry's hosts (and passes REGISTRY_ONLY as it). istioctl analyze reports this as "
                      "IST0134."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const model::ServiceEntry& s : ctx.resources.service_entries) out.push_back(s.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    if (ctx.mesh.config.auto_allocates_addresses) return;
    for (const model::ServiceEntry& s : ctx.resources.service_entries) {
      if (!s.addresses.empty() || s.status_addresses) continue;
      for (const model::ServiceEntryPort& p : s.ports) {
        std::string protocol = ascii_lower(p.protocol);
        if (!protocol.empty() && protocol != "tcp") continue;
        std::string port = std::to_string(p.number);
        Finding f = make(s.ref(), p.loc.known() ? p.loc : s.loc,
                         "ServiceEntry " + namespace_of(s) + "/" + s.meta.name + " port " + port + " (" +
                             (protocol.empty() ? std::string("protocol unset: TCP") : p.protocol) +
                             ") has no addresses: Istio matches its traffic by the destination port alone, so "
                             "every TCP connection to port " +
                             port + ", to any destination, is taken as traffic to " + join(s.hosts, ", ") +
                             " and passes an outbound policy of REGISTRY_ONLY as it (docs/semantics.md#egress)",
                         "set spec.addresses to the service's IPs or CIDRs, declare the port's protocol if it is not "
                         "TCP, or enable DNS capture with address auto-allocation",
                         "port=" + port);
        f.properties["port"] = port;
        out.push_back(std::move(f));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_serviceentry_no_address_check() { return std::make_unique<ServiceentryNoAddress>(); }

}  // namespace meshproof::checks
