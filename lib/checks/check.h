// One class per check, a registry, a doc page and a test fixture per check (clang-tidy's model).
// The kebab-case name is public API and never changes; the id is short and stable.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/finding.h"
#include "mesh/mesh.h"
#include "model/resources.h"
#include "profile/profile.h"

namespace meshproof::model {
struct NetworkPolicySet;  // model/network_policy.h
struct LinkerdPolicySet;  // model/linkerd_policy.h
}  // namespace meshproof::model

namespace meshproof::checks {

struct AssertionSet;  // checks/assertions.h
namespace gaps {
class Results;
}  // namespace gaps
namespace linkerd {
struct Pass;  // checks/linkerd_rules.h
}  // namespace linkerd

struct CheckInfo {
  std::string name;         // "mtls-not-strict"
  std::string id;           // "MP1002"
  Severity severity;        // default severity
  std::string summary;      // one line, for SARIF shortDescription and --list-checks
  std::string description;  // a paragraph, for SARIF fullDescription
  std::string doc() const { return "docs/checks/" + name + ".md"; }
};

struct Options {
  std::string today;                  // YYYY-MM-DD, for exception expiry
  unsigned query_timeout_ms = 60000;  // wall-clock backstop per symbolic query (analysis::Options)
  // Worker threads of the symbolic pass (checks/gap_pass.cpp); 0: one per core. Findings do not
  // depend on it.
  unsigned threads = 0;
  // Added (report engineer): progress for the CLI's status line on a terminal. run_checks calls it before
  // each check it runs (`done` checks finished of `total`, `check` starting) and once at the end
  // (done == total, check ""). Unset: no calls.
  std::function<void(size_t done, size_t total, const std::string& check)> progress;
  // Progress inside the symbolic pass, which runs once for all symbolic checks and takes most of the time
  // on large inputs: called after each workload class (`done` of `total` classes), from one thread at a
  // time (gap_pass.cpp serializes the workers' calls). Unset: no calls.
  std::function<void(size_t done, size_t total)> class_progress;
  // Added (gaps engineer): the paths the user analyzed, in order; they start the `meshproof query ...`
  // command line that reproduces a finding's witness (engine/witness.h).
  std::vector<std::string> input_paths;
  // Added (gaps engineer): user invariants from `check --assert FILE` (checks/assertions.h), proven by the
  // `assertion-violated` check. Null: no assertions.
  std::shared_ptr<const AssertionSet> assertions;
};

struct Context {
  const SourceSet& sources;
  // The objects as the cluster would hold them: what Istio's admission rejects is not here (the input
  // stage took it out, model/admission.h); its diagnostics are, for invalid-resource.
  const model::ResourceSet& resources;
  const mesh::Mesh& mesh;
  const profile::Profile& profile;
  const Options& options;
  // Regulated namespaces resolved from the profile and the command line.
  std::vector<std::string> regulated;
  bool is_regulated(const std::string& ns) const;
  // Added (gaps engineer): the symbolic analysis that the authorization-gap checks share (one program set
  // per workload class, one Engine per program), computed on first use by checks/gap_pass.cpp.
  mutable std::shared_ptr<gaps::Results> gap_results{};
  // The L3/L4 layer's objects (app::Input::network_policies; nullptr: none), for mesh::NetworkLayer.
  const model::NetworkPolicySet* network_policies = nullptr;
  // Linkerd's admitted policy objects (app::Input::linkerd; nullptr: none), lowered for the workloads Linkerd
  // serves (checks/linkerd_rules.h).
  const model::LinkerdPolicySet* linkerd = nullptr;
  // The install value proxy.defaultInboundPolicy (--linkerd-default-policy); "" = Linkerd's default.
  std::string linkerd_default_policy;
  // The Linkerd checks' shared lowering and engines, made on first use (checks/linkerd_rules.h linkerd_pass).
  mutable std::shared_ptr<linkerd::Pass> linkerd_pass{};
};

// A check is one class, registered once (registry.cpp). It carries its info (name, id, severity, summary,
// description), says which resources it examined (subjects()) and appends its findings (run()). A check
// that asks the symbolic engine derives from gaps::SymbolicCheck (checks/gap_pass.h) instead: it
// contributes an analyzer to the shared pass rather than a run().
class Check {
 public:
  explicit Check(CheckInfo info) : info_(std::move(info)) {}
  virtual ~Check() = default;
  const CheckInfo& info() const { return info_; }
  virtual void run(const Context& ctx, std::vector<Finding>& out) const = 0;
  // The resources this check examined, so that reports can list what passed (JUnit test cases, auditor
  // evidence). Default: every AuthorizationPolicy, PeerAuthentication and RequestAuthentication.
  virtual std::vector<ResourceRef> subjects(const Context& ctx) const;

 protected:
  // A finding prefilled with this check's name, id, severity and a fingerprint built from `key`.
  Finding make(const ResourceRef& resource, Loc loc, std::string message, std::string help,
               const std::string& key) const;

 private:
  CheckInfo info_;
};

// A finding prefilled like Check::make does (name, id, severity, fingerprint from `key`), for code that
// has the check's info but not the check (the analyzers of the symbolic checks).
Finding make_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc, std::string message, std::string help,
                     const std::string& key);

// The property that marks a proof the solver could not finish (gaps::inconclusive_finding): the check
// cannot say whether the problem exists. The exit code (report/run.h) and the auditor report's controls
// (lib/audit) never count such a proof as a pass.
inline constexpr const char* kInconclusiveProperty = "inconclusive";
bool is_inconclusive(const Finding& f);

// The AuthorizationPolicies of the input whose action is one of `actions` (every one when empty): the
// subjects of most policy checks.
std::vector<ResourceRef> policies_with_action(const Context& ctx, std::initializer_list<model::Action> actions);

// The workloads of the regulated namespaces: the subjects of the checks about regulated workloads.
std::vector<ResourceRef> regulated_workloads(const Context& ctx);

// Every check, in a fixed order. registry.cpp lists them explicitly, once (static registration would be
// dropped by the linker from a static library); the symbolic pass takes its analyzers from it.
const std::vector<std::unique_ptr<Check>>& all_checks();
const Check* find_check(const std::string& name);

}  // namespace meshproof::checks
