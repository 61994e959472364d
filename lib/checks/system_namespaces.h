// The namespaces istioctl's injection analyzer skips: istio-system, Kubernetes' system namespaces and the mesh
// root namespace. Their pods run without a proxy by design (the control plane, DNS), so checks about missing
// proxies do not report them.
#pragma once

#include <string>

#include "checks/check.h"

namespace meshproof::checks {

bool system_namespace(const Context& ctx, const std::string& ns);

}  // namespace meshproof::checks
