// Objects whose policy meshproof does not model: documents of known policy kinds it reads past (other
// meshes, the L3/L4 layer under the mesh, Istio kinds outside the model), and workloads another mesh's proxy
// serves (Linkerd; the input stage adds them). They are listed as "not analyzed" in every output
// (docs/output.md#not-analyzed), so that a clean result never hides input that was not looked at; a run
// without any Istio policy ends with exit code 2. Kept out of model/resources.h on purpose:
// only the input stage and the renderers need it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/location.h"
#include "load/node.h"

namespace meshproof::model {

struct NotAnalyzed {
  Loc loc;                  // the document's (or List item's, or CloudFormation resource's) first key
  std::string api_version;  // "policy.linkerd.io/v1beta3"; for CloudFormation "cloudformation"
  std::string kind;         // "Server"; for CloudFormation the resource type, e.g. "AWS::AppMesh::VirtualNode"
  std::string name;         // metadata.name (CloudFormation: the logical id); "" when missing
  std::string ns;           // metadata.namespace as written, "" when absent (or cluster-scoped)
  std::string system;       // what enforces it: "Linkerd", "Linkerd data plane", "Consul", "Cilium", ...
  // "" when the whole object is not modelled; else the part that is not, of an object whose other parts are
  // (a CiliumNetworkPolicy's L7 rules: "spec.ingress[0].toPorts[0].rules: L7 rules (http) ...").
  std::string part;
};

// The product whose policy `kind` of API group `group` is, when meshproof knows the kind as a policy (or
// mesh security configuration) it does not model; nullptr for kinds it models or does not know.
const char* unmodelled_policy_system(std::string_view group, std::string_view kind);

// Appends the unmodelled policy objects of `doc` (a List's items one by one; the resources of an AWS
// CloudFormation template that configure App Mesh or ECS Service Connect) to `out`, in document order.
void find_not_analyzed(const load::Document& doc, std::vector<NotAnalyzed>& out);

// "policy.linkerd.io/v1beta3 Server web/ns (Linkerd)": how the outputs name one entry; a part adds
// ": <part>" after it.
std::string describe(const NotAnalyzed& n);

}  // namespace meshproof::model
