// Which workloads a Sidecar resource is about, and whether a sidecar proxy can read it at all: what
// sidecar-conflict and policy-not-enforced share (docs/semantics.md#egress, E9).
#pragma once

#include <string>
#include <vector>

#include "mesh/mesh.h"
#include "model/resources.h"

namespace meshproof::checks {

// The declared workloads of the Sidecar's namespace that its workloadSelector selects (every declared one
// when it has none). Istio's sidecar.SelectorAnalyzer compares with the pods of the same namespace only.
std::vector<const mesh::Workload*> sidecar_workloads(const mesh::Mesh& mesh, const model::Sidecar& s);

// Whether the namespace's pods are ambient by its labels (istio.io/dataplane-mode=ambient without an
// injection label that wins over it), as the data-plane decision reads them (docs/semantics.md#data-plane-membership).
bool namespace_is_ambient(const mesh::Mesh& mesh, const std::string& ns);

}  // namespace meshproof::checks
