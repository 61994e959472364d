// meshgen's options and its shape presets (docs/meshgen.md "Shapes"). A shape is a named set of values for
// the options that decide what the policies look like; an option given on the command line wins over the
// shape's value.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace meshgen {

enum class DenyAll { Mixed, All, None };        // deny-all baseline: 95 % / 80 % of namespaces, every one, none
enum class AuthnScope { Workload, Namespace };  // RequestAuthentication per user-facing workload or per namespace

// The options a shape sets. The defaults are the `default` shape: meshgen's output before shapes existed.
struct ShapeOptions {
  uint32_t workloads_per_namespace = 8;
  uint32_t policies_per_workload = 5;
  uint32_t policy_spread = 2;  // each workload gets P-spread .. P+spread policies (at least 1)
  // The policy mix, for each workload's policies after its first (which is always an ALLOW from callers):
  uint32_t deny_percent = 20;    // DENY policies
  uint32_t jwt_percent = 15;     // ALLOW requiring a JWT, where a RequestAuthentication applies
  uint32_t header_percent = 15;  // ALLOW with a request.headers[x-tenant-id] condition
  // Conditions added to a share of rules of any kind (0: none, and no random draw):
  uint32_t header_rule_percent = 0;   // request.headers[x-client-region]
  uint32_t claim_rule_percent = 0;    // request.auth.claims[groups], where a RequestAuthentication applies
  uint32_t negated_rule_percent = 0;  // notPrincipals / notPaths on caller ALLOWs and /admin DENYs
  uint32_t rules_per_policy = 1;      // caller ALLOW policies get 1..R rules
  uint32_t jwt_namespace_percent = 25;
  AuthnScope request_authn = AuthnScope::Workload;
  DenyAll deny_all = DenyAll::Mixed;
  uint32_t metrics_percent = 30;    // HTTP/gRPC workloads with an http-metrics 9102 port
  uint32_t port_mtls_percent = 15;  // of those, a workload PeerAuthentication with portLevelMtls on 9102
  // Ambient mode and gateways (0: none, and no random draw):
  uint32_t ambient_percent = 0;        // namespaces labelled istio.io/dataplane-mode=ambient (spread evenly)
  uint32_t waypoint_percent = 0;       // of those, a waypoint for the namespace's Services (spread evenly)
  uint32_t gateway_route_percent = 0;  // user-facing workloads routed from the ingress gateway (VirtualService)
  bool operator==(const ShapeOptions&) const = default;
};

struct Options {
  uint64_t policies = 0;
  std::string out;
  uint64_t seed = 1;
  uint32_t regulated_percent = 30;
  std::string shape = "default";
  ShapeOptions s;
  bool force = false;
  bool quiet = false;
};

// The shape names, in the order --help lists them.
std::vector<std::string> shape_names();

// Registers every option on `app`; after app.parse(), call apply_shape.
class OptionTable {
 public:
  OptionTable(CLI::App& app, Options& o);
  // Fills each shape-controlled option the command line did not give from the chosen shape's preset, and
  // checks that the policy mix adds up to at most 100 %. Returns an error message, or "".
  std::string apply_shape();
  // The marker line: the arguments that reproduce the tree. For the default shape with default shape
  // options it is the line meshgen wrote before shapes existed.
  std::string marker_line() const;

 private:
  template <auto Member>
  void add_number(CLI::App& app, const char* flag, const char* help, uint32_t lo, uint32_t hi);
  void add_shape_options(CLI::App& app);

  struct Entry {
    std::string flag;
    CLI::Option* option;
    void (*copy)(const ShapeOptions& from, ShapeOptions& to);
    std::string (*value)(const ShapeOptions& s);
  };
  Options& o_;
  std::vector<Entry> entries_;
};

}  // namespace meshgen
