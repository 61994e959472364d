// Ambient conformance: every AuthorizationPolicy / PeerAuthentication → ztunnel golden pair of Istio's
// TestRBACConvert (shared/corpus/istio/pilot/pkg/serviceregistry/ambient/testdata, PROVENANCE.md §4). The
// golden ztunnel Authorization is evaluated as ztunnel's rbac.rs does (ambient.md §4) and compared with
// meshproof's ztunnel lowering on every connection of a finite domain built from the values both sides name
// (identities, ports, addresses, plus fresh ones), so a difference in any value's matching shows. Cases that
// cannot be compared this way are counted as not matched and listed in docs/conformance.md.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "app/pipeline.h"
#include "engine/evaluate.h"
#include "ir/lower_ztunnel.h"
#include "load/loader.h"
#include "test_support.h"

using namespace meshproof;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

load::Node parse_golden(const std::string& text) {
  SourceSet sources;
  load::Loader loader(sources);
  uint32_t id = sources.add(SourceFile{"golden", "golden", nullptr});
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  load::Node root;
  loader.parse_text(
      id, text, [&](load::Document&& d) { root = std::move(d.root); }, errors, notes);
  return root;
}

// One connection as the destination ztunnel sees it.
struct Conn {
  bool mtls = false;
  std::string td, ns, sa;
  ir::IpAddress src, dst;
  uint32_t port = 0;
  std::string identity() const { return mtls ? td + "/ns/" + ns + "/sa/" + sa : ""; }
};

std::optional<ir::Cidr> golden_cidr(const load::Node& a) {
  static const std::string kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> bytes;
  uint32_t buf = 0;
  int bits = 0;
  for (char ch : a.find("address")->scalar) {
    size_t v = kB64.find(ch);
    if (v == std::string::npos) continue;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<uint8_t>(buf >> bits));
    }
  }
  std::ostringstream text;
  if (bytes.size() == 4) {
    text << int(bytes[0]) << "." << int(bytes[1]) << "." << int(bytes[2]) << "." << int(bytes[3]);
  } else {
    for (size_t i = 0; i < bytes.size(); i += 2) text << (i ? ":" : "") << std::hex << (bytes[i] << 8 | bytes[i + 1]);
  }
  return ir::parse_cidr(text.str() + "/" + a.find("length")->scalar);
}

bool string_match(const load::Node& m, const std::string& v) {
  if (const load::Node* x = m.find("exact")) return v == x->scalar;
  if (const load::Node* x = m.find("prefix")) return v.starts_with(x->scalar);
  if (const load::Node* x = m.find("suffix")) return v.ends_with(x->scalar);
  if (m.find("presence")) return !v.empty();
  return false;
}

// One field of a Match (rbac.rs matches_internal): true iff some listed value matches.
bool field_matches(const std::string& field, const load::Node& values, const Conn& c) {
  for (const load::Node& v : values.items) {
    bool hit = false;
    if (field == "Namespaces") hit = string_match(v, c.mtls ? c.ns : "");
    if (field == "Principals") hit = string_match(v, c.identity());
    if (field == "ServiceAccounts")
      hit = c.mtls && v.find("namespace")->scalar == c.ns && v.find("serviceAccount")->scalar == c.sa;
    if (field == "SourceIps") hit = golden_cidr(v)->contains(c.src);
    if (field == "DestinationIps") hit = golden_cidr(v)->contains(c.dst);
    if (field == "DestinationPorts") hit = std::stoul(v.scalar) == c.port;
    if (hit) return true;
  }
  return false;
}

// ztunnel's Authorization::matches (rbac.rs): groups OR, rules AND, matches OR over non-empty ones.
bool golden_matches(const load::Node& pol, const Conn& c) {
  const load::Node* groups = pol.find("groups");
  if (!groups || groups->items.empty()) return false;
  for (const load::Node& g : groups->items) {
    bool all = true;
    const load::Node* rules = g.find("rules");
    for (size_t r = 0; rules && r < rules->items.size() && all; ++r) {
      const load::Node* matches = rules->items[r].find("matches");
      if (!matches || matches->items.empty()) continue;  // a clause without matches is true
      bool any = false;
      for (const load::Node& m : matches->items) {
        if (m.entries.empty()) continue;  // an empty Match is skipped
        bool ok = true;
        for (const auto& e : m.entries) {
          const bool neg = e.key.starts_with("not");
          std::string field = neg ? e.key.substr(3) : e.key;
          field[0] = static_cast<char>(std::toupper(field[0]));
          ok = ok && field_matches(field, e.value, c) != neg;
        }
        any = any || ok;
      }
      all = any;
    }
    if (all) return true;
  }
  return false;
}

ir::Request request_of(const Conn& c) {
  ir::Request r;
  r.mtls = c.mtls;
  if (c.mtls) {
    r.peer_trust_domain = c.td;
    r.peer_namespace = c.ns;
    r.peer_service_account = c.sa;
  }
  r.source_ip = c.src;
  r.destination_ip = c.dst;
  r.port = c.port;
  return r;
}

// The connections to try: identities built from every string either side may compare (and near misses, one
// part varied at a time, since each matcher reads one part or the whole identity), every port and address the
// golden names, plus fresh ones.
struct Domain {
  std::vector<Conn> ids{Conn{}, Conn{true, "cluster.local", "foo", "sa", {}, {}, 0}};
  std::set<uint32_t> ports{1, 8080, 9090};
  std::vector<ir::IpAddress> ips{*ir::parse_ip("192.0.2.7"), *ir::parse_ip("2001:db8::7")};

  static std::vector<std::string> variants(const std::string& v) {
    if (v.find('/') != std::string::npos || v.empty()) return {"zz"};
    return {v, v + "z", "z" + v};
  }
  void add_identity(const std::string& td, const std::string& ns, const std::string& sa) {
    for (const auto& t : variants(td))
      ids.push_back(Conn{true, t, ns.empty() ? "zz" : ns, sa.empty() ? "zz" : sa, {}, {}, 0});
    for (const auto& n : variants(ns))
      ids.push_back(Conn{true, td.empty() ? "zz" : td, n, sa.empty() ? "zz" : sa, {}, {}, 0});
    for (const auto& a : variants(sa))
      ids.push_back(Conn{true, td.empty() ? "zz" : td, ns.empty() ? "zz" : ns, a, {}, {}, 0});
  }
  void add_value(const std::string& key, const std::string& v) {
    std::vector<std::string> parts;
    std::stringstream ss(v);
    for (std::string p; std::getline(ss, p, '/');) parts.push_back(p);
    if (parts.size() == 5) add_identity(parts[0], parts[2], parts[4]);
    if (key == "namespace" || parts.size() == 1) add_identity("cluster.local", parts.empty() ? "" : parts[0], "sa");
    for (const auto& p : parts) add_identity("cluster.local", p, p);
  }
  void visit(const load::Node& n, const std::string& key) {
    if (n.is_map()) {
      if (n.find("address") && n.find("length")) ips.push_back(golden_cidr(n)->base);
      if (const load::Node* ns = n.find("namespace"); ns && n.find("serviceAccount"))
        add_identity("cluster.local", ns->scalar, n.find("serviceAccount")->scalar);
      for (const auto& e : n.entries) visit(e.value, e.key);
      return;
    }
    for (const load::Node& i : n.items) visit(i, key);
    if (!n.is_scalar()) return;
    if (key.find("Ports") != std::string::npos) ports.insert(static_cast<uint32_t>(std::stoul(n.scalar)));
    if (key == "exact" || key == "prefix" || key == "suffix") add_value(key, n.scalar);
  }
  template <class F>
  void each(F f) const {
    for (Conn c : ids)
      for (uint32_t p : ports)
        for (const auto& s : ips)
          for (const auto& d : ips) {
            c.port = p;
            c.src = s;
            c.dst = d;
            f(c);
          }
  }
};

// An AuthorizationPolicy case: the lowered policy matches exactly the connections the golden matches.
std::string compare_authorization(const std::string& in, const load::Node& golden) {
  std::string text = in;
  if (const load::Node* ns = golden.find("namespace"))
    text = std::regex_replace(text, std::regex("metadata:\n  name:"),
                              "metadata:\n  namespace: " + ns->scalar + "\n  name:");
  auto input = test::load_yaml(text, "in.yaml", test::Admission::Skip);
  if (input->resources.authorization_policies.size() != 1) return "the input is not one AuthorizationPolicy";
  ir::LoweredPolicy lp = ir::lower_policy_ztunnel(input->resources.authorization_policies.front(), {});
  Domain dom;
  dom.visit(golden, "");
  std::string diff;
  size_t n = 0;
  dom.each([&](const Conn& c) {
    ++n;
    if (!diff.empty()) return;
    ir::Request req = request_of(c);
    bool ours = false;
    for (const auto& r : lp.rules) ours = ours || engine::eval_rule(r, req, ir::Protocol::Tcp);
    if (ours != golden_matches(golden, c))
      diff = "differs on " + (c.mtls ? c.identity() : std::string("plaintext")) + " port " + std::to_string(c.port) +
             " src " + c.src.to_string() + " dst " + c.dst.to_string() + ": golden " +
             (ours ? "does not match" : "matches");
  });
  return diff;
}

// A PeerAuthentication case: plaintext is rejected on a port iff the golden DENY matches it. An empty golden
// (no converted policy) means no port-level exception: meshproof's mode must be the same on every port.
std::string compare_peer_authentication(const std::string& in, const load::Node& golden, bool empty) {
  std::string text = std::regex_replace(in, std::regex("metadata:\n  name:"), "metadata:\n  namespace: foo\n  name:");
  text += R"(
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: foo}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a, istio.io/dataplane-mode: ambient}}
    spec: {containers: [{name: a, image: a, ports: [{containerPort: 8080}, {containerPort: 9090}]}]}
)";
  auto input = test::load_yaml(text, "in.yaml", test::Admission::Skip);
  const mesh::Workload* w = input->mesh.find("foo", "a");
  if (!w) return "workload not resolved";
  std::set<bool> strict_modes;
  for (uint32_t port : {1u, 8080u, 9090u}) {
    bool strict = ir::ztunnel_mtls_mode(w->mtls_for(port).mode) == model::MtlsMode::Strict;
    strict_modes.insert(strict);
    if (empty) continue;
    Conn c;
    c.port = port;
    c.src = *ir::parse_ip("192.0.2.7");
    c.dst = c.src;
    if (golden_matches(golden, c) != strict)
      return "port " + std::to_string(port) + ": meshproof " + (strict ? "rejects" : "accepts") + " plaintext";
  }
  if (empty && strict_modes.size() > 1) return "meshproof has a port-level exception the golden does not";
  return "";
}

}  // namespace

TEST_CASE("ambient conformance: ztunnel lowering == Istio's ambient goldens", "[conformance][ztunnel]") {
  MESHPROOF_REQUIRE_SHARED();
  const fs::path dir = test::shared_path("corpus/istio/pilot/pkg/serviceregistry/ambient/testdata");
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().ends_with("-in.yaml")) inputs.push_back(e.path());
  std::sort(inputs.begin(), inputs.end());
  size_t matched = 0;
  std::vector<std::string> failures;
  for (const fs::path& in : inputs) {
    std::string name = in.filename().string();
    name = name.substr(0, name.size() - std::string("-in.yaml").size());
    const std::string golden_text = slurp(dir / (name + ".yaml"));
    const std::string input = slurp(in);
    const bool empty = golden_text.find_first_not_of(" \n") == std::string::npos;
    load::Node golden = empty ? load::Node{} : parse_golden(golden_text);
    std::string diff = input.find("kind: AuthorizationPolicy") != std::string::npos
                           ? compare_authorization(input, golden)
                           : compare_peer_authentication(input, golden, empty);
    if (diff.empty())
      ++matched;
    else
      failures.push_back(name + ": " + diff);
  }
  std::string list;
  for (const auto& f : failures) list += "\n  " + f;
  WARN("ambient conformance: " << matched << "/" << inputs.size() << list);
  CHECK(inputs.size() == 22);
  CHECK(matched == inputs.size() - failures.size());
  CHECK(failures.empty());
}
