// The shared pass of the symbolic (gap) checks (MP2001-MP2006, MP2009, MP2011, MP2012): they all ask the
// symbolic engine questions about the decision programs of the workload classes, so they share one pass
// over the classes instead of each building programs and solvers of its own.
//
//   * Programs: one program set per workload class (ir::build_programs), then one per waypoint unit: the
//     programs of a waypoint with targetRefs policies (checks/gap_waypoints.h). What Istio's admission rejects
//     is not in the world the pass reads (model/admission.h): a rejected object never reaches a proxy.
//   * Engines: one engine::Engine per program (checks/gap_views.h), made on first use and reused for
//     every query any gap check asks about that program; a class's engines are released when the pass
//     moves to the next class, so memory stays bounded by the largest class, not by the mesh.
//   * Analyzers: each symbolic check (a SymbolicCheck in the registry) contributes an Analyzer per chunk of
//     classes. The pass calls visit() for every class of the chunk (in class order), on --threads workers
//     that take the chunks in order; the analyzers of later chunks are merged into the first chunk's in
//     chunk order, so the result is that of one visit of every class in order, whatever the thread count.
//     finish() turns what was learned into findings, reported once per policy rule (or
//     RequestAuthentication, or assertion) with the workloads it concerns listed.
//   * The first symbolic check that runs computes the pass for all of them (Context::gap_results); the
//     others read their findings from it.
//
// Solver answers: Sat carries a replayed witness request; Unsat is a proof; Unknown (timeout, opaque atom)
// is never read as either. Every gap check reports an Unknown that its conclusion depends on as a
// note-severity finding of the same check whose message says the proof was inconclusive and why
// (property `inconclusive: "true"`); docs/checks/README.md.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checks/check.h"
#include "checks/gap_findings.h"
#include "checks/gap_views.h"
#include "ir/ir.h"
#include "ir/lower.h"

namespace meshproof::mesh {
struct WaypointModel;
}

namespace meshproof::checks::gaps {

// What every analyzer may use.
class Shared {
 public:
  explicit Shared(const Context& c);

  const Context& ctx;
  ir::LowerContext lower;
  // The resource has an error diagnostic: Istio's admission rejects it, so it never reaches a proxy.
  // The policies that apply to the class, in Istio's order (root namespace first).
  std::vector<const model::AuthorizationPolicy*> policies_of(const ClassView& cls) const;
  // Position of a policy in the input (for "later rule" decisions); rules order by (policy, index).
  size_t order_of(const model::AuthorizationPolicy* p) const;
  // The policy lowered for one protocol (cached): its rules and every drop, including dropped rules.
  const ir::LoweredPolicy& lowered(const model::AuthorizationPolicy& p, ir::Protocol protocol) const;
  bool regulated(const std::string& ns) const { return ctx.is_regulated(ns); }
  // The pass's waypoint model (WaypointUnits::model), for witnesses that follow a waypoint's chain; computed
  // once per pass, since a model per witness cost the whole mesh per finding.
  const mesh::WaypointModel* waypoints = nullptr;

 private:
  mutable std::map<std::pair<const model::AuthorizationPolicy*, ir::Protocol>, ir::LoweredPolicy> lowered_;
};

// What one symbolic check learns in the pass: visit() sees the classes of one chunk in class order;
// merge(later) takes in what the same check's analyzer learned from the chunk that follows, so that the
// merged analyzer knows what one visit of both chunks' classes in order would have taught it (first
// witness and first unknown reason kept, workload lists appended without repeats, "decided" flags such as
// "the rule matches somewhere" ending the merge as they end the visits); finish() turns it into the
// check's findings. info() is the check's own (for make_finding).
class Analyzer {
 public:
  explicit Analyzer(const CheckInfo& info) : info_(info) {}
  virtual ~Analyzer() = default;
  virtual void visit(ClassView& cls) = 0;
  virtual void merge(Analyzer& later) = 0;
  virtual void finish(std::vector<Finding>& out) = 0;

 protected:
  const CheckInfo& info() const { return info_; }

 private:
  const CheckInfo& info_;
};

// A check answered by the shared pass: it contributes an analyzer per chunk of classes, and run() copies
// the findings the pass collected for it.
class SymbolicCheck : public Check {
 public:
  explicit SymbolicCheck(CheckInfo info) : Check(std::move(info)) {}
  // The analyzer this check contributes to one chunk of the pass (`s` lives as long as it).
  virtual std::unique_ptr<Analyzer> analyzer(const Shared& s) const = 0;
  void run(const Context& ctx, std::vector<Finding>& out) const override;
};

// The results of the shared pass, per check name.
class Results {
 public:
  std::map<std::string, std::vector<Finding>> by_check;
};

// The findings of one symbolic check (the pass runs on the first call for a Context).
const std::vector<Finding>& findings_of(const Context& ctx, const std::string& check);

}  // namespace meshproof::checks::gaps
