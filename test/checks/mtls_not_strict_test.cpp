// mtls-not-strict end to end: which workload × port is reported, with which mode, decider, location and
// wording, and that STRICT and unregulated namespaces are quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

namespace {
const Finding& only_one(const std::vector<const Finding*>& v, const std::string& what) {
  INFO(what);
  REQUIRE(v.size() == 1);
  return *v[0];
}
}  // namespace

TEST_CASE("mtls-not-strict reports every non-STRICT port of regulated workloads", "[checks][mtls-not-strict]") {
  const std::string file = test::fixture("checks/mtls-not-strict/positive.yaml");
  auto run = test::run_fixture("checks/mtls-not-strict/positive.yaml", {{}, {"mtls-not-strict"}});
  INFO("findings:" << run->dump());

  // payments/api:8080 is decided by the namespace-wide PeerAuthentication payments/default.
  auto api = run->where("mtls-not-strict", "workload", "payments/api");
  const Finding& f = only_one(api, "payments/api");
  CHECK(f.id == "MP1002");
  CHECK(f.severity == Severity::Error);
  CHECK(f.properties.at("port") == "8080");
  CHECK(f.properties.at("mode") == "PERMISSIVE");
  CHECK(f.properties.at("decided_by") == "PeerAuthentication payments/default");
  CHECK(f.properties.at("level") == "namespace");
  CHECK(f.properties.at("workload_kind") == "Deployment");
  CHECK(f.resource.kind == "Deployment");
  CHECK(f.resource.name == "api");
  CHECK(f.message ==
        "Deployment payments/api accepts plaintext as well as mTLS on port 8080 (http): its mTLS mode is PERMISSIVE, "
        "set by namespace-wide PeerAuthentication payments/default; plaintext callers are neither encrypted nor "
        "authenticated");
  CHECK(f.help.find("set mtls.mode: STRICT in PeerAuthentication payments/default") == 0);
  // Location: the deciding mode field; related: the deciding policy.
  CHECK(f.loc.line == test::line_of(file, "mode: PERMISSIVE", 1));
  REQUIRE(f.related.size() == 1);
  CHECK(f.related[0].resource.kind == "PeerAuthentication");
  CHECK(f.related[0].resource.name == "default");

  // payments/ledger: STRICT on 8443, PERMISSIVE on 5432 through portLevelMtls.
  auto ledger = run->where("mtls-not-strict", "workload", "payments/ledger");
  const Finding& l = only_one(ledger, "payments/ledger");
  CHECK(l.properties.at("port") == "5432");
  CHECK(l.properties.at("level") == "port");
  CHECK(l.properties.at("decided_by") == "PeerAuthentication payments/ledger");
  CHECK(l.message.find("port-level PeerAuthentication payments/ledger") != std::string::npos);
  CHECK(l.loc.line == test::line_of(file, "5432:", 1));
  CHECK(l.help.find("under portLevelMtls in PeerAuthentication payments/ledger") != std::string::npos);
  CHECK(l.help.find("record a profile exception with a justification") != std::string::npos);

  // payments/batch opts out of the sidecar: plaintext whatever PeerAuthentication says.
  const Finding& b = only_one(run->where("mtls-not-strict", "workload", "payments/batch"), "payments/batch");
  CHECK(b.properties.at("mode") == "NONE");
  CHECK(b.properties.at("level") == "no-sidecar");
  CHECK(b.message.find("runs without an Istio sidecar") != std::string::npos);
  CHECK(b.message.find("sidecar.istio.io/inject") != std::string::npos);

  // reports/worker: no PeerAuthentication at all → Istio's default PERMISSIVE.
  const Finding& w = only_one(run->where("mtls-not-strict", "workload", "reports/worker"), "reports/worker");
  CHECK(w.properties.at("level") == "default");
  CHECK(w.properties.at("decided_by").empty());
  CHECK(w.message.find("no PeerAuthentication applies to it and Istio's default is PERMISSIVE") != std::string::npos);
  CHECK(w.help.find("add a PeerAuthentication with mtls.mode: STRICT in namespace reports") == 0);
  CHECK(w.loc.line == test::line_of(file, "name: worker") - 3);  // the Deployment's first key
  CHECK(w.related.empty());
  // "Any other workload" of reports, with no decider, points at the Namespace object.
  const Finding& other_reports = only_one(run->where("mtls-not-strict", "workload", "reports/*"), "reports/*");
  CHECK(other_reports.loc.line == test::line_of(file, "name: reports") - 3);

  // "Any other workload" of each regulated namespace, at workload level (port "*").
  REQUIRE(run->where("mtls-not-strict", "workload_kind", "other-workloads").size() == 2);  // payments, reports
  const Finding& other = only_one(run->where("mtls-not-strict", "workload", "payments/*"), "payments/*");
  CHECK(other.loc == f.loc);  // decided by the same namespace-wide mode field
  CHECK(other.properties.at("port") == "*");
  CHECK(other.message.find(
            "any other workload in namespace payments accepts plaintext as well as mTLS on every port") == 0);

  // Nothing about the unregulated namespace, nothing STRICT.
  CHECK(run->where("mtls-not-strict", "workload", "public/site").empty());
  for (const Finding* x : run->of("mtls-not-strict")) CHECK(x->properties.at("mode") != "STRICT");
  CHECK(run->of("mtls-not-strict").size() == 6);
}

TEST_CASE("mtls-not-strict is quiet when regulated namespaces are STRICT", "[checks][mtls-not-strict]") {
  auto run = test::run_fixture("checks/mtls-not-strict/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("mtls-not-strict").empty());
  // The same input with the unregulated namespace regulated from the command line: it is reported.
  auto cli = test::run_fixture("checks/mtls-not-strict/negative.yaml", {{}, {}, {"public"}});
  INFO("findings:" << cli->dump());
  auto site = cli->where("mtls-not-strict", "workload", "public/site");
  REQUIRE(site.size() == 1);
  CHECK(site[0]->properties.at("level") == "mesh");
  CHECK(site[0]->properties.at("decided_by") == "PeerAuthentication istio-system/default");
  CHECK(site[0]->message.find("set by mesh-wide PeerAuthentication istio-system/default") != std::string::npos);
}

TEST_CASE("mtls-not-strict names synthetic workloads by their labels", "[checks][mtls-not-strict]") {
  auto input = test::load_yaml(R"(
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ghost
  namespace: cards
spec:
  selector:
    matchLabels:
      app: ghost
  mtls:
    mode: DISABLE
)");
  REQUIRE(input);
  profile::Profile prof = profile::default_profile();
  checks::Options options;
  options.today = test::kFixtureToday;
  checks::Context ctx{input->sources, input->resources, input->mesh, prof, options, {"cards"}};
  auto findings = checks::run_checks(ctx, {"mtls-not-strict"});
  std::vector<const Finding*> synthetic;
  for (const Finding& f : findings)
    if (f.properties.at("workload_kind") == "synthetic") synthetic.push_back(&f);
  REQUIRE(synthetic.size() == 1);
  CHECK(synthetic[0]->properties.at("mode") == "DISABLE");
  CHECK(synthetic[0]->message.find("the workloads labelled app=ghost in namespace cards") == 0);
  CHECK(synthetic[0]->message.find("accepts only plaintext") != std::string::npos);
  CHECK(synthetic[0]->properties.at("decided_by") == "PeerAuthentication cards/ghost");
}
