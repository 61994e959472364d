// `meshproof diff` as one library call (diff.h): workloads matched by namespace/name, then decisions
// (decisions.cpp), effective mTLS modes and findings compared.
#include "diff/diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "diff/decisions.h"
#include "diff/network.h"

namespace meshproof::diff {

size_t PortChange::newly_allowed() const {
  size_t n = 0;
  for (const auto& c : classes) n += c.direction == engine::ChangeDirection::NewlyAllowed;
  return n;
}
size_t PortChange::newly_denied() const { return classes.size() - newly_allowed(); }

size_t Result::newly_allowed() const {
  size_t n = 0;
  for (const auto& p : ports) n += p.newly_allowed();
  return n;
}
size_t Result::newly_denied() const {
  size_t n = 0;
  for (const auto& p : ports) n += p.newly_denied();
  return n;
}
size_t Result::newly_admitted() const {
  size_t n = 0;
  for (const auto& c : network) n += c.newly_admitted;
  return n;
}
size_t Result::newly_blocked() const { return network.size() - newly_admitted(); }

bool Result::inconclusive() const {
  for (const auto& p : ports)
    if (p.inconclusive) return true;
  return false;
}

bool contradicts(const ClassChange& c, Expectation e) {
  switch (e) {
    case Expectation::None:
      return false;
    case Expectation::Equivalent:
      return true;
    case Expectation::Narrower:
      return c.direction == engine::ChangeDirection::NewlyAllowed;
    case Expectation::Wider:
      return c.direction == engine::ChangeDirection::NewlyDenied;
  }
  return false;
}

bool contradicts(const NetworkChange& c, Expectation e) {
  if (e == Expectation::None) return false;
  if (e == Expectation::Equivalent) return true;
  return c.newly_admitted == (e == Expectation::Narrower);
}

bool expectation_holds(const Result& r, Expectation e) {
  if (r.inconclusive()) return false;
  for (const auto& c : r.network)
    if (contradicts(c, e)) return false;
  for (const auto& p : r.ports)
    for (const auto& c : p.classes)
      if (contradicts(c, e)) return false;
  return true;
}

int exit_code(const Result& r, bool fail_on_wider, Expectation e) {
  bool failing = false;
  for (const auto& p : r.ports)
    for (const auto& c : p.classes)
      failing =
          failing || (e != Expectation::None ? contradicts(c, e)
                                             : !fail_on_wider || c.direction == engine::ChangeDirection::NewlyAllowed);
  for (const auto& c : r.network)
    failing = failing || (e != Expectation::None ? contradicts(c, e) : !fail_on_wider || c.newly_admitted);
  if (failing) return 1;
  return r.inconclusive() ? 4 : 0;
}

namespace {

using WorkloadMap = std::map<std::string, const mesh::Workload*>;

WorkloadMap workloads_of(const analysis::Analysis& a) {
  WorkloadMap out;
  for (const auto& w : a.input->mesh.workloads) out.emplace(w.display(), &w);
  return out;
}

std::string pa_text(const mesh::MtlsDecision& d) {
  if (d.no_sidecar) return "no sidecar";
  if (d.gateway_listener) return "gateway listener";
  if (!d.decided_by) return "";
  return "PeerAuthentication " + d.decided_by->meta.ns + "/" + d.decided_by->meta.name;
}

void compare_mtls(const mesh::Workload& before, const mesh::Workload& after, Result& result) {
  std::set<uint32_t> ports{0};
  for (const auto* w : {&before, &after})
    for (const auto& p : w->ports) ports.insert(p.port);
  for (uint32_t port : ports) {
    const mesh::MtlsDecision& b = port ? before.mtls_for(port) : before.default_mtls;
    const mesh::MtlsDecision& a = port ? after.mtls_for(port) : after.default_mtls;
    if (b.mode == a.mode) continue;
    result.mtls.push_back(
        {after.display(), port, model::to_string(b.mode), model::to_string(a.mode), pa_text(b), pa_text(a)});
  }
}

// The workloads with newly allowed requests first (what a reviewer must see), each workload's views
// together, otherwise in workload order.
void order_widening_first(std::vector<PortChange>& ports) {
  std::set<std::string> widened;
  for (const auto& p : ports)
    if (p.newly_allowed()) widened.insert(p.workload);
  std::stable_sort(ports.begin(), ports.end(), [&](const PortChange& a, const PortChange& b) {
    return !widened.count(a.workload) < !widened.count(b.workload);
  });
}

// Unsuppressed findings of `from` whose fingerprint `other` does not have.
void finding_changes(const analysis::Analysis& from, const analysis::Analysis& other, bool appeared, Result& result) {
  std::set<std::string> known;
  for (const auto& f : other.findings)
    if (f.suppression.empty()) known.insert(f.fingerprint);
  for (const auto& f : from.findings)
    if (f.suppression.empty() && !known.count(f.fingerprint))
      result.findings.push_back({appeared, f, from.input->sources.describe(f.loc)});
}

}  // namespace

Result compare(const analysis::Analysis& before, const analysis::Analysis& after, const Options& options) {
  Result result;
  const WorkloadMap wb = workloads_of(before), wa = workloads_of(after);
  for (const auto& [name, w] : wb)
    if (!wa.count(name)) result.workloads_removed.push_back(name);
  detail::DiffCache cache;
  for (const auto& [name, w] : wa) {
    auto it = wb.find(name);
    if (it == wb.end()) {
      result.workloads_added.push_back(name);
      continue;
    }
    ++result.workloads_compared;
    detail::Side sb{it->second, &before.input->sources, &before.input->mesh, &options.before_paths};
    detail::Side sa{w, &after.input->sources, &after.input->mesh, &options.after_paths};
    detail::compare_decisions(sb, sa, options, cache, result);
    compare_mtls(*it->second, *w, result);
  }
  order_widening_first(result.ports);
  detail::compare_network(before, after, options, result);
  finding_changes(after, before, true, result);
  finding_changes(before, after, false, result);
  return result;
}

}  // namespace meshproof::diff
