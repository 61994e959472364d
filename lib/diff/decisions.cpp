#include "diff/decisions.h"

#include <set>

#include "ir/program_signature.h"
#include "engine/witness.h"
#include "ir/lower.h"

namespace meshproof::diff::detail {

namespace {

SideDecision side_decision(const Side& side, const ir::Program& program, const ir::Request& request) {
  engine::Decision d = engine::evaluate(program, request);
  SideDecision out;
  out.verdict = engine::to_string(d.verdict);
  out.reason = engine::to_string(d.reason);
  out.explanation = d.explanation;
  if (d.decided_by) {
    out.rule = d.decided_by->display();
    if (d.decided_by->loc.known()) {
      out.location = side.sources->describe(d.decided_by->loc);
      out.file = side.sources->file(d.decided_by->loc.file).path;
      out.line = d.decided_by->loc.line;
    }
  }
  static const std::vector<std::string> kNoPaths;
  out.witness = engine::to_witness(program, request, d, side.paths ? *side.paths : kNoPaths);
  if (!side.paths || side.paths->empty()) out.witness.reproduce.clear();
  return out;
}

std::vector<uint32_t> declared_ports(const ir::WorkloadPrograms& a, const ir::WorkloadPrograms& b) {
  std::set<uint32_t> ports;
  for (const auto* progs : {&a, &b})
    for (const auto& pp : progs->ports)
      if (pp.port != 0) ports.insert(pp.port);
  return {ports.begin(), ports.end()};
}

const engine::DecisionDiff& solve(const ir::Program& vb, const ir::Program& va, uint32_t port,
                                  const std::vector<uint32_t>& declared, const Options& options, DiffCache& cache,
                                  Result& result) {
  // The undeclared-ports view's requests avoid the declared ports, so those are part of the key.
  std::string key = std::to_string(port) + ":";
  if (port == 0)
    for (uint32_t p : declared) key += std::to_string(p) + ",";
  key += "\n" + ir::decision_signature(vb) + "\n--\n" + ir::decision_signature(va);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  engine::DecisionDiffOptions eo;
  eo.timeout_ms = options.timeout_ms;
  eo.max_classes = options.max_classes;
  if (port == 0)
    eo.declared_ports = declared;
  else
    eo.port = port;
  ++result.views_solved;
  return cache.emplace(key, engine::diff_decisions(vb, va, eo)).first->second;
}

void compare_view(const Side& before, const Side& after, const ir::Program& vb, const ir::Program& va, uint32_t port,
                  const std::string& port_name, const std::vector<uint32_t>& declared, const Options& options,
                  DiffCache& cache, Result& result) {
  ++result.views_compared;
  if (ir::decision_signature(vb) == ir::decision_signature(va)) return;
  const engine::DecisionDiff& d = solve(vb, va, port, declared, options, cache, result);
  if (d.answer == engine::SatAnswer::Unsat) return;
  PortChange pc{after.workload->display(),
                port,
                port_name,
                ir::to_string(va.protocol),
                {},
                d.complete,
                d.answer == engine::SatAnswer::Unknown,
                d.unknown_reason};
  for (const auto& cls : d.classes)
    pc.classes.push_back(
        {cls.direction, cls.literals, side_decision(before, vb, cls.witness), side_decision(after, va, cls.witness)});
  result.ports.push_back(std::move(pc));
}

// A port whose protocol view exists on one side only (its protocol changed): not compared, and said so.
void protocol_changed(const Side& after, uint32_t port, const std::string& port_name, ir::Protocol protocol,
                      bool before_has, Result& result) {
  PortChange pc;
  pc.workload = after.workload->display();
  pc.port = port;
  pc.port_name = port_name;
  pc.protocol = ir::to_string(protocol);
  pc.inconclusive = true;
  pc.complete = false;
  pc.unknown_reason = std::string("the port's ") + ir::to_string(protocol) + " view exists " +
                      (before_has ? "before the change only" : "after the change only") +
                      " (its protocol changed): the decisions of the two protocols are not compared";
  result.ports.push_back(std::move(pc));
}

}  // namespace

void compare_decisions(const Side& before, const Side& after, const Options& options, DiffCache& cache,
                       Result& result) {
  const ir::WorkloadPrograms pb = ir::build_programs(*before.workload, ir::LowerContext::from(before.mesh->config));
  const ir::WorkloadPrograms pa = ir::build_programs(*after.workload, ir::LowerContext::from(after.mesh->config));
  const std::vector<uint32_t> declared = declared_ports(pb, pa);
  std::vector<uint32_t> ports = declared;
  ports.push_back(0);  // the undeclared ports last, as WorkloadPrograms orders them
  for (uint32_t port : ports) {
    const ir::PortPrograms* xb = pb.find_port(port);
    const ir::PortPrograms* xa = pa.find_port(port);
    if (!xb || !xa) continue;
    const std::string& name = xa->port == port ? xa->name : xb->name;
    for (ir::Protocol protocol : {ir::Protocol::Http, ir::Protocol::Tcp}) {
      const ir::Program* vb = xb->view(protocol);
      const ir::Program* va = xa->view(protocol);
      if (vb && va)
        compare_view(before, after, *vb, *va, port, name, declared, options, cache, result);
      else if (vb || va)
        protocol_changed(after, port, name, protocol, vb != nullptr, result);
    }
  }
}

}  // namespace meshproof::diff::detail
