// The decoder: model → truths of the request variables, and model → decision.
#include "engine/symbolic_decoder.h"

namespace meshproof::engine::detail {

RequestTruths read_truths(ModelReader& m, const RequestVars& vars) {
  RequestTruths t;
  t.mtls = m.boolean(vars.mtls());
  t.token_valid = m.boolean(vars.token_valid());
  t.token_invalid = m.boolean(vars.token_invalid());
  if (!vars.domain().port)
    for (const auto& [port, v] : vars.port_atoms())
      if (m.boolean(v)) t.true_port = port;
  for (const auto& [k, sa] : vars.strings()) {
    StringTruths s;
    s.attr = &sa;
    s.assignment.defined = m.boolean(sa.defined);
    for (const auto& v : sa.vars) s.assignment.atom_true.push_back(m.boolean(v));
    t.strings.push_back(std::move(s));
  }
  for (const auto& [attr, ip] : vars.ips()) {
    if (!m.boolean(ip.defined)) continue;
    IpTruths i;
    i.attr = attr;
    i.vars = &ip;
    i.v6 = m.boolean(ip.is6);
    for (const auto& [cidr, v] : ip.cidrs) i.cidrs.emplace_back(cidr, m.boolean(v));
    t.ips.push_back(std::move(i));
  }
  return t;
}

ir::IpAddress read_ip(ModelReader& m, const IpAttr& ip) {
  ir::IpAddress a;
  a.v6 = m.boolean(ip.is6);
  uint64_t hi = m.u64(ip.bits.extract(127, 64)), lo = m.u64(ip.bits.extract(63, 0));
  for (int i = 7; i >= 0; --i, hi >>= 8) a.bytes[i] = static_cast<uint8_t>(hi & 0xff);
  for (int i = 15; i >= 8; --i, lo >>= 8) a.bytes[i] = static_cast<uint8_t>(lo & 0xff);
  return a;
}

uint32_t read_port(ModelReader& m, const RequestVars& vars) { return static_cast<uint32_t>(m.u64(vars.port())); }

z3::expr block_model(ModelReader& m, const RequestVars& vars) {
  std::vector<z3::expr> lits;
  auto add = [&](const z3::expr& v) { lits.push_back(m.boolean(v) ? !v : v); };
  add(vars.mtls());
  for (const auto& [k, sa] : vars.strings()) {
    for (const auto& v : sa.vars) add(v);
    add(sa.defined);
  }
  for (const auto& [attr, ip] : vars.ips()) add(ip.defined);
  return any_of(vars.context(), lits);
}

namespace {

constexpr model::Action kActions[] = {model::Action::Custom, model::Action::Deny, model::Action::Allow,
                                      model::Action::Audit};

void read_rules(ModelReader& m, CompiledProgram& program, SymbolicDecision& out) {
  const ir::Program& p = program.program();
  for (auto a : kActions) {
    const auto& rules = rules_of(p, a);
    for (size_t i = 0; i < rules.size(); ++i) {
      RuleRef ref{a, i};
      if (m.boolean(program.rule_match(ref))) out.matching_rules.push_back(ref);
      if (m.boolean(program.decided_by(ref))) {
        if (out.decided_by) throw InternalError("two rules decide at once on program " + p.workload);
        out.decided_by = ref;
      }
    }
  }
}

}  // namespace

SymbolicDecision read_decision(ModelReader& m, CompiledProgram& program) {
  SymbolicDecision out;
  int verdicts = 0;
  for (Verdict v : {Verdict::Allow, Verdict::Deny, Verdict::Delegated, Verdict::Rejected})
    if (m.boolean(program.verdict(v))) out.verdict = v, ++verdicts;
  int reasons = 0;
  for (int i = 0; i <= static_cast<int>(Reason::NoAllowMatched); ++i)
    if (m.boolean(program.reason(static_cast<Reason>(i)))) out.reason = static_cast<Reason>(i), ++reasons;
  if (verdicts != 1 || reasons != 1)
    throw InternalError("the decision formulas are not a function on program " + program.program().workload + " (" +
                        std::to_string(verdicts) + " verdicts, " + std::to_string(reasons) + " reasons)");
  read_rules(m, program, out);
  if (out.verdict == Verdict::Delegated)
    for (Verdict v : {Verdict::Allow, Verdict::Deny, Verdict::Rejected})
      if (m.boolean(program.rest_verdict(v))) out.if_authorizer_allows = v;
  out.answer = SatAnswer::Sat;
  return out;
}

}  // namespace meshproof::engine::detail
