// serviceentry-protocol-conflict (MP4006): ServiceEntries visible in the same namespace that declare the same
// host and port with different protocols (say HTTP and HTTPS, or HTTP and TLS). Istio builds one listener and
// one cluster per host and port and keeps one of the declarations, so whether the port is treated as
// plaintext HTTP or as TLS depends on which entry wins, not on the input (docs/semantics.md#egress, E11;
// istioctl analyze IST0177, serviceentry.ConflictingServiceEntryProtocolAnalyzer, whose exportTo scoping
// this follows: "*" or no exportTo is visible everywhere, "." is the entry's own namespace).
#include <map>
#include <set>
#include <tuple>

#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"

namespace meshproof::checks {
namespace {

struct Declaration {
  const model::ServiceEntry* entry;
  std::string protocol;  // upper case
};

using Key = std::tuple<std::string, std::string, uint32_t>;  // scope ("*" or a namespace), host, port

std::set<std::string> scopes_of(const model::ServiceEntry& s) {
  std::set<std::string> out;
  for (const std::string& e : s.export_to) {
    if (e == "*") return {"*"};
    out.insert(e == "." ? namespace_of(s) : e);
  }
  if (out.empty()) out.insert("*");
  return out;
}

class ServiceentryProtocolConflict final : public Check {
 public:
  ServiceentryProtocolConflict()
      : Check(
            CheckInfo{"serviceentry-protocol-conflict", "MP4006", Severity::Warning,
                      "ServiceEntries declare the same host and port with different protocols",
                      "Two ServiceEntries visible in the same namespace declare the same host and port with different "
                      "protocols. Istio keeps one declaration per host and port, so whether the traffic is handled as "
                      "plaintext HTTP, TLS or opaque TCP depends on which entry wins. istioctl analyze reports this as "
                      "IST0177."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const model::ServiceEntry& s : ctx.resources.service_entries) out.push_back(s.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    std::map<Key, std::vector<Declaration>> index;
    for (const model::ServiceEntry& s : ctx.resources.service_entries)
      for (const std::string& scope : scopes_of(s))
        for (const std::string& h : s.hosts)
          for (const model::ServiceEntryPort& p : s.ports)
            index[{scope, h, p.number}].push_back({&s, ascii_upper(p.protocol)});
    std::set<const model::ServiceEntry*> reported;
    for (const auto& [key, own] : index) {
      std::vector<Declaration> seen = own;
      if (std::get<0>(key) != "*") {
        auto star = index.find({"*", std::get<1>(key), std::get<2>(key)});
        if (star != index.end()) seen.insert(seen.end(), star->second.begin(), star->second.end());
      }
      report(key, seen, reported, out);
    }
  }

 private:
  void report(const Key& key, const std::vector<Declaration>& seen, std::set<const model::ServiceEntry*>& reported,
              std::vector<Finding>& out) const {
    std::set<std::string> protocols, names;
    for (const Declaration& d : seen) {
      protocols.insert(d.protocol.empty() ? "(unset)" : d.protocol);
      names.insert("ServiceEntry " + namespace_of(*d.entry) + "/" + d.entry->meta.name);
    }
    if (protocols.size() < 2) return;
    const std::string host_port = std::get<1>(key) + ":" + std::to_string(std::get<2>(key));
    for (const Declaration& d : seen) {
      if (!reported.insert(d.entry).second) continue;
      Finding f = make(d.entry->ref(), d.entry->loc,
                       "ServiceEntry " + namespace_of(*d.entry) + "/" + d.entry->meta.name + " declares " + host_port +
                           " as " + (d.protocol.empty() ? std::string("(unset)") : d.protocol) + ", while " +
                           join(std::vector<std::string>(names.begin(), names.end()), ", ") +
                           " declare it with the protocols " +
                           join(std::vector<std::string>(protocols.begin(), protocols.end()), ", ") +
                           ": Istio keeps one declaration per host and port, so whether this traffic is plaintext "
                           "HTTP or TLS depends on which entry wins (docs/semantics.md#egress)",
                       "declare " + host_port +
                           " once, with the protocol the server speaks, or give the entries "
                           "disjoint exportTo",
                       "host=" + host_port);
      f.properties["host"] = host_port;
      f.properties["protocols"] = join(std::vector<std::string>(protocols.begin(), protocols.end()), ", ");
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_serviceentry_protocol_conflict_check() {
  return std::make_unique<ServiceentryProtocolConflict>();
}

}  // namespace meshproof::checks
