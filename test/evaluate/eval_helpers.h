// Shared helpers for the IR and evaluator tests: a small mesh with one workload, programs built through
// the whole pipeline, and request builders.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "engine/evaluate.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "ir/request.h"
#include "test_support.h"

namespace meshproof::test {

// Workload foo/web (labels app=web, service account web) with port 8080 (HTTP, Service port name
// "http") and port 9000 (TCP, Service port name "tcp"). Policies are appended by each test.
inline const char* kWebWorkload = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - name: c
        image: x
        ports: [{containerPort: 8080}, {containerPort: 9000}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: foo}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: tcp, port: 9000}
)";

struct Built {
  std::unique_ptr<app::Input> input;
  ir::WorkloadPrograms programs;

  const ir::Program& view(uint32_t port, ir::Protocol p) const {
    const ir::PortPrograms* pp = programs.find_port(port);
    REQUIRE(pp != nullptr);
    const ir::Program* prog = pp->view(p);
    REQUIRE(prog != nullptr);
    return *prog;
  }
  const ir::Program& http() const { return view(8080, ir::Protocol::Http); }
  const ir::Program& tcp() const { return view(9000, ir::Protocol::Tcp); }
};

// Loads kWebWorkload plus `extra` (documents separated by ---) and builds foo/web's programs.
inline Built build_web(const std::string& extra, const std::string& workload = "web") {
  Built b;
  std::string yaml = std::string(kWebWorkload) + (extra.empty() ? "" : "---\n" + extra);
  // Admission skipped: these tests pin the builder's lowering of every value, including values Istio's
  // admission rejects (the builder goldens have such inputs).
  b.input = load_yaml(yaml, "test.yaml", Admission::Skip);
  for (const auto& e : b.input->errors) FAIL_CHECK(e.message);
  for (const auto& d : b.input->resources.diagnostics)
    if (d.severity == Severity::Error) WARN("diagnostic: " << d.message);
  const mesh::Workload* w = b.input->mesh.find("foo", workload);
  REQUIRE(w != nullptr);
  b.programs = ir::build_programs(*w, ir::LowerContext::from(b.input->mesh.config));
  return b;
}

// Request builders.
inline ir::Request from_peer(const std::string& principal, uint32_t port = 8080) {
  ir::Request r;
  REQUIRE(r.set_principal(principal));
  r.port = port;
  r.method = "GET";
  r.path = "/";
  r.host = "web.foo.svc.cluster.local";
  return r;
}
inline ir::Request plaintext(uint32_t port = 8080) {
  ir::Request r;
  r.port = port;
  r.method = "GET";
  r.path = "/";
  r.host = "web.foo.svc.cluster.local";
  return r;
}

inline engine::Verdict verdict(const ir::Program& p, const ir::Request& r) { return engine::evaluate(p, r).verdict; }

}  // namespace meshproof::test
