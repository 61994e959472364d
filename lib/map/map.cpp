#include "map/map.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/text.h"
#include "ir/program_signature.h"
#include "engine/decision_diff.h"
#include "engine/witness.h"
#include "ir/lower.h"
#include "map/network.h"
#include "mesh/mesh.h"
#include "mesh/network_layer.h"

namespace meshproof::map {

namespace {

// A view that allows nothing and keeps what decides before authorization (the port's mTLS mode, the JWT
// issuers): the requests `view` allows are exactly where the two differ ("newly allowed").
ir::Program allows_nothing(const ir::Program& view) {
  ir::Program none = view;
  none.custom.clear();
  none.deny.clear();
  none.allow.clear();
  none.audit.clear();
  none.custom_mode = ir::CustomMode::None;
  none.has_allow_policy = true;
  none.enforced = true;
  return none;
}

// Literals about who calls (the connection and the source fields) make the caller; the rest are conditions.
bool caller_literal(const std::string& l) {
  for (const char* p : {"mTLS", "plaintext", "principals:", "not principals:", "namespaces:", "not namespaces:",
                        "source.principal", "source.namespace", "not source.principal", "not source.namespace"})
    if (l.rfind(p, 0) == 0) return true;
  return false;
}

struct MapView {
  const mesh::Workload* workload;
  const ir::PortPrograms* port;
  const ir::Program* program;
};

using EdgeKey = std::pair<std::string, std::string>;  // workload, caller

Admission admission_of(const MapView& v, const engine::ChangeClass& cls, const SourceSet& sources,
                       const Options& options, std::string& caller) {
  Admission a;
  a.port = v.port->port;
  a.port_name = v.port->name;
  a.protocol = ir::to_string(v.program->protocol);
  std::vector<std::string> who;
  for (const auto& l : cls.literals) (caller_literal(l) ? who : a.conditions).push_back(l);
  caller = who.empty() ? "any caller" : join(who, " and ");
  const engine::Decision& d = cls.after;
  a.reason = engine::to_string(d.reason);
  if (d.decided_by) {
    a.rule = d.decided_by->display();
    a.policy = d.decided_by->policy.display();
    if (d.decided_by->loc.known()) a.location = sources.describe(d.decided_by->loc);
  }
  Witness w = engine::to_witness(*v.program, cls.witness, d, options.paths);
  a.query = w.reproduce;
  // An ambient workload's view is its ztunnel's; `query` takes an mTLS caller to be an ambient workload that
  // may pass a waypoint first, so the witness names a sidecar caller, which meets ztunnel with its own
  // identity (as the checks' witnesses do, checks/gap_findings.cpp).
  if (w.mtls && !a.query.empty() && v.workload->data_plane == mesh::DataPlane::Ambient) a.query += " --caller sidecar";
  a.witness = (w.mtls ? w.source_principal : std::string("plaintext")) + (w.method.empty() ? "" : " " + w.method) +
              (w.path.empty() ? "" : " " + w.path) + " port " + std::to_string(w.port);
  return a;
}

// The map while it is being built.
struct MapBuilder {
  const SourceSet& sources;
  const Options& options;
  std::map<EdgeKey, Edge> edges;
  std::map<std::string, engine::DecisionDiff> solved;  // by port, declared ports and decision signature
  std::set<std::string> callers;
  std::vector<std::string> incomplete;
  // With L3/L4 policies in the input: the analysis that judges each admission's sources, and the outside
  // addresses that stand for callers outside the cluster (nullptr: no such policies).
  const analysis::Analysis* network = nullptr;
  std::vector<model::Cidr> outside;

  const engine::DecisionDiff& solve(const ir::Program& view, uint32_t port, const std::vector<uint32_t>& declared) {
    engine::DecisionDiffOptions eo;
    eo.timeout_ms = options.timeout_ms;
    eo.max_classes = options.max_classes;
    std::string key = std::to_string(port) + ":";
    if (port == 0) {
      eo.declared_ports = declared;
      for (uint32_t p : declared) key += std::to_string(p) + ",";
    }
    key += "\n" + ir::decision_signature(view);
    auto it = solved.find(key);
    if (it == solved.end()) it = solved.emplace(key, engine::diff_decisions(allows_nothing(view), view, eo)).first;
    return it->second;
  }

  void add_view(const MapView& v, const std::vector<uint32_t>& declared) {
    const engine::DecisionDiff& d = solve(*v.program, v.port->port, declared);
    const std::string where = v.workload->display() + " port " +
                              (v.port->port ? std::to_string(v.port->port) : std::string("(undeclared)")) + " " +
                              ir::to_string(v.program->protocol);
    if (d.answer == engine::SatAnswer::Unknown)
      incomplete.push_back(where + ": " + d.unknown_reason);
    else if (!d.complete)
      incomplete.push_back(where + ": more than " + std::to_string(options.max_classes) + " classes");
    for (const auto& found : d.classes) {
      // A class may come from another workload with the same decisions: decide it on this view.
      engine::ChangeClass cls = found;
      cls.after = engine::evaluate(*v.program, cls.witness);
      if (cls.after.verdict != engine::Verdict::Allow) continue;  // never: the region is what the view allows
      std::string caller;
      Admission a = admission_of(v, cls, sources, options, caller);
      if (network) detail::judge_network(*network, *v.workload, *v.program, cls, caller, outside, a);
      Edge& e = edges[{v.workload->display(), caller}];
      e.caller = caller;
      e.workload = v.workload->display();
      e.admissions.push_back(std::move(a));
      callers.insert(caller);
    }
  }
};

}  // namespace

bool Edge::blocked() const {
  return !admissions.empty() &&
         std::all_of(admissions.begin(), admissions.end(), [](const Admission& a) { return a.blocked; });
}

Map build_map(const analysis::Analysis& analysis, const Options& options) {
  Map out;
  const mesh::Mesh& mesh = analysis.input->mesh;
  const std::set<std::string> regulated(analysis.regulated.begin(), analysis.regulated.end());
  MapBuilder b{analysis.input->sources, options, {}, {}, {}, {}, nullptr, {}};
  const mesh::NetworkLayer layer(analysis.input->network_policies.get(), analysis.input->resources);
  if (!layer.empty()) {
    out.network_layer = true;
    b.network = &analysis;
    b.outside = mesh::outside_representatives({&layer});
  }
  for (const mesh::Workload& w : mesh.workloads) {
    out.workloads.push_back({w.display(), mesh::to_string(w.data_plane), regulated.count(w.ns) > 0});
    const ir::WorkloadPrograms programs = ir::build_programs(w, ir::LowerContext::from(mesh.config));
    std::vector<uint32_t> declared;
    for (const auto& pp : programs.ports)
      if (pp.port != 0) declared.push_back(pp.port);
    for (const auto& pp : programs.ports)
      for (const auto& view : pp.views) b.add_view({&w, &pp, &view}, declared);
  }
  out.callers.assign(b.callers.begin(), b.callers.end());
  for (auto& [key, e] : b.edges) out.edges.push_back(std::move(e));
  out.incomplete = std::move(b.incomplete);
  return out;
}

}  // namespace meshproof::map
