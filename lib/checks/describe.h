// Phrases every check uses to name things in messages, so that findings from different checks read
// alike ("Deployment payments/api", "any other workload in namespace payments").
#pragma once

#include <string>
#include <vector>

#include "base/text.h"  // join, used with these phrases by every check
#include "checks/check.h"

namespace meshproof::checks {

// "app=web,tier=front" (sorted by key, as model::Labels is).
std::string labels_text(const model::Labels& labels);

// "Kind ns/name" of a model object, with the default namespace filled in when the YAML omits it.
std::string resource_text(const model::ResourceBase& r);
// The namespace a namespaced object lives in (kubectl's default when the YAML omits it).
std::string namespace_of(const model::ResourceBase& r);

// How a finding names a workload: "Deployment payments/api"; "the workloads labelled app=x in namespace
// payments (a policy selects them; the input declares none)"; "any other workload in namespace payments".
std::string describe_workload(const mesh::Workload& w);
// "Deployment", ..., or "synthetic" / "other-workloads": the `workload_kind` property of findings.
std::string workload_kind(const mesh::Workload& w);
// Where a finding about a workload points: the declared object, else the Namespace that holds it, else
// whatever the mesh layer recorded for it.
Loc workload_loc(const mesh::Mesh& mesh, const mesh::Workload& w);

// The candidate within `max_distance` edits of `word`, for "did you mean" hints ("" when none).
std::string closest(const std::string& word, const std::vector<std::string>& candidates, size_t max_distance = 2);

}  // namespace meshproof::checks
