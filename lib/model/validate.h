// What Istio's admission webhook and CRD schema reject or warn about (istio-semantics.md §9), plus
// duplicate objects. Pure functions over typed resources.
#pragma once

#include <vector>

#include "model/resources.h"

namespace meshproof::model {

void validate(const AuthorizationPolicy& p, std::vector<Diagnostic>& out);
void validate(const PeerAuthentication& p, std::vector<Diagnostic>& out);
void validate(const RequestAuthentication& p, std::vector<Diagnostic>& out);
// Validates every resource in the set and reports duplicates (same kind, namespace and name).
void validate_all(ResourceSet& set);

}  // namespace meshproof::model
