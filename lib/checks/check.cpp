#include "checks/check.h"

#include <algorithm>

namespace meshproof::checks {

bool Context::is_regulated(const std::string& ns) const {
  return std::find(regulated.begin(), regulated.end(), ns) != regulated.end();
}

std::vector<ResourceRef> Check::subjects(const Context& ctx) const {
  std::vector<ResourceRef> out;
  for (const auto& p : ctx.resources.authorization_policies) out.push_back(p.ref());
  for (const auto& p : ctx.resources.peer_authentications) out.push_back(p.ref());
  for (const auto& p : ctx.resources.request_authentications) out.push_back(p.ref());
  return out;
}

std::vector<ResourceRef> policies_with_action(const Context& ctx, std::initializer_list<model::Action> actions) {
  std::vector<ResourceRef> out;
  for (const auto& p : ctx.resources.authorization_policies)
    if (actions.size() == 0 || std::find(actions.begin(), actions.end(), p.action) != actions.end())
      out.push_back(p.ref());
  return out;
}

std::vector<ResourceRef> regulated_workloads(const Context& ctx) {
  std::vector<ResourceRef> out;
  for (const mesh::Workload& w : ctx.mesh.workloads)
    if (ctx.is_regulated(w.ns)) out.push_back(w.ref());
  return out;
}

bool is_inconclusive(const Finding& f) {
  auto it = f.properties.find(kInconclusiveProperty);
  return it != f.properties.end() && it->second == "true";
}

Finding make_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc, std::string message, std::string help,
                     const std::string& key) {
  Finding f;
  f.check = info.name;
  f.id = info.id;
  f.severity = info.severity;
  f.message = std::move(message);
  f.help = std::move(help);
  f.resource = resource;
  f.loc = loc.known() ? loc : resource.loc;
  f.fingerprint = make_fingerprint(f.check, resource, key);
  return f;
}

Finding Check::make(const ResourceRef& resource, Loc loc, std::string message, std::string help,
                    const std::string& key) const {
  return make_finding(info_, resource, loc, std::move(message), std::move(help), key);
}

}  // namespace meshproof::checks
