// meshgen: writes a deterministic, realistic synthetic Kubernetes/Istio manifest repository for
// benchmarks (docs/meshgen.md). It depends on nothing but CLI11 and writes YAML text itself, so that the
// benchmark input never depends on the code under test.
//
// Determinism: the same arguments give a byte-identical tree. Everything random comes from splitmix64
// streams seeded from --seed; containers are vectors walked in index order; no clocks, no addresses, no
// std::random_device, no unordered iteration, no floating point in decisions.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "options.h"

namespace fs = std::filesystem;

namespace {

using meshgen::AuthnScope;
using meshgen::DenyAll;
using meshgen::Options;
using meshgen::ShapeOptions;

// ---- randomness -------------------------------------------------------------------------------------

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and its output sequence is fixed by the seed alone.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). The modulo bias (< n / 2^64) is irrelevant here and keeps the sequence simple.
  uint32_t below(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(next() % n); }
  bool percent(uint32_t p) { return below(100) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(static_cast<uint32_t>(v.size()))];
  }

 private:
  uint64_t state_;
};

// Independent streams for the plan and the content, so that changing how policies are worded never
// changes how many workloads there are.
constexpr uint64_t kPlanStream = 0x6D657368706C616Eull;     // "meshplan"
constexpr uint64_t kContentStream = 0x6D657368636F6E74ull;  // "meshcont"

// ---- vocabulary -------------------------------------------------------------------------------------

const std::vector<std::string> kDomains = {
    "payments",  "orders",    "ledger",     "accounts", "cards",        "loans",     "identity",   "onboarding",
    "kyc",       "fraud",     "risk",       "pricing",  "catalog",      "inventory", "shipping",   "notifications",
    "billing",   "reporting", "analytics",  "search",   "support",      "treasury",  "compliance", "audit",
    "messaging", "documents", "scheduling", "claims",   "underwriting", "rewards"};

enum class Proto { Http, Grpc, Tcp };

struct Role {
  std::string name;
  Proto proto;
  std::string port_name;  // container and Service port name: Istio reads the protocol from its prefix
  uint32_t port;
  uint32_t service_port;
  bool stateful;     // StatefulSet with a headless Service
  bool user_facing;  // may receive end-user JWTs (RequestAuthentication candidates)
};

const std::vector<Role> kRoles = {
    {"api", Proto::Http, "http-api", 8080, 80, false, true},
    {"engine", Proto::Grpc, "grpc-api", 9090, 9090, false, false},
    {"worker", Proto::Http, "http-admin", 8081, 8081, false, false},
    {"web", Proto::Http, "http-web", 8080, 80, false, true},
    {"db", Proto::Tcp, "tcp-postgres", 5432, 5432, true, false},
    {"gateway", Proto::Http, "http-api", 8080, 80, false, true},
    {"indexer", Proto::Grpc, "grpc-api", 9090, 9090, false, false},
    {"cache", Proto::Tcp, "tcp-redis", 6379, 6379, true, false},
    {"scheduler", Proto::Http, "http-api", 8080, 80, false, false},
    {"bff", Proto::Http, "http-web", 8080, 80, false, true},
    {"reconciler", Proto::Grpc, "grpc-api", 9090, 9090, false, false},
    {"notifier", Proto::Http, "http-api", 8080, 80, false, false},
};

const std::vector<std::string> kResources = {"accounts", "transfers", "cards",    "statements", "customers",
                                             "orders",   "invoices",  "payments", "quotes",     "documents",
                                             "sessions", "events",    "reports",  "limits",     "alerts"};

const std::vector<std::vector<std::string>> kMethodSets = {
    {"GET"}, {"GET", "HEAD"}, {"GET", "POST"}, {"POST"}, {"PUT", "PATCH"}, {"GET", "POST", "PUT", "DELETE"}};

const std::vector<std::string> kIssuers = {"https://login.meshgen.example", "https://partners.meshgen.example",
                                           "https://staff-sso.meshgen.example"};

const std::vector<std::string> kScopes = {"accounts:read", "accounts:write", "payments:initiate",
                                          "cards:manage",  "reports:read",   "admin"};

const std::vector<std::string> kRegions = {"eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2"};

const std::string kTrustDomain = "cluster.local";
const std::string kRegistry = "registry.meshgen.example";
const std::string kRootNamespace = "istio-system";
const std::string kGatewayPrincipal = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";

// ---- the plan ---------------------------------------------------------------------------------------

enum class PaMode { None, Strict, Permissive };

struct WorkloadPlan {
  size_t ns = 0;
  std::string name;
  const Role* role = nullptr;
  uint32_t policies = 0;  // AuthorizationPolicies of this workload (its own ALLOW/DENY policies)
  uint32_t version = 1;
  uint32_t replicas = 2;
  bool metrics_port = false;          // a second container port http-metrics 9102
  bool port_level_exception = false;  // workload PeerAuthentication opening the metrics port
};

struct NamespacePlan {
  std::string name;
  std::string domain;
  bool regulated = false;
  PaMode pa = PaMode::None;
  bool deny_all = false;
  bool has_jwt = false;  // a RequestAuthentication for its user-facing workloads
  bool ambient = false;   // istio.io/dataplane-mode=ambient instead of sidecar injection
  bool waypoint = false;  // (ambient) a waypoint serves its Services; policies use targetRefs
  std::string issuer;
  std::vector<size_t> workloads;
};

struct Plan {
  std::vector<NamespacePlan> namespaces;
  std::vector<WorkloadPlan> workloads;
  uint64_t policies = 0;  // AuthorizationPolicies, deny-all baselines included; equals --policies
};

std::string namespace_name(size_t i) {
  const std::string& d = kDomains[i % kDomains.size()];
  size_t round = i / kDomains.size();
  return round == 0 ? d : d + "-" + std::to_string(round + 1);
}

// Whether namespace `index` gets a deny-all baseline; draws only in the default `mixed` mode, and only when
// a policy is left for a workload (so that the default shape's draws stay what they always were).
bool plan_deny_all(const ShapeOptions& s, bool regulated, uint64_t remaining, Rng& rng) {
  if (remaining < 2 || s.deny_all == DenyAll::None) return false;
  if (s.deny_all == DenyAll::All) return true;
  return rng.percent(regulated ? 95 : 80);
}

WorkloadPlan plan_workload(const ShapeOptions& s, const NamespacePlan& ns, size_t index, uint32_t j,
                           uint64_t& remaining, Rng& rng) {
  const uint32_t mean = std::max<uint32_t>(1, s.policies_per_workload);
  const uint32_t lo = mean > s.policy_spread ? mean - s.policy_spread : 1;
  const uint32_t span = mean + s.policy_spread - lo + 1;  // counts lo..mean+spread, mean on average
  WorkloadPlan w;
  w.ns = index;
  w.role = &kRoles[(j + index) % kRoles.size()];
  uint32_t round = j / static_cast<uint32_t>(kRoles.size());
  w.name = ns.domain + "-" + w.role->name + (round == 0 ? "" : "-" + std::to_string(round + 1));
  uint32_t count = lo + rng.below(span);
  w.policies = static_cast<uint32_t>(std::min<uint64_t>(count, remaining));
  remaining -= w.policies;
  w.version = 1 + rng.below(9);
  w.replicas = w.role->stateful ? 3 : 2 + rng.below(4);
  w.metrics_port = w.role->proto != Proto::Tcp && rng.percent(s.metrics_percent);
  w.port_level_exception = w.metrics_port && rng.percent(s.port_mtls_percent);
  return w;
}

// Whether item `index` is among `percent` % of a sequence spread evenly, starting with the first: it is when
// ceil((index+1)p/100) steps up. Draws nothing, so options at 0 leave every random stream as it was.
bool evenly(uint64_t index, uint64_t percent) { return ((index + 1) * percent + 99) / 100 > (index * percent + 99) / 100; }

// Decides the topology and how many AuthorizationPolicies each namespace and workload gets, so that
// the total is exactly --policies: one deny-all per namespace that has one, and per workload a count
// spread evenly around --policies-per-workload.
Plan make_plan(const Options& o) {
  const ShapeOptions& s = o.s;
  Rng rng(o.seed ^ kPlanStream);
  Plan plan;
  uint64_t remaining = o.policies;
  uint64_t ambient_seen = 0;
  while (remaining > 0) {
    NamespacePlan ns;
    size_t index = plan.namespaces.size();
    ns.name = namespace_name(index);
    ns.domain = kDomains[index % kDomains.size()];
    // Exactly --regulated-percent of the namespaces, spread evenly and starting with the first, so that
    // even a small tree has a regulated namespace: namespace i is regulated when ceil((i+1)p/100) steps up.
    ns.regulated = evenly(index, o.regulated_percent);
    ns.ambient = evenly(index, s.ambient_percent);
    ns.waypoint = ns.ambient && evenly(ambient_seen++, s.waypoint_percent);
    uint32_t r = rng.below(100);
    // Regulated namespaces are STRICT almost always; the rest mix explicit STRICT, inherit-from-mesh
    // and a few left in the rollout's PERMISSIVE mode.
    if (ns.regulated)
      ns.pa = r < 95 ? PaMode::Strict : PaMode::Permissive;
    else
      ns.pa = r < 50 ? PaMode::Strict : r < 85 ? PaMode::None : PaMode::Permissive;
    ns.deny_all = plan_deny_all(s, ns.regulated, remaining, rng);
    if (ns.deny_all) remaining -= 1;
    ns.has_jwt = rng.percent(s.jwt_namespace_percent);
    ns.issuer = rng.pick(kIssuers);
    for (uint32_t j = 0; j < s.workloads_per_namespace && remaining > 0; ++j) {
      ns.workloads.push_back(plan.workloads.size());
      plan.workloads.push_back(plan_workload(s, ns, index, j, remaining, rng));
    }
    plan.namespaces.push_back(std::move(ns));
  }
  plan.policies = o.policies;
  return plan;
}

// ---- YAML text --------------------------------------------------------------------------------------

// Every value written is a plain identifier, path, URL or number, so double-quoting without escapes is
// enough; the few characters that would need escaping never occur.
std::string q(const std::string& s) { return "\"" + s + "\""; }

std::string flow_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += q(items[i]);
  }
  return out + "]";
}

std::string principal(const NamespacePlan& ns, const WorkloadPlan& w) {
  return kTrustDomain + "/ns/" + ns.name + "/sa/" + w.name;
}

class Writer {
 public:
  Writer(const Options& o, const Plan& plan) : o_(o), plan_(plan), rng_(o.seed ^ kContentStream) {
    for (size_t i = 0; i < plan.workloads.size(); ++i)
      if (plan.workloads[i].role->proto != Proto::Tcp) callers_.push_back(i);
  }

  uint64_t bytes() const { return bytes_; }
  uint64_t files() const { return files_; }
  uint64_t written_policies() const { return policies_; }

  void write_all() {
    write_mesh();
    for (size_t i = 0; i < plan_.namespaces.size(); ++i) write_namespace(i);
  }

 private:
  void emit_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!f) throw std::runtime_error("cannot write " + path.string());
    bytes_ += text.size();
    ++files_;
  }

  void write_mesh() {
    std::string t;
    t += "# Mesh-wide settings: STRICT mTLS for every namespace that does not override it, access logs,\n"
         "# and the ingress gateway that user-facing workloads accept traffic from.\n";
    t += "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n  labels:\n"
         "    app.kubernetes.io/managed-by: meshgen\n";
    t += "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
         "  namespace: istio-system\nspec:\n  mtls:\n    mode: STRICT\n";
    t += "---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata:\n  name: mesh-default\n"
         "  namespace: istio-system\nspec:\n  accessLogging:\n    - providers:\n        - name: envoy\n";
    t += "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: istio-ingressgateway-service-account\n"
         "  namespace: istio-system\n";
    t += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: istio-ingressgateway\n"
         "  namespace: istio-system\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n"
         "      app: istio-ingressgateway\n      istio: ingressgateway\n  template:\n    metadata:\n"
         "      labels:\n        app: istio-ingressgateway\n        istio: ingressgateway\n"
         "      annotations:\n        inject.istio.io/templates: gateway\n    spec:\n"
         "      serviceAccountName: istio-ingressgateway-service-account\n      containers:\n"
         "        - name: istio-proxy\n          image: auto\n          ports:\n            - name: https\n"
         "              containerPort: 8443\n            - name: status-port\n              containerPort: 15021\n";
    t += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\n"
         "spec:\n  type: LoadBalancer\n  selector:\n    app: istio-ingressgateway\n    istio: ingressgateway\n"
         "  ports:\n    - name: https\n      port: 443\n      targetPort: 8443\n";
    t += "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: public-gateway\n"
         "  namespace: istio-system\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n"
         "    - port:\n        number: 443\n        name: https\n        protocol: HTTPS\n      tls:\n"
         "        mode: SIMPLE\n        credentialName: public-tls\n      hosts:\n        - \"*.meshgen.example\"\n";
    emit_file(fs::path(o_.out) / kRootNamespace / "mesh.yaml", t);
  }

  void write_namespace(size_t index) {
    const NamespacePlan& ns = plan_.namespaces[index];
    std::string t;
    t += "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns.name + "\n  labels:\n";
    t += ns.ambient ? "    istio.io/dataplane-mode: ambient\n" : "    istio-injection: enabled\n";
    t += "    meshgen.example/team: team-" + ns.domain + "\n";
    if (ns.regulated) t += "    compliance.meshproof.dev/regulated: \"true\"\n";
    if (ns.pa != PaMode::None) {
      t += "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
           "  namespace: " +
           ns.name + "\nspec:\n  mtls:\n    mode: ";
      t += ns.pa == PaMode::Strict ? "STRICT\n" : "PERMISSIVE\n";
    }
    if (ns.waypoint) t += waypoint_gateway(ns);
    if (ns.deny_all && ns.waypoint) {
      t += waypoint_only_policy(ns);
      ++policies_;
    } else if (ns.deny_all) {
      t += "---\n# Default deny: an ALLOW policy without rules matches nothing, so every request that no other\n"
           "# ALLOW policy allows is denied.\n";
      t += "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: deny-all\n"
           "  namespace: " +
           ns.name + "\nspec: {}\n";
      ++policies_;
    }
    if (ns.has_jwt && o_.s.request_authn == AuthnScope::Namespace) {
      t += "---\n# End-user JWTs are validated for every workload of the namespace.\n";
      t += "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata:\n  name: jwt\n  namespace: " +
           ns.name + "\nspec:\n" + jwt_rules(ns.issuer, ns.name);
    }
    emit_file(fs::path(o_.out) / ns.name / "namespace.yaml", t);
    for (size_t w : ns.workloads) write_workload(ns, plan_.workloads[w]);
  }

  void write_workload(const NamespacePlan& ns, const WorkloadPlan& w) {
    std::string t;
    const Role& r = *w.role;
    t += "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " + w.name + "\n  namespace: " + ns.name + "\n";
    t += "---\napiVersion: apps/v1\nkind: " + std::string(r.stateful ? "StatefulSet" : "Deployment") +
         "\nmetadata:\n  name: " + w.name + "\n  namespace: " + ns.name + "\n  labels:\n    app: " + w.name +
         "\nspec:\n";
    if (r.stateful) t += "  serviceName: " + w.name + "\n";
    t += "  replicas: " + std::to_string(w.replicas) + "\n  selector:\n    matchLabels:\n      app: " + w.name +
         "\n  template:\n    metadata:\n      labels:\n        app: " + w.name + "\n        version: v" +
         std::to_string(w.version) + "\n    spec:\n      serviceAccountName: " + w.name + "\n      containers:\n" +
         "        - name: " + r.name + "\n          image: " + kRegistry + "/" + ns.domain + "/" + w.name + ":" +
         std::to_string(w.version) + "." + std::to_string(rng_.below(20)) + ".0\n          ports:\n" +
         "            - name: " + r.port_name + "\n              containerPort: " + std::to_string(r.port) + "\n";
    if (w.metrics_port) t += "            - name: http-metrics\n              containerPort: 9102\n";
    // One draw per statement: the order in which operands of `+` are evaluated is unspecified.
    const uint32_t cpu = 50 * (1 + rng_.below(8));
    const uint32_t memory = 64 * (1 + rng_.below(8));
    t += "          resources:\n            requests:\n              cpu: " + std::to_string(cpu) +
         "m\n              memory: " + std::to_string(memory) + "Mi\n";
    t += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + w.name + "\n  namespace: " + ns.name + "\n";
    if (ns.waypoint) t += "  labels:\n    istio.io/use-waypoint: waypoint\n";
    t += "spec:\n";
    if (r.stateful) t += "  clusterIP: None\n";
    t += "  selector:\n    app: " + w.name + "\n  ports:\n    - name: " + r.port_name +
         "\n      port: " + std::to_string(r.service_port) + "\n      targetPort: " + std::to_string(r.port) + "\n";
    if (r.proto == Proto::Grpc) t += "      appProtocol: grpc\n";
    if (w.metrics_port) t += "    - name: http-metrics\n      port: 9102\n      targetPort: 9102\n";
    if (r.user_facing && draw(o_.s.gateway_route_percent)) t += gateway_route(ns, w);

    if (w.port_level_exception) {
      // The usual metrics exception: Prometheus outside the mesh scrapes the exporter port. Keyed by the
      // container port, as Istio requires; the workload mode is left unset (inherits).
      t += "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: " + w.name +
           "-metrics\n  namespace: " + ns.name + "\nspec:\n  selector:\n    matchLabels:\n      app: " + w.name +
           "\n  portLevelMtls:\n    9102:\n      mode: " + (rng_.percent(50) ? "DISABLE" : "PERMISSIVE") + "\n";
    }
    // Whether a RequestAuthentication applies to the workload, so that JWT conditions can match.
    const bool per_namespace = o_.s.request_authn == AuthnScope::Namespace;
    const bool jwt = ns.has_jwt && (per_namespace || r.user_facing);
    if (jwt && !per_namespace) {
      t += "---\napiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata:\n  name: " + w.name +
           "-jwt\n  namespace: " + ns.name + "\nspec:\n" + attachment(ns, w) + jwt_rules(ns.issuer, w.name);
    }
    for (uint32_t i = 0; i < w.policies; ++i) t += "---\n" + policy(ns, w, i, jwt);
    emit_file(fs::path(o_.out) / ns.name / (w.name + ".yaml"), t);
  }

  static std::string jwt_rules(const std::string& issuer, const std::string& audience) {
    return "  jwtRules:\n    - issuer: " + q(issuer) + "\n      jwksUri: " + q(issuer + "/.well-known/jwks.json") +
           "\n      audiences:\n        - " + q(audience) + "\n      forwardOriginalToken: true\n";
  }

  // Callers of a workload: workloads of other namespaces (the cross-team calls that policies exist for),
  // or of the same namespace when the mesh has only one.
  std::vector<std::string> pick_callers(const NamespacePlan& ns, const WorkloadPlan& self, uint32_t n) {
    std::vector<std::string> out;
    for (uint32_t tries = 0; out.size() < n && tries < 8 * n; ++tries) {
      if (callers_.empty()) break;
      const WorkloadPlan& c = plan_.workloads[rng_.pick(callers_)];
      if (&c == &self) continue;
      if (plan_.namespaces.size() > 1 && plan_.namespaces[c.ns].name == ns.name) continue;
      std::string p = principal(plan_.namespaces[c.ns], c);
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
    if (out.empty()) out.push_back(kGatewayPrincipal);
    return out;
  }

  std::string header(const NamespacePlan& ns, const WorkloadPlan& w, const std::string& name,
                     const std::string& action) {
    std::string t = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: " + name +
                    "\n  namespace: " + ns.name + "\n";
    if (rng_.percent(40))
      t += "  annotations:\n    meshgen.example/owner: team-" + ns.domain + "\n    meshgen.example/ticket: SEC-" +
           std::to_string(1000 + rng_.below(9000)) + "\n";
    t += "spec:\n" + attachment(ns, w) + "  action: " + action + "\n  rules:\n";
    return t;
  }

  // How a workload's policies name it: a selector, or, where a waypoint enforces them, targetRefs to its
  // Service (a waypoint never applies selector policies; docs/semantics.md#waypoints).
  static std::string attachment(const NamespacePlan& ns, const WorkloadPlan& w) {
    if (ns.waypoint) return "  targetRefs:\n    - kind: Service\n      group: \"\"\n      name: " + w.name + "\n";
    return "  selector:\n    matchLabels:\n      app: " + w.name + "\n";
  }

  // The namespace's waypoint (istio.io "Configure waypoint proxies"): a Gateway of class istio-waypoint for
  // Services, which the Services name with the label istio.io/use-waypoint.
  static std::string waypoint_gateway(const NamespacePlan& ns) {
    return "---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: waypoint\n  namespace: " +
           ns.name +
           "\n  labels:\n    istio.io/waypoint-for: service\nspec:\n  gatewayClassName: istio-waypoint\n  listeners:\n"
           "    - name: mesh\n      port: 15008\n      protocol: HBONE\n";
  }

  // A waypoint namespace's baseline, in place of deny-all: ztunnel admits only the waypoint's identity, so a
  // caller that skips the waypoint is refused (istio.io "Layer 4 authorization policy").
  static std::string waypoint_only_policy(const NamespacePlan& ns) {
    return "---\n# Only the waypoint may reach the workloads: callers that skip it are refused by ztunnel.\n"
           "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: waypoint-only\n"
           "  namespace: " +
           ns.name + "\nspec:\n  action: ALLOW\n  rules:\n    - from:\n        - source:\n            principals: [" +
           q(kTrustDomain + "/ns/" + ns.name + "/sa/waypoint") + "]\n";
  }

  // A public route from the ingress gateway's HTTPS server to the workload's Service.
  static std::string gateway_route(const NamespacePlan& ns, const WorkloadPlan& w) {
    return "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: " + w.name +
           "-public\n  namespace: " + ns.name + "\nspec:\n  hosts: [" + q(w.name + "." + ns.name + ".meshgen.example") +
           "]\n  gateways: [" + q(kRootNamespace + "/public-gateway") +
           "]\n  http:\n    - match:\n        - uri:\n            prefix: /\n      route:\n        - destination:\n"
           "            host: " +
           w.name + "." + ns.name + ".svc.cluster.local\n            port:\n              number: " +
           std::to_string(w.role->service_port) + "\n";
  }

  // Who may call: the picked callers' principals; a negated rule instead admits every workload of their
  // namespaces except the pods that run as the namespace's default ServiceAccount.
  static std::string source_block(const std::vector<std::string>& principals, bool negated) {
    if (!negated) {
      std::string t = "    - from:\n        - source:\n            principals:\n";
      for (const auto& p : principals) t += "              - " + q(p) + "\n";
      return t;
    }
    std::vector<std::string> namespaces;
    for (const auto& p : principals) {
      const size_t from = p.find("/ns/") + 4;
      std::string ns = p.substr(from, p.find('/', from) - from);
      if (std::find(namespaces.begin(), namespaces.end(), ns) == namespaces.end()) namespaces.push_back(ns);
    }
    std::vector<std::string> defaults;
    for (const auto& ns : namespaces) defaults.push_back(kTrustDomain + "/ns/" + ns + "/sa/default");
    return "    - from:\n        - source:\n            namespaces: " + flow_list(namespaces) +
           "\n            notPrincipals: " + flow_list(defaults) + "\n";
  }

  // The operation a caller gets: methods and paths on HTTP, the gRPC service on gRPC, the port on TCP. A
  // negated rule also excludes internal paths (HTTP) or the health service (gRPC) with notPaths.
  std::string operation(const NamespacePlan& ns, const WorkloadPlan& w, bool negated = false) {
    const Role& r = *w.role;
    std::string t = "      to:\n        - operation:\n";
    if (r.proto == Proto::Tcp) {
      t += "            ports: [" + q(std::to_string(r.port)) + "]\n";
    } else if (r.proto == Proto::Grpc) {
      std::string svc = r.name;
      svc[0] = static_cast<char>(svc[0] - 'a' + 'A');
      t += "            methods: [\"POST\"]\n            paths: [" + q("/" + ns.domain + ".v1." + svc + "Service/*") +
           "]\n";
      if (negated) t += "            notPaths: [\"/grpc.health.v1.Health/*\"]\n";
    } else {
      const std::string& res = rng_.pick(kResources);
      t += "            methods: " + flow_list(rng_.pick(kMethodSets)) + "\n            paths: [" +
           q("/api/v1/" + res) + ", " + q("/api/v1/" + res + "/*") + "]\n";
      if (negated) t += "            notPaths: [" + q("/api/v1/" + res + "/internal/*") + "]\n";
      if (rng_.percent(30)) t += "            ports: [" + q(std::to_string(r.port)) + "]\n";
    }
    return t;
  }

  // One draw each, and none at all when the share is 0 (the default shape's draws stay as they were).
  bool draw(uint32_t percent) { return percent > 0 && rng_.percent(percent); }

  // The conditions a rule gets on top of its kind's own (--header-rule-percent, --claim-rule-percent), as
  // `when` list items. HTTP and gRPC rules only: these attributes do not exist on TCP.
  std::vector<std::string> extra_conditions(const NamespacePlan& ns, const WorkloadPlan& w, bool jwt) {
    std::vector<std::string> out;
    if (w.role->proto == Proto::Tcp) return out;
    if (draw(o_.s.header_rule_percent))
      out.push_back("        - key: request.headers[x-client-region]\n          values: [" + q(rng_.pick(kRegions)) +
                    "]\n");
    // A claim condition matches only requests with a validated JWT, so only where one is validated.
    if (jwt && draw(o_.s.claim_rule_percent))
      out.push_back("        - key: request.auth.claims[groups]\n          values: [" + q("team-" + ns.domain) + "]\n");
    return out;
  }

  static std::string when_block(const std::vector<std::string>& conditions) {
    std::string t;
    for (const auto& c : conditions) t += c;
    return t.empty() ? t : "      when:\n" + t;
  }

  std::string deny_policy(const NamespacePlan& ns, const WorkloadPlan& w, const std::string& suffix, bool jwt) {
    const Role& r = *w.role;
    std::string t = header(ns, w, w.name + "-deny" + suffix, "DENY");
    std::vector<std::string> when;
    if (r.proto == Proto::Tcp) {
      t += "    - from:\n        - source:\n            ipBlocks: [" +
           q("10." + std::to_string(64 + rng_.below(64)) + ".0.0/16") + "]\n";
    } else if (rng_.percent(50)) {
      t += "    - from:\n        - source:\n            notNamespaces: [" + q(ns.name) +
           "]\n      to:\n        - operation:\n            paths: [\"/admin\", \"/admin/*\"]\n";
      if (draw(o_.s.negated_rule_percent)) t += "            notPaths: [\"/admin/healthz\"]\n";
      t += "            ports: [" + q(std::to_string(r.port)) + "]\n";
    } else {
      t += "    - to:\n        - operation:\n            methods: [\"DELETE\"]\n            ports: [" +
           q(std::to_string(r.port)) + "]\n";
      when.push_back("        - key: request.headers[x-break-glass]\n          notValues: [\"approved\"]\n");
    }
    for (auto& c : extra_conditions(ns, w, jwt)) when.push_back(std::move(c));
    return t + when_block(when);
  }

  std::string jwt_policy(const NamespacePlan& ns, const WorkloadPlan& w, const std::string& suffix) {
    std::string t = header(ns, w, w.name + "-allow-users" + suffix, "ALLOW");
    t += "    - from:\n        - source:\n            principals: [" + q(kGatewayPrincipal) +
         "]\n            requestPrincipals: [" + q(ns.issuer + "/*") + "]\n";
    t += operation(ns, w);
    std::vector<std::string> when = {"        - key: request.auth.claims[scope]\n          values: [" +
                                     q(rng_.pick(kScopes)) + "]\n"};
    for (auto& c : extra_conditions(ns, w, true)) when.push_back(std::move(c));
    return t + when_block(when);
  }

  // An ALLOW from callers in other namespaces, with 1..--rules-per-policy rules; `tenant`: each rule also
  // requires a request.headers[x-tenant-id] value.
  std::string caller_policy(const NamespacePlan& ns, const WorkloadPlan& w, const std::string& suffix, bool tenant,
                            bool jwt) {
    std::string t = header(ns, w, w.name + "-allow" + suffix, "ALLOW");
    const uint32_t rules = o_.s.rules_per_policy > 1 ? 1 + rng_.below(o_.s.rules_per_policy) : 1;
    for (uint32_t k = 0; k < rules; ++k) {
      const bool negated = draw(o_.s.negated_rule_percent);
      t += source_block(pick_callers(ns, w, 1 + rng_.below(3)), negated);
      t += operation(ns, w, negated);
      std::vector<std::string> when;
      if (tenant && w.role->proto != Proto::Tcp) {
        const uint32_t a = rng_.below(50);
        const uint32_t b = 50 + rng_.below(50);
        when.push_back("        - key: request.headers[x-tenant-id]\n          values: [" +
                       q("tenant-" + std::to_string(a)) + ", " + q("tenant-" + std::to_string(b)) + "]\n");
      }
      for (auto& c : extra_conditions(ns, w, jwt)) when.push_back(std::move(c));
      t += when_block(when);
    }
    return t;
  }

  // The policy mix for the policies after a workload's first (which is always a caller ALLOW): from the top
  // of a draw in [0, 100), --deny-percent DENY, --jwt-percent JWT ALLOW (a header ALLOW where no
  // RequestAuthentication applies or on TCP), --header-percent header ALLOW, the rest plain caller ALLOW.
  std::string policy(const NamespacePlan& ns, const WorkloadPlan& w, uint32_t i, bool jwt) {
    ++policies_;
    const ShapeOptions& s = o_.s;
    const std::string suffix = "-" + std::to_string(i + 1);
    if (i == 0) return caller_policy(ns, w, suffix, false, jwt);
    const uint32_t kind = rng_.below(100);
    const uint32_t deny_from = 100 - s.deny_percent;
    const uint32_t jwt_from = deny_from - s.jwt_percent;
    const uint32_t header_from = jwt_from - s.header_percent;
    if (kind >= deny_from) return deny_policy(ns, w, suffix, jwt);
    if (kind >= jwt_from && jwt && w.role->proto != Proto::Tcp) return jwt_policy(ns, w, suffix);
    return caller_policy(ns, w, suffix, kind >= header_from, jwt);
  }

  const Options& o_;
  const Plan& plan_;
  Rng rng_;
  std::vector<size_t> callers_;  // workloads that call others (everything that is not a database/cache)
  uint64_t bytes_ = 0, files_ = 0, policies_ = 0;
};

// A marker file says "this directory was written by meshgen"; --force only ever deletes such a directory.
constexpr const char* kMarker = ".meshgen";

int prepare_output(const Options& o) {
  fs::path out(o.out);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    if (!fs::exists(out / kMarker)) {
      std::cerr << "meshgen: " << o.out
                << " exists, is not empty and was not written by meshgen; refusing to touch it\n";
      return 2;
    }
    if (!o.force) {
      std::cerr << "meshgen: " << o.out << " holds an earlier meshgen tree; pass --force to replace it\n";
      return 2;
    }
    fs::remove_all(out, ec);
    if (ec) {
      std::cerr << "meshgen: cannot remove " << o.out << ": " << ec.message() << "\n";
      return 2;
    }
  }
  fs::create_directories(out, ec);
  if (ec) {
    std::cerr << "meshgen: cannot create " << o.out << ": " << ec.message() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "meshgen writes a deterministic synthetic Istio manifest repository for benchmarks: one folder per\n"
      "namespace, one file per workload (ServiceAccount, Deployment/StatefulSet, Service, its policies).\n"
      "The same arguments always give a byte-identical tree.",
      "meshgen"};
  meshgen::OptionTable table(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (std::string error = table.apply_shape(); !error.empty()) {
    std::cerr << "meshgen: " << error << "\n";
    return 2;
  }

  if (int rc = prepare_output(o); rc != 0) return rc;
  try {
    Plan plan = make_plan(o);
    Writer writer(o, plan);
    writer.write_all();
    {
      std::ofstream marker(fs::path(o.out) / kMarker, std::ios::binary | std::ios::trunc);
      marker << table.marker_line() << "\n";
    }
    if (writer.written_policies() != o.policies)
      throw std::logic_error("wrote " + std::to_string(writer.written_policies()) + " policies, planned " +
                             std::to_string(o.policies));
    if (!o.quiet) {
      size_t regulated = 0;
      for (const auto& ns : plan.namespaces) regulated += ns.regulated ? 1 : 0;
      std::cout << "meshgen: " << o.out << ": " << plan.namespaces.size() << " namespaces (" << regulated
                << " regulated), " << plan.workloads.size() << " workloads, " << writer.written_policies()
                << " AuthorizationPolicies, " << writer.files() << " files, " << writer.bytes() << " bytes\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "meshgen: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
