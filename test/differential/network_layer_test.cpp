// The L3/L4 layer (mesh::NetworkLayer) against an independent reference on random policies and connections
// (DESIGN.md §5; docs/semantics.md#networkpolicy-layer). The generator builds each policy as a small struct,
// writes it as YAML for the real reader, and the reference decides from the struct alone, by the rules as the
// semantics page states them: per direction, a Cilium deny rule wins, else any allow rule of a Kubernetes or
// Cilium policy admits, else an isolated pod denies, else allow; a connection needs the source's egress and the
// destination's ingress. Random Kubernetes NetworkPolicies, CiliumNetworkPolicies and
// CiliumClusterwideNetworkPolicies; pods and outside addresses as callers; TCP and UDP. MESHPROOF_DIFF_SEED
// varies the seed, MESHPROOF_DIFF_ITERATIONS scales the rounds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/network_encoding.h"
#include "mesh/network_layer.h"
#include "network_world.h"

using namespace meshproof;

namespace {

uint64_t netdiff_env(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct RefPod {
  std::string ns, name;
  std::map<std::string, std::string> labels;
  std::map<std::string, uint32_t> named_ports;  // TCP container ports by name
};

const std::vector<RefPod>& ref_pods() {
  static const std::vector<RefPod> pods = {
      {"a", "client", {{"role", "client"}}, {}},
      {"a", "api", {{"app", "api"}}, {{"http", 8080}}},
      {"b", "db", {{"app", "db"}}, {{"pg", 5432}}},
  };
  return pods;
}

const std::map<std::string, std::map<std::string, std::string>>& ref_namespace_labels() {
  static const std::map<std::string, std::map<std::string, std::string>> labels = {{"a", {{"team", "x"}}}, {"b", {}}};
  return labels;
}

// Label selectors as (key, value) lists; "" key list = {}.
const std::vector<std::vector<std::pair<std::string, std::string>>> kSelectors = {
    {}, {{"app", "api"}}, {{"role", "client"}}, {{"app", "db"}}};

// A peer: kind 0 = none (every peer), 1 = pod selector (NetworkPolicy: own namespace; Cilium: fromEndpoints),
// 2 = namespace selector team=x (NetworkPolicy) / endpoints of namespace b (Cilium), 3 = CIDR 203.0.113.0/24,
// 4 = entity, 5 = an explicit empty list (Cilium; matches nothing).
struct RefPeer {
  int kind = 0;
  size_t selector = 0;
  std::string entity;
};

// Port sets: 0 every port, 1 TCP 8080, 2 the named port http (TCP), 3 9000-9100 (NetworkPolicy TCP; Cilium ANY),
// 4 UDP 5432.
struct RefRule {
  bool deny = false;
  RefPeer peer;
  int ports = 0;
};

struct RefPolicy {
  int kind = 0;  // 0 NetworkPolicy, 1 CiliumNetworkPolicy, 2 CiliumClusterwideNetworkPolicy
  std::string ns;
  size_t subject = 0;
  bool ingress = true;
  int default_deny = -1;  // Cilium enableDefaultDeny for the direction: -1 unset, 0 false, 1 true
  std::vector<RefRule> rules;
};

struct RefEnd {
  const RefPod* pod = nullptr;
  std::string address;  // outside: "203.0.113.5" or "198.51.100.7"
};

bool ref_selects(const std::vector<std::pair<std::string, std::string>>& sel, const std::map<std::string, std::string>& l) {
  for (const auto& [k, v] : sel) {
    auto it = l.find(k);
    if (it == l.end() || it->second != v) return false;
  }
  return true;
}

bool ref_peer(const RefPolicy& p, const RefPeer& peer, const RefEnd& e) {
  const bool cilium = p.kind != 0;
  switch (peer.kind) {
    case 0:
      return true;
    case 1:  // pods of the policy's namespace (a clusterwide policy: any namespace)
      return e.pod && (p.kind == 2 || e.pod->ns == p.ns) && ref_selects(kSelectors[peer.selector], e.pod->labels);
    case 2:
      if (!e.pod) return false;
      if (cilium) return e.pod->ns == "b" && ref_selects(kSelectors[peer.selector], e.pod->labels);
      return ref_namespace_labels().at(e.pod->ns).count("team") > 0;
    case 3:  // 203.0.113.0/24: outside addresses only (a pod's address is never inside a narrow block)
      return !e.pod && e.address.rfind("203.0.113.", 0) == 0;
    case 4:
      if (peer.entity == "all") return true;
      return e.pod ? peer.entity == "cluster" : peer.entity == "world";
    default:
      return false;
  }
}

bool ref_port(const RefPolicy& p, int ports, const RefPod& dst, const std::string& protocol, uint32_t port) {
  switch (ports) {
    case 0:
      return true;
    case 1:
      return protocol == "TCP" && port == 8080;
    case 2: {
      auto it = dst.named_ports.find("http");
      return protocol == "TCP" && it != dst.named_ports.end() && it->second == port;
    }
    case 3:
      return (p.kind != 0 || protocol == "TCP") && port >= 9000 && port <= 9100;
    default:
      return protocol == "UDP" && port == 5432;
  }
}

bool ref_subject(const RefPolicy& p, const RefPod& pod) {
  return (p.kind == 2 || p.ns == pod.ns) && ref_selects(kSelectors[p.subject], pod.labels);
}

bool ref_isolates(const RefPolicy& p) {
  if (p.kind == 0) return true;  // the generator writes policyTypes with the direction
  if (p.default_deny >= 0) return p.default_deny == 1;
  return !p.rules.empty();
}

bool ref_direction(const std::vector<RefPolicy>& policies, const RefPod& subject, const RefEnd& peer,
                   const RefPod& dst, const std::string& protocol, uint32_t port, bool ingress) {
  bool isolated = false, allowed = false;
  for (const RefPolicy& p : policies) {
    if (p.ingress != ingress || !ref_subject(p, subject)) continue;
    isolated |= ref_isolates(p);
    for (const RefRule& r : p.rules) {
      if (!ref_peer(p, r.peer, peer) || !ref_port(p, r.ports, dst, protocol, port)) continue;
      if (r.deny) return false;  // deny wins over every allow
      allowed = true;
    }
  }
  return allowed || !isolated;
}

bool ref_admit(const std::vector<RefPolicy>& policies, const RefEnd& src, const RefPod& dst, const std::string& protocol,
               uint32_t port) {
  if (src.pod == &dst) return true;
  if (src.pod && !ref_direction(policies, *src.pod, RefEnd{&dst, ""}, dst, protocol, port, false)) return false;
  return ref_direction(policies, dst, src, dst, protocol, port, true);
}

std::string selector_yaml(const std::vector<std::pair<std::string, std::string>>& sel, const std::string& extra = "") {
  std::string s = "{matchLabels: {";
  for (size_t i = 0; i < sel.size(); ++i) s += (i ? ", " : "") + sel[i].first + ": " + sel[i].second;
  if (!extra.empty()) s += std::string(sel.empty() ? "" : ", ") + extra;
  return s + "}}";
}

std::string np_ports_yaml(int ports) {
  switch (ports) {
    case 1:
      return "[{port: 8080}]";
    case 2:
      return "[{port: http}]";
    case 3:
      return "[{port: 9000, endPort: 9100}]";
    case 4:
      return "[{port: 5432, protocol: UDP}]";
    default:
      return "";
  }
}

std::string cilium_ports_yaml(int ports) {
  switch (ports) {
    case 1:
      return "[{ports: [{port: \"8080\", protocol: TCP}]}]";
    case 2:
      return "[{ports: [{port: http, protocol: TCP}]}]";
    case 3:
      return "[{ports: [{port: \"9000\", endPort: 9100}]}]";
    case 4:
      return "[{ports: [{port: \"5432\", protocol: UDP}]}]";
    default:
      return "";
  }
}

std::string np_rule_yaml(const RefRule& r, bool ingress) {
  std::string s = "{";
  const std::string key = ingress ? "from" : "to";
  if (r.peer.kind == 1) s += key + ": [{podSelector: " + selector_yaml(kSelectors[r.peer.selector]) + "}]";
  if (r.peer.kind == 2) s += key + ": [{namespaceSelector: {matchLabels: {team: x}}}]";
  if (r.peer.kind == 3) s += key + ": [{ipBlock: {cidr: 203.0.113.0/24}}]";
  if (r.ports) s += std::string(r.peer.kind ? ", " : "") + "ports: " + np_ports_yaml(r.ports);
  return s + "}";
}

std::string cilium_rule_yaml(const RefRule& r, bool ingress) {
  std::string s = "{";
  const std::string pre = ingress ? "from" : "to";
  if (r.peer.kind == 1) s += pre + "Endpoints: [" + selector_yaml(kSelectors[r.peer.selector]) + "]";
  if (r.peer.kind == 2)
    s += pre + "Endpoints: [" + selector_yaml(kSelectors[r.peer.selector], "k8s:io.kubernetes.pod.namespace: b") + "]";
  if (r.peer.kind == 3) s += pre + "CIDR: [203.0.113.0/24]";
  if (r.peer.kind == 4) s += pre + "Entities: [" + r.peer.entity + "]";
  if (r.peer.kind == 5) s += pre + "Endpoints: []";
  if (r.ports) s += std::string(r.peer.kind ? ", " : "") + "toPorts: " + cilium_ports_yaml(r.ports);
  return s + "}";
}

std::string policy_yaml(const RefPolicy& p, int index) {
  const std::string dir = p.ingress ? "ingress" : "egress";
  std::string y;
  if (p.kind == 0) {
    y = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p" + std::to_string(index) +
        ", namespace: " + p.ns + "}\nspec:\n  podSelector: " + selector_yaml(kSelectors[p.subject]) +
        "\n  policyTypes: [" + (p.ingress ? "Ingress" : "Egress") + "]\n  " + dir + ": [";
    for (size_t i = 0; i < p.rules.size(); ++i) y += (i ? ", " : "") + np_rule_yaml(p.rules[i], p.ingress);
    return y + "]\n";
  }
  y = std::string("apiVersion: cilium.io/v2\nkind: ") +
      (p.kind == 1 ? "CiliumNetworkPolicy\nmetadata: {name: p" + std::to_string(index) + ", namespace: " + p.ns + "}"
                   : "CiliumClusterwideNetworkPolicy\nmetadata: {name: p" + std::to_string(index) + "}") +
      "\nspec:\n  endpointSelector: " + selector_yaml(kSelectors[p.subject]) + "\n";
  if (p.default_deny >= 0)
    y += "  enableDefaultDeny: {" + dir + ": " + (p.default_deny ? "true" : "false") + "}\n";
  std::string allow, deny;
  for (const RefRule& r : p.rules) {
    std::string& out = r.deny ? deny : allow;
    out += (out.empty() ? "" : ", ") + cilium_rule_yaml(r, p.ingress);
  }
  if (!allow.empty()) y += "  " + dir + ": [" + allow + "]\n";
  if (!deny.empty()) y += "  " + dir + "Deny: [" + deny + "]\n";
  return y;
}

RefPolicy random_policy(std::mt19937& rng) {
  RefPolicy p;
  p.kind = static_cast<int>(rng() % 3);
  p.ns = rng() % 2 ? "a" : "b";
  p.subject = rng() % kSelectors.size();
  p.ingress = rng() % 2;
  const size_t n = rng() % 3;
  static const char* const kEntities[] = {"cluster", "world", "all"};
  for (size_t i = 0; i < n; ++i) {
    RefRule r;
    r.deny = p.kind != 0 && rng() % 3 == 0;
    r.peer.kind = static_cast<int>(rng() % (p.kind == 0 ? 4 : 6));
    r.peer.selector = rng() % kSelectors.size();
    r.peer.entity = kEntities[rng() % 3];
    r.ports = static_cast<int>(rng() % 5);
    p.rules.push_back(r);
  }
  // enableDefaultDeny only beside rules of the direction (what it means for a direction without rules is not
  // stated by Cilium's documentation).
  if (p.kind != 0 && !p.rules.empty() && rng() % 4 == 0) p.default_deny = static_cast<int>(rng() % 2);
  return p;
}

// The policies' documents (kept in `yaml` for the failure message) over test::network_world's pods.
std::unique_ptr<app::Input> netdiff_world(const std::vector<RefPolicy>& policies, std::string& yaml) {
  yaml.clear();
  for (size_t i = 0; i < policies.size(); ++i)
    yaml += (i ? "---\n" : "") + policy_yaml(policies[i], static_cast<int>(i));
  return test::network_world(yaml);
}

const model::Workload& netdiff_workload(const app::Input& in, const RefPod& p) {
  return test::network_pod(in, p.ns, p.name);
}

}  // namespace

TEST_CASE("differential: the L3/L4 layer == an independent reference on random Kubernetes and Cilium policies",
          "[differential][netlayer]") {
  const uint64_t seed = netdiff_env("MESHPROOF_DIFF_SEED", 15);
  // 300 rounds by default, each ~75 connections: scales with MESHPROOF_DIFF_ITERATIONS (default 100,000 pairs).
  const uint64_t rounds = std::max<uint64_t>(30, netdiff_env("MESHPROOF_DIFF_ITERATIONS", 100000) / 330);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  const uint32_t ports[] = {5432, 8080, 9050, 9200, 15008};
  const char* const protocols[] = {"TCP", "UDP"};
  size_t checked = 0, denied = 0;
  for (uint64_t round = 0; round < rounds; ++round) {
    std::vector<RefPolicy> policies;
    const size_t n = 1 + rng() % 4;
    for (size_t i = 0; i < n; ++i) policies.push_back(random_policy(rng));
    std::string yaml;
    auto in = netdiff_world(policies, yaml);
    REQUIRE(in->network_policies);
    for (const model::Diagnostic& d : in->network_policies->diagnostics) {
      INFO(yaml);
      FAIL("the generator wrote a policy the reader rejects: " << d.field << ": " << d.message);
    }
    const mesh::NetworkLayer layer(in->network_policies.get(), in->resources);
    std::vector<RefEnd> sources;
    for (const RefPod& p : ref_pods()) sources.push_back(RefEnd{&p, ""});
    sources.push_back(RefEnd{nullptr, "203.0.113.5"});
    sources.push_back(RefEnd{nullptr, "198.51.100.7"});
    for (const RefEnd& src : sources)
      for (const RefPod& dst : ref_pods())
        for (uint32_t port : ports)
          for (const char* protocol : protocols) {
            const mesh::NetEndpoint s = src.pod ? layer.pod(netdiff_workload(*in, *src.pod))
                                                : layer.outside(model::parse_net_cidr(src.address + "/32"));
            const bool got = layer.admit(s, layer.pod(netdiff_workload(*in, dst)), protocol, port).allowed;
            const bool want = ref_admit(policies, src, dst, protocol, port);
            INFO(yaml << "\n" << (src.pod ? src.pod->ns + "/" + src.pod->name : src.address) << " -> " << dst.ns << "/"
                      << dst.name << " " << port << "/" << protocol);
            REQUIRE(got == want);
            ++checked;
            denied += !want;
          }
  }
  // Both verdicts occur often enough for the comparison to mean something.
  CHECK(denied > checked / 10);
  CHECK(denied < checked - checked / 10);
}

namespace {

std::string netenc_dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." + std::to_string((a >> 8) & 0xff) + "." +
         std::to_string(a & 0xff);
}

// One world of the random policies, kept alive with its layer and its pods in ref_pods() order.
struct NetencWorld {
  std::string yaml;
  std::unique_ptr<app::Input> in;
  std::unique_ptr<mesh::NetworkLayer> layer;
  std::vector<const model::Workload*> pods;

  // `admin`: documents of the admin tiers appended to the random policies' (netenc_admin_yaml).
  explicit NetencWorld(const std::vector<RefPolicy>& policies, const std::string& admin = "") {
    in = netdiff_world(policies, yaml);
    if (!admin.empty()) {
      yaml += (yaml.empty() ? "" : "---\n") + admin;
      in = test::network_world(yaml);
    }
    layer = std::make_unique<mesh::NetworkLayer>(in->network_policies.get(), in->resources);
    for (const RefPod& p : ref_pods()) pods.push_back(&netdiff_workload(*in, p));
  }

  bool admit(const engine::NetConnection& k) const {
    const mesh::NetEndpoint s = k.source ? layer->pod(*pods[*k.source])
                                         : layer->outside(model::parse_net_cidr(netenc_dotted(k.address) + "/32"));
    return layer->admit(s, layer->pod(*pods[k.destination]), k.protocol, k.port).allowed;
  }
};

std::vector<engine::NetConnection> netenc_connections() {
  std::vector<engine::NetConnection> out;
  const uint32_t addresses[] = {0xCB007105u /* 203.0.113.5 */, 0xC6336407u /* 198.51.100.7 */};
  std::vector<engine::NetConnection> sources;
  for (size_t i = 0; i < ref_pods().size(); ++i) sources.push_back({i, 0, 0, "TCP", 0});
  for (uint32_t a : addresses) sources.push_back({std::nullopt, a, 0, "TCP", 0});
  for (const engine::NetConnection& src : sources)
    for (size_t d = 0; d < ref_pods().size(); ++d)
      for (uint32_t port : {5432u, 8080u, 9050u, 9200u, 15008u})
        for (const char* protocol : {"TCP", "UDP"}) {
          engine::NetConnection k = src;
          k.destination = d;
          k.port = port;
          k.protocol = protocol;
          out.push_back(k);
        }
  return out;
}

// Random admin-tier policies over test::network_world: AdminNetworkPolicies and ClusterNetworkPolicies of both
// tiers, with distinct priorities (equal ones are the implementation-defined tie the encoding does not take),
// actions Allow/Accept, Deny and Pass, peers by namespace, by pod or (egress) by network with an except, and
// ports by number or range.
std::string netenc_admin_yaml(std::mt19937& rng, int& next_priority) {
  static const char* const kPeers[] = {"{namespaces: {matchLabels: {team: x}}}", "{namespaces: {}}",
                                       "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}",
                                       "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}}"};
  const bool cluster = rng() % 2;
  const bool baseline = cluster && rng() % 2;
  const bool ingress = rng() % 2;
  const int priority = (next_priority += 1 + static_cast<int>(rng() % 3));
  std::string y = cluster ? "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n"
                          : "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n";
  y += "metadata: {name: admin" + std::to_string(priority) + "}\nspec:\n";
  if (cluster) y += std::string("  tier: ") + (baseline ? "Baseline" : "Admin") + "\n";
  y += "  priority: " + std::to_string(priority) + "\n";
  y += std::string("  subject: ") + (rng() % 2 ? "{namespaces: {}}" : kPeers[2 + rng() % 2]) + "\n";
  y += std::string("  ") + (ingress ? "ingress" : "egress") + ":\n";
  for (size_t i = 0, n = 1 + rng() % 3; i < n; ++i) {
    static const char* const kActions[] = {"Deny", "Pass", "Allow"};
    std::string action = kActions[rng() % 3];
    if (cluster && action == "Allow") action = "Accept";
    std::string peer = kPeers[rng() % 4];
    if (!ingress && rng() % 3 == 0) peer = "{networks: [203.0.113.0/24]}";
    y += "  - {action: " + action + ", " + (ingress ? "from" : "to") + ": [" + peer + "]";
    const int ports = static_cast<int>(rng() % 3);
    if (ports == 1)
      y += cluster ? ", protocols: [{tcp: {destinationPort: {number: 8080}}}]"
                   : ", ports: [{portNumber: {port: 8080, protocol: TCP}}]";
    if (ports == 2)
      y += cluster ? ", protocols: [{tcp: {destinationPort: {range: {start: 5000, end: 9100}}}}]"
                   : ", ports: [{portRange: {start: 5000, end: 9100, protocol: TCP}}]";
    y += "}\n";
  }
  return y;
}

// Every sampled connection: the encoding's Sat check answers as NetworkLayer::admit (never Unknown on these
// small formulas). Returns how many the layer denies.
size_t netenc_compare(const NetencWorld& world, const std::vector<engine::NetConnection>& connections) {
  engine::NetworkEncoding enc(*world.layer, world.pods);
  REQUIRE(enc.unsupported().empty());
  size_t denied = 0;
  for (const engine::NetConnection& k : connections) {
    const std::optional<bool> symbolic = enc.admits(k);
    INFO(world.yaml << "\nsource " << (k.source ? ref_pods()[*k.source].name : netenc_dotted(k.address)) << " -> "
                    << ref_pods()[k.destination].name << " " << k.port << "/" << k.protocol);
    REQUIRE(symbolic.has_value());
    const bool concrete = world.admit(k);
    REQUIRE(*symbolic == concrete);
    denied += concrete ? 0 : 1;
  }
  return denied;
}

}  // namespace

TEST_CASE("differential: the symbolic encoding == the concrete layer with admin and baseline tiers",
          "[differential][netlayer]") {
  // Random NetworkPolicies and Cilium policies as below, plus one to three admin-tier policies (v1alpha1 and
  // ClusterNetworkPolicy): first matches by priority, Pass to the NetworkPolicy tier, the baseline for pods no
  // NetworkPolicy selects, a baseline Pass to the default.
  const uint64_t seed = netdiff_env("MESHPROOF_DIFF_SEED", 15) + 2;
  const uint64_t rounds = std::max<uint64_t>(20, netdiff_env("MESHPROOF_DIFF_ITERATIONS", 100000) / 1000);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  const std::vector<engine::NetConnection> connections = netenc_connections();
  size_t checked = 0, denied = 0;
  for (uint64_t round = 0; round < rounds; ++round) {
    std::vector<RefPolicy> policies;
    for (size_t i = 0, n = rng() % 3; i < n; ++i) policies.push_back(random_policy(rng));
    std::string admin;
    int priority = 0;
    for (size_t i = 0, n = 1 + rng() % 3; i < n; ++i) admin += (i ? "---\n" : "") + netenc_admin_yaml(rng, priority);
    const NetencWorld world(policies, admin);
    INFO(world.yaml);
    REQUIRE(world.in->network_policies->diagnostics.empty());
    denied += netenc_compare(world, connections);
    checked += connections.size();
  }
  CHECK(checked >= 20 * connections.size());
  CHECK(denied > 0);  // the admin tiers do deny
}

TEST_CASE("differential: the symbolic encoding of the L3/L4 layer == the concrete layer on random worlds",
          "[differential][netlayer]") {
  // The same generator as above, another stream: at every sampled connection the Sat check of admit ∧ (the
  // connection) answers as NetworkLayer::admit; between consecutive worlds, a Sat witness of admit ≠ admit' is
  // decided differently by the two concrete layers, and Unsat means every sampled connection agrees.
  const uint64_t seed = netdiff_env("MESHPROOF_DIFF_SEED", 15) + 1;
  const uint64_t rounds = std::max<uint64_t>(20, netdiff_env("MESHPROOF_DIFF_ITERATIONS", 100000) / 1000);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  const std::vector<engine::NetConnection> connections = netenc_connections();
  std::unique_ptr<NetencWorld> previous;
  size_t checked = 0, sat = 0, unsat = 0;
  for (uint64_t round = 0; round < rounds; ++round) {
    std::vector<RefPolicy> policies;
    const size_t n = 1 + rng() % 4;
    for (size_t i = 0; i < n; ++i) policies.push_back(random_policy(rng));
    auto world = std::make_unique<NetencWorld>(policies);
    netenc_compare(*world, connections);
    checked += connections.size();
    if (previous) {
      const engine::NetDifference d =
          engine::NetworkEncoding::difference(*previous->layer, previous->pods, *world->layer, world->pods);
      INFO(previous->yaml << "\n=== after ===\n" << world->yaml);
      REQUIRE(d.answer != engine::SatAnswer::Unknown);
      if (d.answer == engine::SatAnswer::Sat) {
        REQUIRE(d.witness);
        CHECK(previous->admit(*d.witness) != world->admit(*d.witness));
        CHECK(world->admit(*d.witness) == d.admitted_after);
        ++sat;
      } else {
        for (const engine::NetConnection& k : connections) CHECK(previous->admit(k) == world->admit(k));
        ++unsat;
      }
    }
    // A layer never differs from itself.
    if (round % 8 == 0)
      CHECK(engine::NetworkEncoding::difference(*world->layer, world->pods, *world->layer, world->pods).answer ==
            engine::SatAnswer::Unsat);
    previous = std::move(world);
  }
  CHECK(checked >= 20 * connections.size());
  CHECK(sat > 0);  // consecutive random worlds usually differ
}
