#include "model/admission.h"

#include <algorithm>
#include <iterator>

namespace meshproof::model {

size_t object_count(const ResourceSet& set) {
  size_t n = 0;
  for_each_object_list(set, [&](const auto& list) { n += list.size(); });
  return n;
}

namespace {

std::vector<Loc> rejected_starts(const ResourceSet& set) {
  std::vector<Loc> starts;
  for (const Diagnostic& d : set.diagnostics)
    if (d.severity == Severity::Error && d.resource.loc.known()) starts.push_back(d.resource.loc);
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  return starts;
}

template <class T>
void move_rejected(std::vector<T>& from, std::vector<T>& to, const std::vector<Loc>& starts) {
  auto rejected = [&](const T& o) { return std::binary_search(starts.begin(), starts.end(), o.loc); };
  if (std::none_of(from.begin(), from.end(), rejected)) return;
  std::vector<T> kept;
  for (T& o : from) (rejected(o) ? to : kept).push_back(std::move(o));
  from = std::move(kept);
}

}  // namespace

ResourceSet take_rejected(ResourceSet& set) {
  ResourceSet out;
  const std::vector<Loc> starts = rejected_starts(set);
  if (starts.empty()) return out;
  for_each_object_member([&](auto member) { move_rejected(set.*member, out.*member, starts); });
  return out;
}

}  // namespace meshproof::model
