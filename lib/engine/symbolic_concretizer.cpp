// The concretizer: the canonical model and the canonical request built from its truths.
#include "engine/symbolic_concretizer.h"

#include <algorithm>
#include <optional>

#include "engine/evaluate.h"
#include "engine/representatives.h"
#include "engine/symbolic_readable.h"
#include "engine/symbolic_seq.h"

namespace meshproof::engine::detail {

using ir::Attribute;

std::vector<z3::expr> canonical_order(const RequestVars& vars) {
  std::vector<z3::expr> out{vars.mtls(), vars.token_valid(), vars.token_invalid()};
  for (const auto& [k, sa] : vars.strings()) {  // map order: attribute, key
    out.push_back(sa.defined);
    std::vector<size_t> idx(sa.atoms.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return sa.atoms[a] < sa.atoms[b]; });
    for (size_t i : idx) out.push_back(sa.vars[i]);
  }
  for (const auto& [attr, ip] : vars.ips()) {
    out.push_back(ip.defined);
    out.push_back(ip.is6);
    for (const auto& [cidr, v] : ip.cidrs) out.push_back(v);
  }
  for (const auto& [port, v] : vars.port_atoms()) out.push_back(v);
  return out;
}

bool canonicalize(z3::solver& solver, NegationIds& negations, const std::vector<z3::expr>& order,
                  const z3::expr_vector& assumptions, const CheckFn& check) {
  z3::expr_vector fixed(solver.ctx());
  for (unsigned i = 0; i < assumptions.size(); ++i) fixed.push_back(assumptions[i]);
  std::optional<ModelReader> reader;
  reader.emplace(solver, negations);
  bool solver_has_model = true;
  for (const z3::expr& v : order) {
    if (!reader->boolean_if_known(v).value_or(true)) {
      fixed.push_back(!v);
      continue;
    }
    fixed.push_back(!v);
    z3::check_result r = check(fixed);
    if (r == z3::sat) {
      reader.emplace(solver, negations);
      solver_has_model = true;
      continue;
    }
    if (r == z3::unknown) return false;
    fixed.pop_back();
    fixed.push_back(v);
    solver_has_model = false;
  }
  // The last Sat model satisfies every fixed literal (later ones were read from it); restore it.
  return solver_has_model || check(fixed) == z3::sat;
}

namespace {

ir::IpAddress plus_one(ir::IpAddress a) {
  for (int i = a.v6 ? 15 : 3; i >= 0; --i)
    if (++a.bytes[i] != 0) break;
  return a;
}

// The first address, in an order that depends only on the CIDR atoms, with the given family and CIDR
// truths; nullopt when none of the candidates fits (the model's own address is used then).
std::optional<ir::IpAddress> canonical_ip(bool v6, const std::vector<std::pair<ir::Cidr, bool>>& truths) {
  std::vector<ir::Cidr> inside;
  for (const auto& [c, t] : truths)
    if (t) inside.push_back(c);
  std::stable_sort(inside.begin(), inside.end(),
                   [](const ir::Cidr& a, const ir::Cidr& b) { return a.prefix_len > b.prefix_len; });
  std::vector<ir::IpAddress> candidates;
  for (const auto& c : inside) {
    candidates.push_back(c.base);
    candidates.push_back(plus_one(c.base));
  }
  for (const char* text : {"10.0.0.1", "192.0.2.1", "172.16.0.1", "198.51.100.7", "2001:db8::1", "fd00::1", "::1"})
    candidates.push_back(*ir::parse_ip(text));
  for (const auto& a : candidates) {
    if (a.v6 != v6) continue;
    bool ok = true;
    for (const auto& [c, t] : truths) ok = ok && c.contains(a) == t;
    if (ok) return a;
  }
  return std::nullopt;
}

// The port is fixed in a domain with one port. Otherwise it is chosen concretely from the port atoms'
// truths (all that the formulas read of it), so that it does not depend on the model.
std::optional<uint32_t> canonical_port(const RequestDomain& d, const WitnessTruths& t) {
  if (d.port) return *d.port;
  if (t.true_port) return *t.true_port;
  auto usable = [&](uint32_t p) {
    return std::find(t.port_atoms.begin(), t.port_atoms.end(), p) == t.port_atoms.end() &&
           std::find(d.excluded_ports.begin(), d.excluded_ports.end(), p) == d.excluded_ports.end();
  };
  for (uint32_t p : {8080u, 8000u, 9000u, 10000u})
    if (usable(p)) return p;
  for (uint32_t p = 1024; p <= 65535; ++p)
    if (usable(p)) return p;
  return std::nullopt;
}

// A clause excluding the polarities the sequence theory found impossible together (its Unsat core; all
// of the attribute's when the core is empty). Valid for every string, so it may stay for later queries.
z3::expr conflict_lemma(z3::context& c, const StringAttr& sa, const StrAssignment& asg,
                        const std::vector<uint32_t>& core) {
  std::vector<z3::expr> lits;
  auto lit_of = [&](uint32_t var) {
    bool pol = var < sa.atoms.size() ? asg.atom_true[var] : asg.defined;
    z3::expr x = var < sa.atoms.size() ? sa.vars[var] : sa.defined;
    return pol ? !x : x;
  };
  if (core.empty())
    for (uint32_t v = 0; v <= sa.atoms.size(); ++v) lits.push_back(lit_of(v));
  for (uint32_t v : core) lits.push_back(lit_of(v));
  return any_of(c, lits);
}

// The sequence theory's value for truths the construction cannot realize alone (opaque atoms). False: none
// (out.status Refine, with the lemma that excludes these polarities, or Unknown).
bool solve_string(const StringTruths& st, z3::context& c, unsigned timeout_ms, std::optional<std::string>& value,
                  std::vector<std::string>& elements, ModelRequest& out) {
  const StringAttr& sa = *st.attr;
  const StrAssignment& asg = st.assignment;
  AttributeConstraint full;
  for (bool b : asg.atom_true) full.atom.push_back(b);
  full.defined = asg.defined;
  AttributeSolution s = solve_with_sequence_theory(sa.atoms, sa.domain, full, timeout_ms);
  if (s.answer == SatAnswer::Unknown) {
    out.status = ModelRequest::Status::Unknown;
    out.reason = attribute_label(sa.attr, sa.key) + ": " + s.reason;
    return false;
  }
  if (s.answer == SatAnswer::Unsat) {
    out.lemmas.push_back(conflict_lemma(c, sa, asg, s.core));
    out.status = ModelRequest::Status::Refine;
    return false;
  }
  value = s.value;
  elements = s.elements;
  return true;
}

// A plausible value (symbolic_readable.h) in place of the constructed one when it has the same truths.
void prefer_readable(const AttributeTruths& st, std::optional<std::string>& value, std::vector<std::string>& elements) {
  if (st.domain->set_valued) {
    if (auto set = readable_set(*st.atoms, st.assignment, *st.domain)) elements = *set;
  } else if (auto v = readable_value(st.attr, *st.atoms, st.assignment, *st.domain)) {
    value = *v;
  }
}

// One string attribute's value from its truths. False: no value (out.status says Refine or Unknown).
bool concretize_string(const AttributeTruths& st, size_t index, const WitnessSolver& solver, ModelRequest& out) {
  const StrAssignment& asg = st.assignment;
  std::optional<std::string> value;
  std::vector<std::string> elements;
  WitnessStatus status;
  std::string error;
  if (st.domain->set_valued) {
    SetWitness w = build_set_witness(*st.atoms, asg, *st.domain);
    status = w.status, error = w.error, elements = w.elements;
  } else {
    StringWitness w = build_string_witness(*st.atoms, asg, *st.domain);
    status = w.status, error = w.error, value = w.value;
  }
  if (status == WitnessStatus::Failed)
    throw InternalError("witness construction for " + attribute_label(st.attr, *st.key) + ": " + error);
  // Opaque atoms (or no fresh character): the sequence theory decides these polarities.
  if (status == WitnessStatus::NeedsTheory && !solver.theory(index, value, elements, out)) return false;
  // Also reads "/" for a path the atoms do not tell apart from the root (the construction's "/x").
  prefer_readable(st, value, elements);
  if (value || !elements.empty()) {
    SlotValue present = st.domain->set_valued ? SlotValue::of_set(elements) : SlotValue::of_text(value.value_or(""));
    assign_slot(out.request, st.attr, *st.key, present);
  }
  return true;
}

// Attributes no atom mentions are unconstrained: plausible values make the witness read like a real
// request (they cannot change any atom's truth, because no atom reads them).
void plausible_defaults(const WitnessTruths& t, const RequestDomain& d, ir::Request& r) {
  auto mentioned = [&](Attribute a) {
    return std::any_of(t.strings.begin(), t.strings.end(),
                       [&](const AttributeTruths& s) { return s.attr == a && s.key->empty(); });
  };
  if (r.mtls) {
    if (!mentioned(Attribute::PeerTrustDomain)) r.peer_trust_domain = "cluster.local";
    if (!mentioned(Attribute::PeerNamespace)) r.peer_namespace = "any-namespace";
    if (!mentioned(Attribute::PeerServiceAccount)) r.peer_service_account = "any-sa";
  }
  if (d.http && d.method_always_present && !mentioned(Attribute::Method)) r.method = "GET";
  if (d.http && !mentioned(Attribute::Path)) r.path = "/";
}

// Pseudo-headers (`request.headers[:path]`, `[:authority]`) are the request's path and host seen another
// way (evaluate.cpp effective_request), but their variables are not tied to request.path / request.host:
// the witness takes them as its path and host, and every truth of the four attributes is then checked on
// the request as the program sees it. A model they contradict is not a request: Unknown, never a guess.
bool reconcile_pseudo_headers(const RequestDomain& d, const WitnessTruths& t, ModelRequest& out) {
  ir::Request& r = out.request;
  if (auto p = r.headers.find(":path"); p != r.headers.end()) r.path = p->second, r.headers.erase(p);
  if (auto a = r.headers.find(":authority"); a != r.headers.end()) r.host = a->second, r.headers.erase(a);
  // The equivalence prover's domain has free paths (no normalization): nothing ties the four there.
  if (!d.http || !d.path_normalization) return true;
  ir::Program view;
  view.protocol = ir::Protocol::Http;
  view.path_normalization = *d.path_normalization;
  const ir::Request seen = effective_request(view, r);
  for (const AttributeTruths& st : t.strings) {
    const std::string& key = *st.key;
    bool linked = st.attr == Attribute::Path || st.attr == Attribute::Host ||
                  (st.attr == Attribute::Header && !key.empty() && key.front() == ':');
    if (!linked) continue;
    ir::AttributeValue v = ir::attribute_value(seen, st.attr, key, ir::Protocol::Http);
    bool same = v.present == st.assignment.defined;
    for (size_t i = 0; same && i < st.atoms->size(); ++i)
      same = (v.present && str_atom_holds((*st.atoms)[i], v.str)) == st.assignment.atom_true[i];
    if (!same) {
      out.status = ModelRequest::Status::Unknown;
      out.reason = attribute_label(st.attr, key) +
                   ": the pseudo-headers :path and :authority are not tied to request.path and request.host in "
                   "the solver, and this model gives them values no single request has";
      return false;
    }
  }
  return true;
}

}  // namespace

ModelRequest request_from_truths(const WitnessTruths& t, const RequestDomain& d, const WitnessSolver& solver) {
  ModelRequest out;
  ir::Request& r = out.request;
  r.mtls = t.mtls;
  r.token = t.token_valid ? ir::TokenState::Valid : t.token_invalid ? ir::TokenState::Invalid : ir::TokenState::None;
  if (std::optional<uint32_t> port = canonical_port(d, t)) {
    r.port = *port;
  } else if (std::optional<uint32_t> own = solver.model_port()) {
    r.port = *own;
  } else {
    out.status = ModelRequest::Status::Unknown;
    out.reason = "destination.port: every port is named by an atom or excluded";
    return out;
  }
  for (size_t i = 0; i < t.strings.size(); ++i)
    if (!concretize_string(t.strings[i], i, solver, out) && out.status == ModelRequest::Status::Unknown) return out;
  if (out.status == ModelRequest::Status::Refine) return out;
  plausible_defaults(t, d, r);
  if (!reconcile_pseudo_headers(d, t, out)) return out;
  // The witness is sent as a raw path: it must be one normalization leaves as it is (a sequence-theory
  // value for template/regex atoms need not be).
  const auto& mode = d.path_normalization;
  if (d.http && mode && !r.path.empty() && !ir::is_normalized_path(r.path, *mode)) {
    out.status = ModelRequest::Status::Unknown;
    out.reason = "request.path: the value found (\"" + r.path + "\") is not a path Envoy's " + ir::to_string(*mode) +
                 " normalization leaves unchanged";
    return out;
  }
  for (size_t i = 0; i < t.addresses.size(); ++i) {
    const AddressTruths& ip = t.addresses[i];
    // The formulas read the bits only through the CIDR atoms: any address with the same family and the
    // same CIDR truths satisfies them, so a canonical one is chosen (the replay checks it).
    std::optional<ir::IpAddress> a = canonical_ip(ip.v6, ip.cidrs);
    if (!a) a = solver.model_address(i);
    if (!a) {
      out.status = ModelRequest::Status::Unknown;
      out.reason = std::string(ir::attribute_name(ip.attr)) + ": no canonical address has these CIDR truths";
      return out;
    }
    if (ip.attr == Attribute::SourceIp) r.source_ip = *a;
    if (ip.attr == Attribute::DestinationIp) r.destination_ip = *a;
    if (ip.attr == Attribute::RemoteIp) r.remote_ip = *a;
  }
  // remote.ip defaults to source.ip: only spell it out when it differs.
  if (r.remote_ip && r.source_ip && *r.remote_ip == *r.source_ip) r.remote_ip.reset();
  return out;
}

ModelRequest concretize(ModelReader& m, const RequestVars& vars, unsigned timeout_ms) {
  const RequestTruths t = read_truths(m, vars);
  WitnessTruths wt{t.mtls, t.token_valid, t.token_invalid, {}, {}, t.true_port, {}};
  for (const StringTruths& st : t.strings)
    wt.strings.push_back({st.attr->attr, &st.attr->key, &st.attr->domain, &st.attr->atoms, st.assignment});
  for (const IpTruths& ip : t.ips) wt.addresses.push_back({ip.attr, ip.v6, ip.cidrs});
  for (const auto& [port, v] : vars.port_atoms()) wt.port_atoms.push_back(port);
  WitnessSolver solver;
  solver.theory = [&](size_t i, std::optional<std::string>& value, std::vector<std::string>& elements,
                      ModelRequest& out) {
    return solve_string(t.strings[i], vars.context(), timeout_ms, value, elements, out);
  };
  solver.model_port = [&]() -> std::optional<uint32_t> { return read_port(m, vars); };
  solver.model_address = [&](size_t i) -> std::optional<ir::IpAddress> { return read_ip(m, *t.ips[i].vars); };
  return request_from_truths(wt, vars.domain(), solver);
}

}  // namespace meshproof::engine::detail
