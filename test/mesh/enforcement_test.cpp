// The enforcement chain (docs/semantics.md#enforcement-chain; ambient.md A9, A11, A12): which points a request
// from each kind of caller crosses, which targetRefs policies the waypoint applies, and the identity ztunnel
// then sees, each from a minimal manifest.
#include <catch2/catch.hpp>

#include "mesh/enforcement.h"
#include "test_support.h"

using namespace meshproof;
using mesh::CallerKind;

namespace {

const std::string kBase =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {istio.io/dataplane-mode: ambient}}\n---\n"
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: wp, namespace: pay, labels: "
    "{istio.io/waypoint-for: all}}\nspec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, "
    "protocol: HBONE}]}\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: pay}\nspec:\n  selector: {matchLabels: "
    "{app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: "
    "i}]}\n---\n";

std::string service(const std::string& labels) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: pay, labels: {" + labels +
         "}}\nspec: {selector: {app: api}, ports: [{port: 80, name: http}]}\n---\n";
}

std::string target_policy(const std::string& name, const std::string& ns, const std::string& target) {
  return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec:\n  targetRefs: [" + target + "]\n  rules: [{}]\n---\n";
}

const mesh::Workload& api(const app::Input& in) {
  for (const auto& w : in.mesh.workloads)
    if (w.ns == "pay" && w.name == "api") return w;
  FAIL("no workload pay/api");
  throw std::logic_error("unreachable");
}

std::vector<std::string> points(const mesh::EnforcementChain& c) {
  std::vector<std::string> out;
  for (const auto& p : c.points) out.push_back(p.display());
  return out;
}

}  // namespace

TEST_CASE("chain: an ambient caller crosses the Service's waypoint, other callers go around it (A11)",
          "[mesh][chain]") {
  auto in = test::load_yaml(kBase + service("istio.io/use-waypoint: wp"));
  REQUIRE(in->errors.empty());
  const mesh::WaypointModel wm = mesh::compute_waypoints(in->mesh);
  const std::vector<std::string> through{"waypoint pay/wp", "ztunnel"}, around{"ztunnel"};
  auto chain = [&](CallerKind k, bool pod_ip = false) {
    return mesh::enforcement_chain(in->mesh, wm, api(*in), 80, {k, pod_ip});
  };
  mesh::EnforcementChain ambient = chain(CallerKind::Ambient);
  CHECK(points(ambient) == through);
  CHECK(ambient.service == "pay/api");
  // No pods of the waypoint in the input: its Deployment's service account is named after the Gateway.
  CHECK(ambient.waypoint_principal == "cluster.local/ns/pay/sa/wp");
  CHECK(points(chain(CallerKind::Sidecar)) == around);
  CHECK(chain(CallerKind::Sidecar).bypassed == ambient.waypoint);
  CHECK(points(chain(CallerKind::NonMesh)) == around);
  CHECK(points(chain(CallerKind::Ingress)) == around);  // no istio.io/ingress-use-waypoint
  // Only the Service is labelled: the pod itself is bound to no waypoint, so a call to its IP skips the waypoint.
  CHECK(points(chain(CallerKind::Ambient, true)) == around);
}

TEST_CASE("chain: an ingress gateway passes the waypoint with istio.io/ingress-use-waypoint (W7)", "[mesh][chain]") {
  auto in = test::load_yaml(kBase + service("istio.io/use-waypoint: wp, istio.io/ingress-use-waypoint: \"true\""));
  REQUIRE(in->errors.empty());
  const mesh::WaypointModel wm = mesh::compute_waypoints(in->mesh);
  mesh::EnforcementChain c = mesh::enforcement_chain(in->mesh, wm, api(*in), 80, {CallerKind::Ingress, false});
  CHECK(points(c) == std::vector<std::string>{"waypoint pay/wp", "ztunnel"});
}

TEST_CASE("chain: the waypoint applies Gateway, Service and GatewayClass targetRefs policies only (A9)",
          "[mesh][chain]") {
  auto in = test::load_yaml(
      kBase + service("istio.io/use-waypoint: wp") +
      target_policy("to-gateway", "pay", "{group: gateway.networking.k8s.io, kind: Gateway, name: wp}") +
      target_policy("to-service", "pay", "{group: \"\", kind: Service, name: api}") +
      target_policy("to-other-service", "pay", "{group: \"\", kind: Service, name: other}") +
      target_policy("to-class", "istio-system",
                    "{group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint}") +
      target_policy("class-not-root", "pay",
                    "{group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint}") +
      "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: selector, namespace: pay}\n"
      "spec: {selector: {matchLabels: {app: api}}, rules: [{}]}\n");
  REQUIRE(in->errors.empty());
  const mesh::WaypointModel wm = mesh::compute_waypoints(in->mesh);
  mesh::EnforcementChain c = mesh::enforcement_chain(in->mesh, wm, api(*in), 80, {CallerKind::Ambient, false});
  std::vector<std::string> attached;
  for (const auto& a : c.waypoint_policies) attached.push_back(a.policy->meta.name + " by " + a.target);
  CHECK(attached == std::vector<std::string>{"to-gateway by Gateway pay/wp", "to-service by Service pay/api",
                                             "to-class by GatewayClass istio-waypoint"});
}

TEST_CASE("chain: sidecar and non-mesh destinations are their own single point", "[mesh][chain]") {
  auto in = test::load_yaml(
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: pay, labels: {istio-injection: enabled}}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: pay}\nspec:\n  selector: "
      "{matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: "
      "c, image: i}]}\n");
  REQUIRE(in->errors.empty());
  const mesh::WaypointModel wm = mesh::compute_waypoints(in->mesh);
  mesh::EnforcementChain c = mesh::enforcement_chain(in->mesh, wm, api(*in), 80, {CallerKind::Ambient, false});
  CHECK(points(c) == std::vector<std::string>{"sidecar"});
}
