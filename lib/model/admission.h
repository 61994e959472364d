// Istio's admission as a step of the input: an object that validation reported an Error on is rejected by
// the API server (or Istio's webhook) and never exists in the cluster. take_rejected() moves such objects
// out of the set, so that everything built from the set afterwards (the mesh, programs, queries,
// explanations, compiled tables) sees the cluster as it would be. The rejected objects are kept apart:
// invalid-resource reports them (from the diagnostics, which stay in the set) and their own suppression
// annotations still apply to those findings.
#pragma once

#include "model/resources.h"

namespace meshproof::model {

// Calls fn(&ResourceSet::list) for every object list of a ResourceSet, in declaration order: one place
// that knows which lists there are (merging, admission, counting).
template <class Fn>
void for_each_object_member(Fn&& fn) {
  fn(&ResourceSet::namespaces);
  fn(&ResourceSet::service_accounts);
  fn(&ResourceSet::workloads);
  fn(&ResourceSet::services);
  fn(&ResourceSet::peer_authentications);
  fn(&ResourceSet::authorization_policies);
  fn(&ResourceSet::request_authentications);
  fn(&ResourceSet::gateways);
  fn(&ResourceSet::virtual_services);
  fn(&ResourceSet::destination_rules);
  fn(&ResourceSet::service_entries);
  fn(&ResourceSet::sidecars);
  fn(&ResourceSet::telemetries);
  fn(&ResourceSet::gateway_api_gateways);
  fn(&ResourceSet::gateway_api_routes);
  fn(&ResourceSet::reference_grants);
}

// Calls fn(list) for every object list of the set.
template <class Set, class Fn>
void for_each_object_list(Set& set, Fn&& fn) {
  for_each_object_member([&](auto member) { fn(set.*member); });
}

// The number of objects in the set (every list of for_each_object_list).
size_t object_count(const ResourceSet& set);

// Moves every object with an Error diagnostic (matched by the object's start location: two documents may
// share kind, namespace and name) from `set` into the returned set, keeping input order in both.
// Diagnostics, notes and the mesh config stay in `set`.
ResourceSet take_rejected(ResourceSet& set);

}  // namespace meshproof::model
