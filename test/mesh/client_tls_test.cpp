// mesh::client_tls_hops (docs/semantics.md#client-tls, destinationrule-tls.md T1-T7): which DestinationRule a
// client uses, its effective tls per port and subset, auto mTLS, and what the server makes of it.
#include <catch2/catch.hpp>

#include "mesh/client_tls.h"
#include "test_support.h"

using namespace meshproof;

namespace {

std::string deployment(const std::string& ns, const std::string& name, const std::string& extra_labels = "") {
  return "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name +
         extra_labels +
         "}}\n    spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}, {containerPort: 9000}]}]}\n";
}

std::string service(const std::string& ns, const std::string& name) {
  return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec: {selector: {app: " + name + "}, ports: [{name: http, port: 8080}, {name: tcp, port: 9000}]}\n";
}

std::string dr(const std::string& ns, const std::string& name, const std::string& spec) {
  return "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec: " + spec + "\n";
}

std::string pa(const std::string& ns, const std::string& name, const std::string& spec) {
  return "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec: " + spec + "\n";
}

// web/frontend (client) and pay/api (server, Service api on 8080 http and 9000 tcp), both with sidecars.
const std::string kWorld = deployment("web", "frontend") + deployment("pay", "api") + service("pay", "api");

struct Hops {
  std::unique_ptr<app::Input> input;
  std::vector<mesh::Hop> hops;
  const mesh::Hop& get(const std::string& client_ns, uint32_t port = 8080, const std::string& subset = "") const {
    for (const mesh::Hop& h : hops) {
      if (h.gateway || h.service->meta.name != "api" || h.service_port != port || h.subset != subset) continue;
      for (size_t c : *h.clients)
        if (input->mesh.workloads[c].ns == client_ns) return h;
    }
    FAIL("no hop from " << client_ns << " to api:" << port);
    return hops.front();
  }
};

Hops hops_of(const std::string& yaml) {
  Hops out;
  out.input = test::load_yaml(yaml);
  REQUIRE(out.input);
  out.hops = mesh::client_tls_hops(out.input->mesh);
  return out;
}

}  // namespace

TEST_CASE("without a DestinationRule, auto mTLS reaches a sidecar endpoint (T3)", "[mesh][client-tls]") {
  Hops h = hops_of(kWorld);
  const mesh::Hop& hop = h.get("web");
  CHECK(hop.dr.rule == nullptr);
  CHECK(hop.transport == mesh::HopTransport::Mtls);
  CHECK(hop.cause == mesh::HopCause::AutoMtls);
  CHECK(hop.client_mode == "ISTIO_MUTUAL (auto)");
}

TEST_CASE("the client's namespace is searched first and hides the service's rule (T4)", "[mesh][client-tls]") {
  Hops h =
      hops_of(kWorld + dr("web", "plain", "{host: api.pay.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}") +
              dr("pay", "mutual", "{host: api, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}"));
  const mesh::Hop& web = h.get("web");
  REQUIRE(web.dr.rule);
  CHECK(web.dr.rule->meta.name == "plain");
  CHECK(web.dr.scope == "client namespace");
  CHECK(web.transport == mesh::HopTransport::Plaintext);
  CHECK(web.cause == mesh::HopCause::DestinationRule);
  REQUIRE(web.dr.hidden.size() == 1);
  CHECK(web.dr.hidden[0]->meta.name == "mutual");
  // pay's own clients use pay's rule (a short host resolves in the rule's namespace).
  const mesh::Hop& pay = h.get("pay");
  REQUIRE(pay.dr.rule);
  CHECK(pay.dr.rule->meta.name == "mutual");
  CHECK(pay.transport == mesh::HopTransport::Mtls);
}

TEST_CASE("a tls block without mode is DISABLE (T1)", "[mesh][client-tls]") {
  Hops h = hops_of(kWorld + dr("pay", "sni", "{host: api, trafficPolicy: {tls: {sni: api.internal}}}"));
  const mesh::Hop& hop = h.get("web");
  CHECK(hop.transport == mesh::HopTransport::Plaintext);
  CHECK(hop.client_mode == "DISABLE (mode omitted)");
}

TEST_CASE("a port-level entry replaces the policy of its port, tls included (T2)", "[mesh][client-tls]") {
  Hops h = hops_of(kWorld +
                   dr("pay", "ports",
                      "{host: api, trafficPolicy: {tls: {mode: DISABLE}, portLevelSettings: [{port: {number: 9000}, "
                      "loadBalancer: {simple: ROUND_ROBIN}}]}}"));
  CHECK(h.get("web", 8080).transport == mesh::HopTransport::Plaintext);
  const mesh::Hop& tcp = h.get("web", 9000);
  CHECK(tcp.dr.tls == nullptr);
  CHECK(tcp.dr.level == "trafficPolicy.portLevelSettings[0]");
  CHECK(tcp.transport == mesh::HopTransport::Mtls);
}

TEST_CASE("exportTo and host precedence decide the rule (T4)", "[mesh][client-tls]") {
  SECTION("a rule exported only to its namespace is not seen from web; the root namespace's is") {
    Hops h = hops_of(kWorld +
                     dr("pay", "private", "{host: api, exportTo: [.], trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}") +
                     dr("istio-system", "mesh-wide", "{host: '*.local', trafficPolicy: {tls: {mode: DISABLE}}}"));
    const mesh::Hop& web = h.get("web");
    REQUIRE(web.dr.rule);
    CHECK(web.dr.rule->meta.name == "mesh-wide");
    CHECK(web.dr.scope == "root namespace");
    CHECK(h.get("pay").dr.rule->meta.name == "private");
  }
  SECTION("an exact host beats a wildcard in the same namespace") {
    Hops h =
        hops_of(kWorld + dr("pay", "wild", "{host: '*.pay.svc.cluster.local', trafficPolicy: {tls: {mode: DISABLE}}}") +
                dr("pay", "exact", "{host: api.pay.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}"));
    CHECK(h.get("web").dr.rule->meta.name == "exact");
  }
  SECTION("a workloadSelector rule applies only to the clients it selects, in its namespace") {
    Hops h = hops_of(kWorld + deployment("web", "batch") +
                     dr("web", "frontend-only",
                        "{host: api.pay.svc.cluster.local, workloadSelector: {matchLabels: {app: frontend}}, "
                        "trafficPolicy: {tls: {mode: DISABLE}}}"));
    // frontend uses the selector rule; batch (and pay/api) use none: two partitions.
    for (const mesh::Hop& hop : h.hops) {
      if (hop.service_port != 8080) continue;
      const bool frontend = hop.clients->size() == 1 && h.input->mesh.workloads[hop.client].name == "frontend";
      CHECK(hop.transport == (frontend ? mesh::HopTransport::Plaintext : mesh::HopTransport::Mtls));
    }
    CHECK(h.hops.size() == 4);  // {frontend}, {batch, api} × ports 8080, 9000
  }
}

// Clients of namespaces without rules share one lookup per Service (mesh/client_tls.cpp, rule_sensitive_namespaces):
// a namespace an exportTo names, or that holds a rule, must still get its own.
TEST_CASE("a namespace named by exportTo sees the rule, other namespaces without rules do not (T4)",
          "[mesh][client-tls]") {
  for (bool audit_first : {true, false}) {
    const std::string audit = deployment("audit", "scanner");
    const std::string others = deployment("ops", "cron") + deployment("own", "tool") +
                               dr("own", "own-rule", "{host: api.pay.svc.cluster.local, trafficPolicy: {tls: {mode: "
                                                     "ISTIO_MUTUAL}}}");
    Hops h = hops_of((audit_first ? audit + kWorld + others : kWorld + others + audit) +
                     dr("pay", "to-audit", "{host: api, exportTo: [audit], trafficPolicy: {tls: {mode: DISABLE}}}"));
    INFO("audit's Deployment " << (audit_first ? "first" : "last"));
    REQUIRE(h.get("audit").dr.rule);
    CHECK(h.get("audit").dr.rule->meta.name == "to-audit");
    CHECK(h.get("audit").transport == mesh::HopTransport::Plaintext);
    CHECK(h.get("web").dr.rule == nullptr);
    CHECK(h.get("ops").dr.rule == nullptr);
    CHECK(h.get("web").transport == mesh::HopTransport::Mtls);
    REQUIRE(h.get("own").dr.rule);
    CHECK(h.get("own").dr.rule->meta.name == "own-rule");
  }
}

TEST_CASE("what the server makes of it (T5, T6)", "[mesh][client-tls]") {
  SECTION("plaintext to STRICT is rejected") {
    Hops h = hops_of(kWorld + pa("pay", "default", "{mtls: {mode: STRICT}}") +
                     dr("web", "plain", "{host: api.pay.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}"));
    const mesh::Hop& hop = h.get("web");
    CHECK(hop.transport == mesh::HopTransport::Broken);
    REQUIRE(hop.peer_authentication);
    CHECK(hop.peer_authentication->meta.name == "default");
  }
  SECTION("a namespace-wide DISABLE turns auto mTLS off for the Service, even toward a STRICT workload") {
    Hops h = hops_of(
        kWorld + pa("pay", "default", "{mtls: {mode: DISABLE}}") +
        pa("pay", "api-strict", "{selector: {matchLabels: {app: api}}, portLevelMtls: {9000: {mode: STRICT}}}"));
    const mesh::Hop& http = h.get("web", 8080);
    CHECK(http.transport == mesh::HopTransport::Plaintext);
    CHECK(http.cause == mesh::HopCause::ServicePaDisable);
    const mesh::Hop& tcp = h.get("web", 9000);
    CHECK(tcp.transport == mesh::HopTransport::Broken);
    CHECK(tcp.cause == mesh::HopCause::ServicePaDisable);
  }
  SECTION("a workload-level DISABLE: auto mTLS sends plaintext to that endpoint") {
    Hops h = hops_of(kWorld + pa("pay", "api", "{selector: {matchLabels: {app: api}}, mtls: {mode: DISABLE}}"));
    CHECK(h.get("web").cause == mesh::HopCause::ServerPaDisable);
    CHECK(h.get("web").transport == mesh::HopTransport::Plaintext);
  }
  SECTION("ISTIO_MUTUAL to an endpoint without a proxy is broken; auto mTLS sends it plaintext") {
    const std::string world = deployment("web", "frontend") +
                              deployment("pay", "api", ", sidecar.istio.io/inject: 'false'") + service("pay", "api");
    Hops mutual = hops_of(world + dr("pay", "m", "{host: api, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}"));
    CHECK(mutual.get("web").transport == mesh::HopTransport::Broken);
    Hops automatic = hops_of(world);
    CHECK(automatic.get("web").transport == mesh::HopTransport::Plaintext);
    CHECK(automatic.get("web").cause == mesh::HopCause::ServerNoProxy);
  }
  SECTION("SIMPLE TLS: refused by a PERMISSIVE HTTP port, passed through on a TCP port") {
    Hops h = hops_of(kWorld + dr("pay", "s", "{host: api, trafficPolicy: {tls: {mode: SIMPLE}}}"));
    CHECK(h.get("web", 8080).transport == mesh::HopTransport::Broken);
    CHECK(h.get("web", 9000).transport == mesh::HopTransport::Tls);
  }
  SECTION("credentialName without workloadSelector: sidecars send plaintext (T7)") {
    Hops h = hops_of(kWorld + dr("pay", "c", "{host: api, trafficPolicy: {tls: {mode: SIMPLE, credentialName: ca}}}"));
    CHECK(h.get("web", 9000).transport == mesh::HopTransport::Plaintext);
    CHECK(h.get("web", 9000).cause == mesh::HopCause::CredentialNoSelector);
  }
}

TEST_CASE("a gateway's routed subset takes the subset's tls", "[mesh][client-tls]") {
  const std::string gw =
      deployment("istio-system", "ingress", ", istio: ingressgateway") +
      "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: pay}\n"
      "spec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: "
      "['*']}]\n"
      "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v, namespace: pay}\n"
      "spec:\n  hosts: ['*']\n  gateways: [gw]\n  http: [{route: [{destination: {host: api, subset: v1, port: {number: "
      "8080}}}]}]\n";
  Hops h = hops_of(kWorld + gw +
                   dr("pay", "subsets",
                      "{host: api, subsets: [{name: v1, labels: {app: api}, trafficPolicy: {tls: {mode: DISABLE}}}]}"));
  const mesh::Hop* found = nullptr;
  for (const mesh::Hop& hop : h.hops)
    if (hop.gateway) found = &hop;
  REQUIRE(found);
  CHECK(found->subset == "v1");
  CHECK(found->service_port == 8080);
  CHECK(found->dr.level == "subsets[0].trafficPolicy");
  CHECK(found->transport == mesh::HopTransport::Plaintext);
}
