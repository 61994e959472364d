// meshgen's command line: the options, the shape presets, and the marker line that records them.
#include "options.h"

#include <map>

namespace meshgen {
namespace {

const std::map<std::string, DenyAll> kDenyAllNames = {
    {"mixed", DenyAll::Mixed}, {"all", DenyAll::All}, {"none", DenyAll::None}};
const std::map<std::string, AuthnScope> kAuthnNames = {{"workload", AuthnScope::Workload},
                                                       {"namespace", AuthnScope::Namespace}};

// The presets. `default` is ShapeOptions' own defaults; docs/meshgen.md explains each shape.
ShapeOptions preset(const std::string& name) {
  ShapeOptions s;
  if (name == "unique") {
    // Issue #16's tree: every workload its own five ALLOW/DENY policies, conditions on many rules, a
    // RequestAuthentication and a deny-all baseline in every namespace.
    s.workloads_per_namespace = 10;
    s.policy_spread = 0;
    s.deny_percent = 25;
    s.jwt_percent = 0;
    s.header_percent = 0;
    s.header_rule_percent = 33;
    s.claim_rule_percent = 10;
    s.jwt_namespace_percent = 100;
    s.request_authn = AuthnScope::Namespace;
    s.deny_all = DenyAll::All;
  } else if (name == "mixed") {
    // Between the two: DENY-heavy, negated sources and paths, two-rule policies, port-level mTLS.
    s.deny_percent = 45;
    s.jwt_percent = 10;
    s.header_percent = 10;
    s.header_rule_percent = 10;
    s.negated_rule_percent = 30;
    s.rules_per_policy = 2;
    s.jwt_namespace_percent = 50;
    s.metrics_percent = 60;
    s.port_mtls_percent = 50;
  } else if (name == "ambient") {
    // The default policies on a mesh half moved to ambient: half of those namespaces with a waypoint (policies
    // attached to the Services with targetRefs), the rest authorized by ztunnel alone; half of the user-facing
    // workloads exposed through the ingress gateway.
    s.ambient_percent = 50;
    s.waypoint_percent = 50;
    s.gateway_route_percent = 50;
  }
  return s;
}

template <typename T>
std::string name_of(const std::map<std::string, T>& names, T value) {
  for (const auto& [name, v] : names)
    if (v == value) return name;
  return "?";
}

template <auto Member>
void copy_member(const ShapeOptions& from, ShapeOptions& to) {
  to.*Member = from.*Member;
}

template <auto Member>
std::string number_of(const ShapeOptions& s) {
  return std::to_string(s.*Member);
}

std::string deny_all_of(const ShapeOptions& s) { return name_of(kDenyAllNames, s.deny_all); }
std::string authn_of(const ShapeOptions& s) { return name_of(kAuthnNames, s.request_authn); }

}  // namespace

std::vector<std::string> shape_names() { return {"default", "unique", "mixed", "ambient"}; }

OptionTable::OptionTable(CLI::App& app, Options& o) : o_(o) {
  app.add_option("--policies", o.policies, "number of AuthorizationPolicies to write, deny-all baselines included")
      ->required()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000}));
  app.add_option("--out", o.out, "output directory (created; must be empty or an earlier meshgen tree)")->required();
  app.add_option("--seed", o.seed, "seed of the pseudo-random choices")->capture_default_str();
  app.add_option("--shape", o.shape, "preset for the policy options below: default, unique, mixed, ambient (docs/meshgen.md)")
      ->capture_default_str()
      ->check(CLI::IsMember(shape_names()));
  add_shape_options(app);
  app.add_option("--regulated-percent", o.regulated_percent,
                 "share of namespaces labelled compliance.meshproof.dev/regulated=true")
      ->capture_default_str()
      ->check(CLI::Range(0u, 100u));
  app.add_flag("--force", o.force, "replace an earlier meshgen tree in --out");
  app.add_flag("-q,--quiet", o.quiet, "print nothing on success");
}

template <auto Member>
void OptionTable::add_number(CLI::App& app, const char* flag, const char* help, uint32_t lo, uint32_t hi) {
  CLI::Option* opt = app.add_option(flag, o_.s.*Member, help)->check(CLI::Range(lo, hi));
  entries_.push_back({flag, opt, copy_member<Member>, number_of<Member>});
}

void OptionTable::add_shape_options(CLI::App& app) {
  using S = ShapeOptions;
  add_number<&S::workloads_per_namespace>(app, "--workloads-per-namespace", "workloads in each namespace", 1, 1000);
  add_number<&S::policies_per_workload>(app, "--policies-per-workload", "mean AuthorizationPolicies per workload", 1,
                                        100);
  add_number<&S::policy_spread>(app, "--policy-spread", "each workload gets P-D .. P+D policies", 0, 50);
  add_number<&S::deny_percent>(app, "--deny-percent", "DENY share of the policies after each workload's first", 0, 100);
  add_number<&S::jwt_percent>(app, "--jwt-percent", "JWT-requiring ALLOW share of those policies", 0, 100);
  add_number<&S::header_percent>(app, "--header-percent", "header-conditioned ALLOW share of those policies", 0, 100);
  add_number<&S::header_rule_percent>(app, "--header-rule-percent",
                                      "share of HTTP/gRPC rules with a request.headers condition", 0, 100);
  add_number<&S::claim_rule_percent>(app, "--claim-rule-percent",
                                     "share of HTTP/gRPC rules with a request.auth.claims condition", 0, 100);
  add_number<&S::negated_rule_percent>(app, "--negated-rule-percent", "share of rules with notPrincipals / notPaths", 0,
                                       100);
  add_number<&S::rules_per_policy>(app, "--rules-per-policy", "caller ALLOW policies get 1..R rules", 1, 10);
  add_number<&S::jwt_namespace_percent>(app, "--jwt-namespace-percent",
                                        "share of namespaces with a RequestAuthentication", 0, 100);
  add_number<&S::metrics_percent>(app, "--metrics-percent", "share of HTTP/gRPC workloads with a metrics port", 0, 100);
  add_number<&S::port_mtls_percent>(app, "--port-mtls-percent",
                                    "share of metrics workloads with a port-level PeerAuthentication", 0, 100);
  add_number<&S::ambient_percent>(app, "--ambient-percent",
                                  "share of namespaces in ambient mode (istio.io/dataplane-mode=ambient)", 0, 100);
  add_number<&S::waypoint_percent>(app, "--waypoint-percent",
                                   "share of ambient namespaces with a waypoint and targetRefs policies", 0, 100);
  add_number<&S::gateway_route_percent>(app, "--gateway-route-percent",
                                        "share of user-facing workloads routed from the ingress gateway", 0, 100);
  entries_.push_back(
      {"--request-authn",
       app.add_option("--request-authn", o_.s.request_authn, "RequestAuthentication scope: workload, namespace")
           ->transform(CLI::CheckedTransformer(kAuthnNames))
           ->option_text("{workload,namespace}"),
       copy_member<&S::request_authn>, authn_of});
  entries_.push_back({"--deny-all",
                      app.add_option("--deny-all", o_.s.deny_all, "deny-all baselines: mixed, all, none")
                          ->transform(CLI::CheckedTransformer(kDenyAllNames))
                          ->option_text("{mixed,all,none}"),
                      copy_member<&S::deny_all>, deny_all_of});
}

std::string OptionTable::apply_shape() {
  const ShapeOptions p = preset(o_.shape);
  for (const Entry& e : entries_)
    if (e.option->count() == 0) e.copy(p, o_.s);
  const ShapeOptions& s = o_.s;
  if (s.deny_percent + s.jwt_percent + s.header_percent > 100)
    return "--deny-percent + --jwt-percent + --header-percent must be at most 100";
  return "";
}

std::string OptionTable::marker_line() const {
  const ShapeOptions& s = o_.s;
  std::string line = "meshgen --policies " + std::to_string(o_.policies) + " --seed " + std::to_string(o_.seed) +
                     " --workloads-per-namespace " + std::to_string(s.workloads_per_namespace) +
                     " --policies-per-workload " + std::to_string(s.policies_per_workload) + " --regulated-percent " +
                     std::to_string(o_.regulated_percent);
  // The two counts are on the line already; anything else away from the default shape is appended.
  ShapeOptions rest = s;
  rest.workloads_per_namespace = ShapeOptions{}.workloads_per_namespace;
  rest.policies_per_workload = ShapeOptions{}.policies_per_workload;
  if (o_.shape == "default" && rest == ShapeOptions{}) return line;
  line += " --shape " + o_.shape;
  for (const Entry& e : entries_)
    if (e.flag != "--workloads-per-namespace" && e.flag != "--policies-per-workload")
      line += " " + e.flag + " " + e.value(s);
  return line;
}

}  // namespace meshgen
