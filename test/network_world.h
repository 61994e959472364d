// The small cluster the L3/L4 layer's tests run on (test/mesh/network_layer_test.cpp, cilium_layer_test.cpp,
// test/differential/network_layer_test.cpp): one world, so a rule's test and the differential test agree on
// what the pods are.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "app/pipeline.h"
#include "test_support.h"

namespace meshproof::test {

// Namespaces a (labelled team=x) and b; pods a/client (role=client, service account fe), a/api (app=api,
// ports http=8080 and 9090), b/db (app=db, port pg=5432). `policies` (documents) follow.
inline std::unique_ptr<app::Input> network_world(const std::string& policies) {
  const std::string base = R"(apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {role: client}}
spec: {serviceAccountName: fe, containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: a, labels: {app: api}}
spec: {containers: [{name: c, image: c, ports: [{containerPort: 8080, name: http}, {containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: b, labels: {app: db}}
spec: {containers: [{name: c, image: c, ports: [{containerPort: 5432, name: pg}]}]}
)";
  return load_yaml(policies.empty() ? base : base + "---\n" + policies);
}

// The declared pod NS/NAME of the world (fails the test when there is none).
inline const model::Workload& network_pod(const app::Input& in, const std::string& ns, const std::string& name) {
  for (const model::Workload& w : in.resources.workloads)
    if (w.meta.ns == ns && w.meta.name == name) return w;
  FAIL("no pod " << ns << "/" << name);
  throw;
}

}  // namespace meshproof::test
