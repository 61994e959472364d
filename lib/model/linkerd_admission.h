// Internal to lib/model: what Linkerd's admission webhook rejects (linkerd2 policy-controller/runtime/src/
// admission.rs and validation.rs; docs/semantics.md#linkerd-policy LK5-LK9). Each function reports through
// the Reader, as an Error diagnostic naming the field, so that the object is taken out before lowering
// (model::take_rejected_linkerd) and reported with file:line:col.
#pragma once

#include <string>
#include <string_view>

#include "model/linkerd_policy.h"
#include "model/reader.h"

namespace meshproof::model::detail {

void admit_linkerd_object(const LinkerdServer& s, Reader& r);
void admit_linkerd_object(const LinkerdServerAuthorization& a, Reader& r);
void admit_linkerd_object(const LinkerdAuthorizationPolicy& p, Reader& r);
void admit_linkerd_object(const LinkerdMeshTLSAuthentication& m, Reader& r);
void admit_linkerd_object(const LinkerdNetworkAuthentication& n, Reader& r);
void admit_linkerd_object(const LinkerdHTTPRoute& route, Reader& r);

// validation.rs validate_identity: "" when `id` is a SPIFFE id or a DNS-like identity (`*` first label
// allowed), else why not.
std::string linkerd_identity_problem(std::string_view id);

}  // namespace meshproof::model::detail
