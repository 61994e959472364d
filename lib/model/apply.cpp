#include "model/apply.h"

#include <algorithm>
#include <map>
#include <set>

#include "model/admission.h"

namespace meshproof::model {

namespace {

// The API group of an apiVersion: "security.istio.io/v1" → "security.istio.io", "v1" → "" (core).
std::string api_group(const std::string& api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string::npos ? std::string() : api_version.substr(0, slash);
}

bool cluster_scoped(const ResourceBase& r) { return r.kind == "Namespace"; }

}  // namespace

void place_in_namespace(ResourceSet& set, const std::string& ns) {
  std::set<Loc> placed;
  for_each_object_list(set, [&](auto& list) {
    for (auto& o : list) {
      if (!o.meta.ns.empty() || cluster_scoped(o)) continue;
      o.meta.ns = ns;
      o.meta.ns_defaulted = true;
      placed.insert(o.loc);
    }
  });
  for (Secret& o : set.secrets) {
    if (!o.meta.ns.empty()) continue;
    o.meta.ns = ns;
    o.meta.ns_defaulted = true;
  }
  if (placed.empty()) return;
  for (Diagnostic& d : set.diagnostics)
    if (d.resource.ns.empty() && placed.count(d.resource.loc)) d.resource.ns = ns;
}

std::string identity_of(const ResourceBase& r) {
  if (r.meta.name.empty()) return "";
  return api_group(r.api_version) + '\x1f' + r.kind + '\x1f' + r.meta.ns + '\x1f' + r.meta.name;
}

namespace {

// Within one list (identities never repeat across lists: the kind is part of them), the index of the
// last object of each identity.
template <class T>
std::map<std::string, size_t> last_of_each(const std::vector<T>& list) {
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string id = identity_of(list[i]);
    if (!id.empty()) last[id] = i;
  }
  return last;
}

template <class T>
void move_overridden(std::vector<T>& from, std::vector<T>& to, std::vector<Override>& overrides) {
  const std::map<std::string, size_t> last = last_of_each(from);
  if (last.size() == from.size()) return;  // no duplicates (and every object named)
  std::map<size_t, Override> groups;       // by the kept copy's index: input order
  std::vector<T> kept;
  for (size_t i = 0; i < from.size(); ++i) {
    std::string id = identity_of(from[i]);
    auto it = id.empty() ? last.end() : last.find(id);
    if (it == last.end() || it->second == i) {
      kept.push_back(std::move(from[i]));
      continue;
    }
    Override& g = groups[it->second];
    if (g.kept.kind.empty()) g.kept = from[it->second].ref();
    g.overridden.push_back(from[i].ref());
    to.push_back(std::move(from[i]));
  }
  from = std::move(kept);
  for (auto& [index, g] : groups) overrides.push_back(std::move(g));
}

}  // namespace

ResourceSet take_overridden(ResourceSet& set) {
  ResourceSet out;
  std::vector<Override> found;
  for_each_object_member([&](auto member) { move_overridden(set.*member, out.*member, found); });
  // Report in input order of the kept copies, not grouped by kind.
  std::stable_sort(found.begin(), found.end(),
                   [](const Override& a, const Override& b) { return a.kept.loc < b.kept.loc; });
  for (Override& o : found) set.overrides.push_back(std::move(o));
  return out;
}

}  // namespace meshproof::model
