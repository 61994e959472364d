// What Istio's admission webhook and CRD schema reject or warn about (istio-semantics.md §9), plus
// duplicate objects. Pure functions over typed resources. Every rule is listed in docs/semantics.md §2.
#pragma once

#include <vector>

#include "base/location.h"
#include "model/resources.h"

namespace meshproof::model {

void validate(const AuthorizationPolicy& p, std::vector<Diagnostic>& out);
void validate(const PeerAuthentication& p, std::vector<Diagnostic>& out);
void validate(const RequestAuthentication& p, std::vector<Diagnostic>& out);
// Validates every resource in the set and reports duplicates (same kind, namespace and name) as errors at
// the later object, naming the first (in the message when `sources` is given, and as a related location).
void validate_all(ResourceSet& set);
void validate_all(ResourceSet& set, const SourceSet* sources);

}  // namespace meshproof::model
