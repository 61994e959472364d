// Waypoints and bindings (docs/semantics.md#waypoints, W1-W7): which Gateways are waypoints, which traffic each
// carries, and the waypoint of every Service and pod, each rule from a minimal manifest.
#include <catch2/catch.hpp>

#include "mesh/waypoints.h"
#include "test_support.h"

using namespace meshproof;
using mesh::BindingStatus;

namespace {

std::string ns(const std::string& name, const std::string& labels) {
  return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + ", labels: {" + labels + "}}\n---\n";
}

std::string waypoint(const std::string& ns, const std::string& name, const std::string& labels = "",
                     const std::string& listener_extra = "") {
  return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: " + name + ", namespace: " + ns +
         ", labels: {" + labels +
         "}}\nspec:\n  gatewayClassName: istio-waypoint\n  listeners:\n  - {name: mesh, "
         "port: 15008, protocol: HBONE" +
         listener_extra + "}\n---\n";
}

std::string service(const std::string& ns, const std::string& name, const std::string& labels) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns + ", labels: {" + labels +
         "}}\nspec: {selector: {app: " + name + "}, ports: [{port: 80, name: http}]}\n---\n";
}

std::string deployment(const std::string& ns, const std::string& name, const std::string& labels) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name +
         (labels.empty() ? "" : ", " + labels) + "}}\n    spec: {containers: [{name: c, image: i}]}\n---\n";
}

const mesh::WaypointBinding& workload_binding(const app::Input& in, const mesh::WaypointModel& m, const std::string& ns,
                                              const std::string& name) {
  for (size_t i = 0; i < in.mesh.workloads.size(); ++i)
    if (in.mesh.workloads[i].ns == ns && in.mesh.workloads[i].name == name) return m.workloads[i];
  FAIL("no workload " << ns << "/" << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("waypoints: a Gateway of class istio-waypoint is a waypoint, waypoint-for is a label", "[mesh][waypoints]") {
  auto in =
      test::load_yaml(ns("pay", "istio.io/dataplane-mode: ambient") + waypoint("pay", "wp") +
                      waypoint("pay", "wl", "istio.io/waypoint-for: workload") +
                      "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: ingress, "
                      "namespace: pay, annotations: {istio.io/waypoint-for: all}}\nspec: {gatewayClassName: istio, "
                      "listeners: [{name: http, port: 80, protocol: HTTP}]}\n");
  REQUIRE(in->errors.empty());
  mesh::WaypointModel m = mesh::compute_waypoints(in->mesh);
  REQUIRE(m.waypoints.size() == 2);  // the istio-class ingress Gateway is not a waypoint
  const mesh::Waypoint* wp = m.find("pay", "wp");
  REQUIRE(wp != nullptr);
  CHECK(wp->traffic_for == "service");
  CHECK(wp->carries_service_traffic());
  CHECK_FALSE(wp->carries_workload_traffic());
  CHECK(wp->ready_assumed);
  CHECK(wp->listener_problem.empty());
  CHECK(m.find("pay", "wl")->traffic_for == "workload");
}

TEST_CASE("waypoints: the object's label wins, none opts out, the namespace label is the fallback",
          "[mesh][waypoints]") {
  auto in = test::load_yaml(ns("pay", "istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp") +
                            waypoint("pay", "wp") + waypoint("pay", "other") + service("pay", "inherits", "") +
                            service("pay", "own", "istio.io/use-waypoint: other") +
                            service("pay", "out", "istio.io/use-waypoint: none") +
                            service("pay", "missing", "istio.io/use-waypoint: gone") +
                            ns("bare", "istio.io/dataplane-mode: ambient") + service("bare", "plain", ""));
  REQUIRE(in->errors.empty());
  mesh::WaypointModel m = mesh::compute_waypoints(in->mesh);
  const mesh::WaypointBinding* b = m.service("pay", "inherits");
  REQUIRE(b);
  CHECK(b->status == BindingStatus::Bound);
  CHECK(b->waypoint->name == "wp");
  CHECK(b->level == "Namespace");
  CHECK(m.service("pay", "own")->waypoint->name == "other");
  CHECK(m.service("pay", "own")->level == "Service");
  CHECK(m.service("pay", "out")->status == BindingStatus::OptedOut);
  // istiod does not fall back to the namespace's waypoint when the named one does not exist
  CHECK(m.service("pay", "missing")->status == BindingStatus::NotFound);
  CHECK(m.service("pay", "missing")->requested == "pay/gone");
  CHECK(m.service("bare", "plain")->status == BindingStatus::NoLabel);
}

TEST_CASE("waypoints: cross-namespace needs use-waypoint-namespace and allowedRoutes", "[mesh][waypoints]") {
  auto in = test::load_yaml(ns("infra", "") + waypoint("infra", "same") +
                            waypoint("infra", "all", "", ", allowedRoutes: {namespaces: {from: All}}") +
                            waypoint("infra", "sel", "",
                                     ", allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: "
                                     "pay}}}}") +
                            ns("pay", "team: pay") + ns("shop", "team: shop") +
                            service("pay", "a", "istio.io/use-waypoint: same, istio.io/use-waypoint-namespace: infra") +
                            service("pay", "b", "istio.io/use-waypoint: all, istio.io/use-waypoint-namespace: infra") +
                            service("pay", "c", "istio.io/use-waypoint: sel, istio.io/use-waypoint-namespace: infra") +
                            service("shop", "d", "istio.io/use-waypoint: sel, istio.io/use-waypoint-namespace: infra") +
                            service("pay", "e", "istio.io/use-waypoint: all"));
  REQUIRE(in->errors.empty());
  mesh::WaypointModel m = mesh::compute_waypoints(in->mesh);
  CHECK(m.service("pay", "a")->status == BindingStatus::AttachmentDenied);
  CHECK(m.service("pay", "b")->status == BindingStatus::Bound);
  CHECK(m.service("pay", "c")->status == BindingStatus::Bound);
  CHECK(m.service("shop", "d")->status == BindingStatus::AttachmentDenied);
  CHECK(m.service("pay", "e")->status == BindingStatus::NotFound);  // pay/all: no such waypoint
}

TEST_CASE("waypoints: service and workload traffic types", "[mesh][waypoints]") {
  auto in = test::load_yaml(ns("pay", "istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp") +
                            waypoint("pay", "wp") + waypoint("pay", "wl", "istio.io/waypoint-for: workload") +
                            waypoint("pay", "both", "istio.io/waypoint-for: all") + service("pay", "api", "") +
                            service("pay", "s-wl", "istio.io/use-waypoint: wl") + deployment("pay", "api", "") +
                            deployment("pay", "pinned", "istio.io/use-waypoint: wp") +
                            deployment("pay", "pod-wl", "istio.io/use-waypoint: wl") +
                            deployment("pay", "pod-all", "istio.io/use-waypoint: both") +
                            deployment("pay", "wp", "gateway.networking.k8s.io/gateway-name: wp"));
  REQUIRE(in->errors.empty());
  mesh::WaypointModel m = mesh::compute_waypoints(in->mesh);
  CHECK(m.service("pay", "api")->status == BindingStatus::Bound);
  CHECK(m.service("pay", "s-wl")->status == BindingStatus::UnsupportedTrafficType);
  // the namespace's service waypoint does not carry pod-addressed traffic: silently unbound
  CHECK(workload_binding(*in, m, "pay", "api").status == BindingStatus::NoLabel);
  CHECK(workload_binding(*in, m, "pay", "pinned").status == BindingStatus::UnsupportedTrafficType);
  CHECK(workload_binding(*in, m, "pay", "pod-wl").status == BindingStatus::Bound);
  CHECK(workload_binding(*in, m, "pay", "pod-all").waypoint->name == "both");
  CHECK(workload_binding(*in, m, "pay", "wp").status == BindingStatus::NotApplicable);
  CHECK(m.is_waypoint_pod(*in->mesh.find("pay", "wp")));
}

TEST_CASE("waypoints: ingress-use-waypoint is parsed as Go's ParseBool", "[mesh][waypoints]") {
  auto in = test::load_yaml(ns("pay", "istio.io/ingress-use-waypoint: \"true\"") + service("pay", "a", "") +
                            service("pay", "b", "istio.io/ingress-use-waypoint: \"false\"") +
                            service("pay", "c", "istio.io/ingress-use-waypoint: \"yes\"") + ns("shop", "") +
                            service("shop", "d", "istio.io/ingress-use-waypoint: \"1\""));
  REQUIRE(in->errors.empty());
  mesh::WaypointModel m = mesh::compute_waypoints(in->mesh);
  CHECK(m.ingress_use_waypoint.at({"pay", "a"}));
  CHECK_FALSE(m.ingress_use_waypoint.at({"pay", "b"}));
  CHECK_FALSE(m.ingress_use_waypoint.at({"pay", "c"}));  // not a Go boolean: false
  CHECK(m.ingress_use_waypoint.at({"shop", "d"}));
}
