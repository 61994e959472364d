// What `kubectl apply` of the input makes of it (model/apply.h, docs/semantics.md §2.1 and §2.7): objects
// without metadata.namespace take the default namespace, and of the copies of one object the last one
// admitted is in force.
#include <catch2/catch.hpp>

#include "model/admission.h"
#include "model/apply.h"
#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::model_from;

namespace {

// Loads, validates and applies `yaml` as the input stage does: namespace default, admission, overrides.
struct Applied {
  std::unique_ptr<test::ModelRun> run;
  ResourceSet rejected, overridden;
};

Applied apply_input(const std::string& yaml, const std::string& ns = "default") {
  Applied a;
  a.run = model_from(yaml, /*validate=*/false, "dup.yaml");
  place_in_namespace(a.run->set, ns);
  validate_all(a.run->set);
  a.rejected = take_rejected(a.run->set);
  a.overridden = take_overridden(a.run->set);
  return a;
}

const char* const kCopies = R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: foo}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: a, namespace: foo}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: bar}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: a, namespace: foo}
---
apiVersion: v1
kind: Namespace
metadata: {name: foo}
---
apiVersion: v1
kind: Namespace
metadata: {name: foo, namespace: ignored}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: default}
)";

}  // namespace

TEST_CASE("objects without metadata.namespace take the default namespace", "[model][apply]") {
  const std::string yaml = R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: base}
spec:
  action: DENY
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: own, namespace: shop}
)";
  Applied dflt = apply_input(yaml);
  REQUIRE(dflt.rejected.authorization_policies.size() == 1);  // DENY without rules
  const AuthorizationPolicy& base = dflt.rejected.authorization_policies[0];
  CHECK(base.meta.ns == "default");
  CHECK(base.meta.ns_defaulted);
  // Its diagnostic names it where it lives.
  REQUIRE(dflt.run->set.diagnostics.size() == 1);
  CHECK(dflt.run->set.diagnostics[0].resource.display() == "AuthorizationPolicy default/base");
  REQUIRE(dflt.run->set.authorization_policies.size() == 1);
  CHECK(dflt.run->set.authorization_policies[0].meta.ns == "shop");
  CHECK_FALSE(dflt.run->set.authorization_policies[0].meta.ns_defaulted);
  CHECK(dflt.run->set.namespaces[0].meta.ns.empty());  // cluster-scoped

  Applied other = apply_input(yaml, "team-a");
  CHECK(other.rejected.authorization_policies[0].meta.ns == "team-a");
  CHECK(other.run->set.authorization_policies[0].meta.ns == "shop");  // a written namespace stays
}

TEST_CASE("of the copies of one object the last is in force", "[model][apply]") {
  Applied a = apply_input(kCopies);
  const ResourceSet& set = a.run->set;
  // Kept: foo/a (the v1beta1 copy, line 5), bar/a, default/a (the last copy, line 29), the PeerAuthentication
  // foo/a (another kind) and the second Namespace foo.
  REQUIRE(set.authorization_policies.size() == 3);
  CHECK(set.authorization_policies[0].loc.line == 5);
  CHECK(set.authorization_policies[1].meta.ns == "bar");
  CHECK(set.authorization_policies[2].loc.line == 29);
  CHECK(set.peer_authentications.size() == 1);
  REQUIRE(set.namespaces.size() == 1);
  CHECK(set.namespaces[0].loc.line == 25);
  CHECK(a.overridden.authorization_policies.size() == 2);
  CHECK(a.overridden.namespaces.size() == 1);

  // One record per duplicated object, in input order of the copy in force.
  REQUIRE(set.overrides.size() == 3);
  CHECK(set.overrides[0].kept.display() == "AuthorizationPolicy foo/a");
  CHECK(set.overrides[0].kept.loc.line == 5);
  REQUIRE(set.overrides[0].overridden.size() == 1);
  CHECK(set.overrides[0].overridden[0].loc.line == 1);
  CHECK(set.overrides[1].kept.display() == "Namespace foo");
  CHECK(set.overrides[1].overridden[0].loc.line == 21);
  // The copy without metadata.namespace is default/a: the later default/a replaces it.
  CHECK(set.overrides[2].kept.display() == "AuthorizationPolicy default/a");
  CHECK(set.overrides[2].overridden[0].loc.line == 13);
  CHECK(set.diagnostics.empty());
}

TEST_CASE("a copy the API server rejects replaces nothing", "[model][apply]") {
  Applied a = apply_input(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: foo}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: foo}
spec:
  action: DENY
)");
  REQUIRE(a.run->set.authorization_policies.size() == 1);
  CHECK(a.run->set.authorization_policies[0].loc.line == 1);
  CHECK(a.rejected.authorization_policies.size() == 1);
  CHECK(a.run->set.overrides.empty());
}

TEST_CASE("an object's identity is its API group, kind, namespace and name", "[model][apply]") {
  Workload apps, argo, unnamed;
  apps.api_version = "apps/v1";
  apps.kind = "Deployment";
  apps.meta.ns = "shop";
  apps.meta.name = "api";
  argo = apps;
  argo.api_version = "apps/v1beta2";
  CHECK(identity_of(apps) == identity_of(argo));  // the version does not count
  argo.api_version = "extensions/v1beta1";
  CHECK(identity_of(apps) != identity_of(argo));  // the group does
  unnamed = apps;
  unnamed.meta.name.clear();
  CHECK(identity_of(unnamed).empty());  // generateName: every apply creates a new object
}
