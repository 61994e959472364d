// What the symbolic (gap) checks look at: the decision programs of one workload class, one View per port
// and protocol view, each with the engine that answers questions about it (checks/gap_pass.h runs the
// pass that builds them).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/canonical_search.h"
#include "engine/query.h"
#include "ir/ir.h"
#include "mesh/mesh.h"

namespace meshproof::checks::gaps {

// Where each rule of one program sits (engine::RuleRef), by the rule's identity (ir::RuleId): built once
// per program, so that converting between the two is a lookup, not a search.
class RuleIndex {
 public:
  explicit RuleIndex(const ir::Program& program);
  // nullopt: the rule is absent from the program (e.g. an ALLOW rule Istio drops on TCP).
  std::optional<engine::RuleRef> ref(const ir::RuleId& id) const;

 private:
  std::unordered_map<ir::RuleId, engine::RuleRef> refs_;
};

// The rule at `ref` in `program`.
const ir::Rule& rule_at(const ir::Program& program, engine::RuleRef ref);

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
  // find() without the solver: the answer of the atom algebra or the concrete fast path, nullopt when only
  // the solver could give it (never builds the engine).
  std::optional<engine::QueryResult> find_without_solver(const engine::Query& q);

  // Where the rule with this id sits in the program (nullopt: absent on this view, e.g. an ALLOW rule
  // Istio drops on TCP), and the rule itself (nullptr: absent).
  std::optional<engine::RuleRef> ref(const ir::RuleId& id) const { return index_.ref(id); }
  const ir::Rule* rule(const ir::RuleId& id) const;

  // "port 8080 (HTTP)", "port 5432 (TCP)", "port 8080 (sniffed, non-HTTP traffic)", "undeclared ports
  // (HTTP)".
  // With an enforcement point set (a waypoint's program, checks/gap_waypoints.h): "... at waypoint NS/NAME".
  std::string describe() const;
  void set_point(std::string point) { point_ = std::move(point); }
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
  RuleIndex index_;  // of *program_
  std::vector<uint32_t> declared_ports_;
  unsigned timeout_ms_ = 2000;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<engine::CanonicalMemo> memo_;  // the program's canonical table (engine/canonical_search.h)
  std::string point_;  // "" for a workload's own proxy
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
  // A waypoint unit of the pass (checks/gap_waypoints.h): "waypoint NS/NAME (Service NS/SVC)", which the
  // findings name instead of members (there are none); `rep` is then the waypoint as a proxy, owned here.
  std::string point;
  std::shared_ptr<const mesh::Workload> owned_rep;
  bool applies(const model::AuthorizationPolicy* p) const;
  bool applies(const model::RequestAuthentication* ra) const;
};

}  // namespace meshproof::checks::gaps
