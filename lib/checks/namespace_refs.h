// The namespaces an AuthorizationPolicy's sources name (`namespaces`, the NS of `principals`
// td/ns/NS/sa/SA and of `serviceAccounts` NS/SA, their not* forms and the matching `when` keys), and which
// of them the input does not show to exist. selector-matches-nothing reports those when the profile
// declares the namespace list complete; otherwise `explain` shows them as assumptions.
#pragma once

#include <string>
#include <vector>

#include "mesh/mesh.h"
#include "model/resources.h"

namespace meshproof::checks {

struct NamespaceRef {
  std::string ns;                     // the namespace; for a pattern, Istio's `*` form ("prod-*")
  bool pattern = false;               // a `namespaces` / `source.namespace` value (matched with `*`, IS §5)
  bool negated = false;               // from a not* list or `notValues`: it excludes callers
  std::string field;                  // "spec.rules[0].from[1].source.principals[0]"
  const model::Str* value = nullptr;  // the value as written, with its position
};

// Every namespace reference of `p`'s sources, in field order. Principals and service accounts whose
// namespace part is empty or holds a `*` name no single namespace and are left out.
std::vector<NamespaceRef> namespace_refs(const model::AuthorizationPolicy& p);

// The namespaces that exist for this input: every declared Namespace, the namespaces every cluster has
// (the root namespace, default, kube-system, kube-public, kube-node-lease), and every namespace that an
// object of the input lives in (the API server refuses a namespaced object in a namespace that does not
// exist, so it must exist for that object to be created).
class KnownNamespaces {
 public:
  KnownNamespaces(const mesh::Mesh& mesh, const model::ResourceSet& resources);
  // Whether the reference names a namespace that exists (for a pattern: matches one).
  bool covers(const NamespaceRef& ref) const;
  // The declared Namespaces, sorted: what messages list and "did you mean" hints come from.
  const std::vector<std::string>& declared() const { return declared_; }

 private:
  std::vector<std::string> all_;  // sorted, unique
  std::vector<std::string> declared_;
};

}  // namespace meshproof::checks
