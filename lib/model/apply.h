// What `kubectl apply` of the input makes of it, beyond admission (model/admission.h): the namespace of
// objects that do not name one, and which copy of an object given more than once is in force. Rules and
// sources: docs/semantics.md §2.1 (namespace default) and §2.7 (duplicates).
#pragma once

#include <string>

#include "model/resources.h"

namespace meshproof::model {

// Places every namespaced object without metadata.namespace in `ns`, as kubectl does with the namespace
// of its context (`default` unless configured; meshproof's `--namespace`), and marks it
// (ObjectMeta::ns_defaulted). Diagnostics about such an object name it in `ns` too. Cluster-scoped kinds
// (Namespace) keep an empty namespace.
void place_in_namespace(ResourceSet& set, const std::string& ns);

// The identity kubectl applies by: API group (not version), kind, namespace and name. "" for an object
// without a name (generateName creates a new object each time).
std::string identity_of(const ResourceBase& r);

// Of the objects with the same identity, the last in input order is in force (each later apply replaces
// the object): moves the earlier copies into the returned set, keeping input order in both, and records
// each group in set.overrides (in the order of the kept copies). Run it after take_rejected: an object
// the API server rejects replaces nothing.
ResourceSet take_overridden(ResourceSet& set);

}  // namespace meshproof::model
