// Policies grouped by namespace, and within a namespace by the first label pair of their selector, so
// that finding the policies that select a workload costs O(labels × matching candidates) instead of a
// scan over every policy of the namespace.
#include <algorithm>

#include "mesh/resolve_internal.h"

namespace meshproof::mesh::detail {

template <class P>
void PolicyIndex<P>::build(const std::vector<P>& policies) {
  base_ = policies.data();
  ranks_ = istio_ranks(policies);
  std::vector<const P*> ordered(policies.size());
  for (size_t i = 0; i < policies.size(); ++i) ordered[ranks_[i]] = &policies[i];
  for (const P* p : ordered) {
    PerNamespace& ns = by_ns_[effective_namespace(*p)];
    ns.all.push_back(p);
    if (has_target_refs(*p)) {
      ns.targeted.push_back(p);
    } else if (p->selector.empty()) {
      ns.without_selector.push_back(p);
    } else {
      const auto& first = *p->selector.match_labels.begin();
      ns.by_first_label[label_pair_key(first.first, first.second)].push_back(p);
    }
  }
}

template <class P>
void PolicyIndex<P>::selected(const std::string& ns, const model::Labels& labels, std::vector<const P*>& out) const {
  auto it = by_ns_.find(ns);
  if (it == by_ns_.end()) return;
  const PerNamespace& per = it->second;
  const size_t start = out.size();
  out.insert(out.end(), per.without_selector.begin(), per.without_selector.end());
  if (!per.by_first_label.empty()) {
    for (const auto& [k, v] : labels) {
      auto bucket = per.by_first_label.find(label_pair_key(k, v));
      if (bucket == per.by_first_label.end()) continue;
      for (const P* p : bucket->second)
        if (p->selector.matches(labels)) out.push_back(p);
    }
  }
  // Each policy sits in exactly one bucket, so there are no duplicates; restore Istio order.
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(),
            [this](const P* a, const P* b) { return rank(a) < rank(b); });
}

template <class P>
const std::vector<const P*>& PolicyIndex<P>::targeted(const std::string& ns) const {
  auto it = by_ns_.find(ns);
  return it == by_ns_.end() ? empty_ : it->second.targeted;
}

template <class P>
const std::vector<const P*>& PolicyIndex<P>::all(const std::string& ns) const {
  auto it = by_ns_.find(ns);
  return it == by_ns_.end() ? empty_ : it->second.all;
}

template class PolicyIndex<model::AuthorizationPolicy>;
template class PolicyIndex<model::RequestAuthentication>;
template class PolicyIndex<model::PeerAuthentication>;

}  // namespace meshproof::mesh::detail
