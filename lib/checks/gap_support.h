// Shared machinery of the authorization-gap checks (MP2001-MP2006, MP2009, MP2011, MP2012): they all ask
// the symbolic engine questions about the decision programs of the workload classes, so they share one
// pass over the classes instead of each building programs and solvers of its own.
//
//   * Programs: one program set per workload class (ir::build_all_programs), with the rules of policies
//     that Istio's admission rejects removed (a rejected object never reaches a proxy, samples/README.md).
//   * Engines: one engine::Engine per program, made on first use and reused for every query any gap
//     check asks about that program; a class's engines are released when the pass moves to the next
//     class, so memory stays bounded by the largest class, not by the mesh.
//   * Analyzers: each gap check contributes an Analyzer. The pass calls visit() for every class (in class
//     order, so results are deterministic), then finish(), which turns what the analyzer learned into
//     findings, reported once per policy rule (or RequestAuthentication, or assertion) with the workloads
//     it concerns listed.
//   * The first gap check that runs computes the pass for all of them (Context::gap_results); the others
//     read their findings from it.
//
// Solver answers: Sat carries a replayed witness request; Unsat is a proof; Unknown (timeout, opaque atom)
// is never read as either. Every gap check reports an Unknown that its conclusion depends on as a
// note-severity finding of the same check whose message says the proof was inconclusive and why
// (property `inconclusive: "true"`); docs/checks/README.md.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checks/check.h"
#include "engine/query.h"
#include "ir/ir.h"
#include "ir/lower.h"

namespace meshproof::checks::gaps {

// A rule of a policy, independent of the program it was lowered into.
struct RuleKey {
  const model::AuthorizationPolicy* policy = nullptr;
  int index = 0;
  friend bool operator==(const RuleKey&, const RuleKey&) = default;
  friend auto operator<=>(const RuleKey&, const RuleKey&) = default;
};
RuleKey key_of(const ir::Rule& r);

// One protocol view of one port of a class, with its engine.
class View {
 public:
  View(ir::Program program, std::vector<uint32_t> declared_ports, unsigned timeout_ms);
  View(View&&) noexcept;
  View& operator=(View&&) noexcept;
  ~View();

  const ir::Program& program() const { return *program_; }
  engine::Engine& engine();  // made on first use
  bool has_engine() const { return engine_ != nullptr; }
  engine::QueryResult find(const engine::Query& q);

  // Where the rule with this key sits in the program (nullopt: absent on this view, e.g. an ALLOW rule
  // Istio drops on TCP).
  std::optional<engine::RuleRef> ref(const RuleKey& k) const;
  const ir::Rule* rule(const RuleKey& k) const;

  // "port 8080 (HTTP)", "port 5432 (TCP)", "port 8080 (sniffed, non-HTTP traffic)", "undeclared ports
  // (HTTP)".
  std::string describe() const;
  bool is_tcp() const { return program_->protocol == ir::Protocol::Tcp; }

  // The program with extra AUDIT rules appended (AUDIT never changes a decision, so the copy decides
  // exactly like the original): how checks ask "does this hand-made condition hold" in one query.
  // Returns the engine of that copy; the extra rules are RuleRef{Audit, first_index + i}.
  struct Augmented {
    std::unique_ptr<ir::Program> program;
    std::unique_ptr<engine::Engine> engine;
    size_t first_index = 0;
  };
  Augmented augmented(std::vector<ir::Rule> extra_audit_rules) const;

 private:
  // The options of every engine of this view (and of its fast path): the time limit and, for the
  // undeclared-ports program, the ports a request there cannot use.
  engine::EngineOptions engine_options() const;

  std::unique_ptr<ir::Program> program_;
  std::vector<uint32_t> declared_ports_;
  unsigned timeout_ms_ = 2000;
  std::unique_ptr<engine::Engine> engine_;
};

// One workload class: its members and the views of its representative (enforced programs only; a class
// without a sidecar has no views, since nothing is enforced there).
struct ClassView {
  uint32_t class_id = 0;
  const mesh::Workload* rep = nullptr;
  std::vector<const mesh::Workload*> members;
  std::vector<View> views;
  // For a class without a sidecar only: its programs (nothing enforced, every request is allowed), for
  // the questions that are about what reaches a workload rather than about its policies (assertions).
  std::vector<View> unenforced;
  bool applies(const model::AuthorizationPolicy* p) const;
  bool applies(const model::RequestAuthentication* ra) const;
};

// What every analyzer may use.
struct Shared {
  const Context& ctx;
  ir::LowerContext lower;
  // The resource has an error diagnostic: Istio's admission rejects it, so it never reaches a proxy.
  bool rejected(const model::ResourceBase& r) const;
  // The policies that apply to the class and are not rejected, in Istio's order (root namespace first).
  std::vector<const model::AuthorizationPolicy*> policies_of(const ClassView& cls) const;
  // Position of a policy in the input (for "later rule" decisions); rules order by (policy, index).
  size_t order_of(const model::AuthorizationPolicy* p) const;
  // The policy lowered for one protocol (cached): its rules and every drop, including dropped rules.
  const ir::LoweredPolicy& lowered(const model::AuthorizationPolicy& p, ir::Protocol protocol) const;
  bool regulated(const std::string& ns) const { return ctx.is_regulated(ns); }

  explicit Shared(const Context& c);

 private:
  std::vector<Loc> rejected_;
  mutable std::map<std::pair<const model::AuthorizationPolicy*, ir::Protocol>, ir::LoweredPolicy> lowered_;
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  virtual void visit(ClassView& cls) = 0;
  virtual void finish(std::vector<Finding>& out) = 0;
};

// Factories, one per gap check (defined in the check's own .cpp).
std::unique_ptr<Analyzer> make_unreachable_allow_rule_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_redundant_rule_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_never_matching_rule_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_deny_widened_on_tcp_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_plaintext_deny_bypass_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_overly_permissive_rule_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_token_optional_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_path_normalization_bypass_analyzer(const Shared& s);
std::unique_ptr<Analyzer> make_assertion_violated_analyzer(const Shared& s);

// The results of the shared pass, per check name.
class Results {
 public:
  std::map<std::string, std::vector<Finding>> by_check;
};

// The findings of one gap check (the pass runs on the first call for a Context).
const std::vector<Finding>& findings_of(const Context& ctx, const std::string& check);

// The Check half of a gap check: run() copies its findings from the shared pass; the check says which
// resources it examined (subjects()).
class GapCheck : public Check {
 public:
  void run(const Context& ctx, std::vector<Finding>& out) const override;
};

// ---- helpers for findings ----

// A finding prefilled like Check::make does (name, id, severity, fingerprint from `key`).
Finding make_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc, std::string message,
                     std::string help, const std::string& key);
// The inconclusive-proof note of a check: severity note, property inconclusive=true, message ending in
// "the solver answered unknown (<reason>), so meshproof cannot say whether ...".
Finding inconclusive_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc,
                             const std::string& subject, const std::string& question,
                             const std::string& reason, const std::string& key);
// The witness of a Sat answer on a view's program.
Witness witness_of(const Shared& s, const ir::Program& program, const engine::QueryResult& r);

// A witness in a few words: "plaintext GET //admin on port 8042 (HTTP)", "mTLS from
// cluster.local/ns/a/sa/b on port 5432 (TCP)".
std::string witness_summary(const Witness& w);

// "AuthorizationPolicy ns/name rules[2]" and its position.
std::string rule_text(const RuleKey& k);
Loc rule_loc(const RuleKey& k);
// Up to `max` items joined with ", " and "and N more".
std::string list_text(const std::vector<std::string>& items, size_t max = 4);

// Workload phrases of a class, in member order (describe_workload of each member).
std::vector<std::string> member_names(const ClassView& cls);

// Facts about an IR match: it tests the peer identity (principals, namespaces, serviceAccounts,
// trustDomains, source.* identity keys) / a JWT attribute / an IP attribute / the path.
bool match_on_peer(const ir::Match& m);
bool match_on_jwt(const ir::Match& m);
bool match_on_ip(const ir::Match& m);

// Adds `item` to `v` if it is not there yet (keeps first-seen order).
template <typename T>
void add_unique(std::vector<T>& v, const T& item) {
  for (const T& x : v)
    if (x == item) return;
  v.push_back(item);
}

}  // namespace meshproof::checks::gaps
