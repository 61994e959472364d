// Tables compiled and proven per second (docs/compile.md): a synthetic mesh — namespaces of workloads with
// HTTP and TCP ports, a namespace-wide STRICT PeerAuthentication, and per workload an ALLOW policy (peer
// principals and namespaces, methods, paths with templates, hosts, headers, JWT claims), a DENY policy
// (notPrincipals, IP blocks, path prefixes) and, for some, an AUDIT and a dry-run policy — is loaded once;
// each iteration runs compile::compile_mesh: emit every class's HTTP and TCP tables, write them as JSON,
// decode them back and prove them equivalent with Z3. Counter `tables/s` is the figure the docs quote.
//
//   build/bench/compile_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/analysis.h"
#include "compile/compile.h"

namespace fs = std::filesystem;
using namespace meshproof;

namespace {

std::string synthetic_mesh(int namespaces, int workloads_per_ns) {
  std::ostringstream y;
  for (int n = 0; n < namespaces; ++n) {
    std::string ns = "team" + std::to_string(n);
    y << "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: " << ns
      << "}\nspec: {mtls: {mode: STRICT}}\n---\n";
    for (int w = 0; w < workloads_per_ns; ++w) {
      std::string app = "svc" + std::to_string(w);
      y << "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " << app << ", namespace: " << ns << "}\n"
        << "spec:\n  selector: {matchLabels: {app: " << app << "}}\n  template:\n    metadata: {labels: {app: " << app
        << "}}\n    spec:\n      serviceAccountName: " << app << "\n      containers:\n      - name: main\n"
        << "        ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: grpc}, {containerPort: "
           "5432, name: tcp-db}]\n---\n";
      y << "apiVersion: v1\nkind: Service\nmetadata: {name: " << app << ", namespace: " << ns
        << "}\nspec:\n  selector: {app: " << app
        << "}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n  - {name: grpc, port: 9090, targetPort: 9090}\n"
        << "  - {name: tcp-db, port: 5432, targetPort: 5432}\n---\n";
      std::string caller = "team" + std::to_string((n + 1) % namespaces);
      y << "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " << app
        << "-allow, namespace: " << ns << "}\nspec:\n  selector: {matchLabels: {app: " << app << "}}\n  rules:\n"
        << "  - from:\n    - source:\n        principals: [\"cluster.local/ns/" << caller << "/sa/svc" << w % 3
        << "\", \"cluster.local/ns/" << ns
        << "/sa/*\"]\n    to:\n    - operation:\n        methods: [\"GET\", \"POST\"]\n"
        << "        paths: [\"/api/v" << w % 2 + 1 << "/*\", \"/items/{*}/detail\", \"/health\"]\n"
        << "        hosts: [\"" << app << "." << ns << ".svc.cluster.local\", \"*.example.com\"]\n"
        << "    when:\n    - key: request.headers[x-tenant]\n      values: [\"t" << w % 5 << "\", \"shared-*\"]\n"
        << "  - from:\n    - source:\n        namespaces: [\"" << caller
        << "\", \"ops-*\"]\n    to:\n    - operation:\n        ports: [\"5432\"]\n"
        << "  - from:\n    - source:\n        requestPrincipals: [\"https://login.example.com/*\"]\n"
        << "    when:\n    - key: request.auth.claims[groups]\n      values: [\"admins\", \"" << ns << "-*\"]\n---\n";
      y << "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " << app
        << "-deny, namespace: " << ns << "}\nspec:\n  selector: {matchLabels: {app: " << app
        << "}}\n  action: DENY\n  rules:\n"
        << "  - from:\n    - source:\n        notPrincipals: [\"*\"]\n        notIpBlocks: [\"10.0.0.0/8\"]\n"
        << "  - to:\n    - operation:\n        paths: [\"/admin*\", \"*/debug\"]\n        notPorts: [\"5432\"]\n---\n";
      if (w % 3 == 0)
        y << "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: " << app
          << "-audit, namespace: " << ns << "}\nspec:\n  selector: {matchLabels: {app: " << app
          << "}}\n  action: AUDIT\n  rules:\n"
          << "  - to:\n    - operation: {methods: [\"DELETE\"]}\n---\n";
      if (w % 4 == 1)
        y << "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: " << app
          << "-try\n  namespace: " << ns
          << "\n  annotations: {\"istio.io/dry-run\": \"true\"}\nspec:\n  selector: {matchLabels: {app: " << app
          << "}}\n  action: DENY\n  rules:\n  - from:\n    - source: {namespaces: [\"legacy\"]}\n---\n";
    }
  }
  return y.str();
}

struct Fixture {
  std::unique_ptr<analysis::Analysis> analysis;
  Fixture() {
    fs::path dir = fs::temp_directory_path() / ("meshproof-compile-bench-" + std::to_string(getpid()));
    fs::create_directories(dir);
    fs::path file = dir / "mesh.yaml";
    std::ofstream(file) << synthetic_mesh(10, 12);
    analysis::Options o;
    o.input.paths = {file.string()};
    o.run_checks = false;
    analysis = analysis::run(o);
    fs::remove_all(dir);
  }
};

void BM_CompileAndProve(benchmark::State& state) {
  static Fixture f;
  compile::CompileOptions opts;
  opts.threads = static_cast<unsigned>(state.range(0));
  size_t tables = 0, proven = 0;
  for (auto _ : state) {
    compile::CompileResult r = compile::compile_mesh(f.analysis->input->mesh, opts);
    tables += r.tables.size();
    for (const auto& t : r.tables) proven += t.status == compile::TableStatus::Proven;
    benchmark::DoNotOptimize(r);
  }
  state.counters["tables/s"] = benchmark::Counter(static_cast<double>(tables), benchmark::Counter::kIsRate);
  state.counters["tables"] = static_cast<double>(tables) / static_cast<double>(state.iterations());
  state.counters["proven"] = static_cast<double>(proven) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_CompileAndProve)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
