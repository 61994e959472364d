// The encoder: request variables, their domain facts and the formula of one atom. Every fact here mirrors
// the concrete request model (ir/request.cpp attribute_value, engine/evaluate.cpp effective_request);
// docs/semantics.md section `engine` lists them with their Istio sources.
#include "engine/symbolic_encoder.h"

#include <algorithm>

#include "base/text.h"

namespace meshproof::engine::detail {

using ir::Attribute;
using ir::AttributeKind;

z3::expr any_of(z3::context& c, const std::vector<z3::expr>& xs) {
  if (xs.empty()) return c.bool_val(false);
  if (xs.size() == 1) return xs[0];
  z3::expr_vector v(c);
  for (const auto& x : xs) v.push_back(x);
  return z3::mk_or(v);
}

z3::expr all_of(z3::context& c, const std::vector<z3::expr>& xs) {
  if (xs.empty()) return c.bool_val(true);
  if (xs.size() == 1) return xs[0];
  z3::expr_vector v(c);
  for (const auto& x : xs) v.push_back(x);
  return z3::mk_and(v);
}

std::string attribute_label(Attribute attr, const std::string& key) {
  return std::string(ir::attribute_name(attr)) + (key.empty() ? "" : "[" + key + "]");
}

std::pair<uint64_t, uint64_t> ip_halves(const ir::IpAddress& ip) {
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | ip.bytes[i];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | ip.bytes[i];
  return {hi, lo};
}

// The attribute's value domain (ir.h "Domain facts").
StrDomain attribute_domain(Attribute a) {
  StrDomain d;
  d.set_valued = ir::attribute_kind(a) == AttributeKind::Set;
  // "For every string attribute except Header, an empty value is the same as absent"; sets drop ""
  // elements (request.cpp set_value).
  d.empty_is_absent = a != Attribute::Header;
  if (ir::attribute_is_peer(a)) d.forbidden_chars = "/";  // SPIFFE id parts contain no '/'
  d.lower_case = a == Attribute::Host;                    // compared lower-cased (IS §5 `hosts`)
  // A witness path is built around its known prefix and suffix with characters normalization leaves alone.
  if (a == Attribute::Path) d.middle_chars = std::string(ir::path_middle_characters());
  return d;
}

RequestDomain program_domain(const ir::Program& program, const EngineOptions& options) {
  RequestDomain d;
  d.http = program.protocol == ir::Protocol::Http;
  // The token only exists where jwt_authn runs: HTTP with a RequestAuthentication (evaluate.cpp
  // effective_request; IS §12).
  d.tokens = d.http && program.has_request_authentication;
  d.method_always_present = options.http_method_always_present;
  if (d.http) d.path_normalization = program.path_normalization;
  if (program.port != 0) {
    d.port = program.port;
  } else {  // the undeclared-ports program: any real port the workload does not declare
    d.excluded_ports.push_back(0);
    d.excluded_ports.insert(d.excluded_ports.end(), options.declared_ports.begin(), options.declared_ports.end());
  }
  return d;
}

RequestDomain filter_domain(ir::Protocol protocol) {
  RequestDomain d;
  d.http = protocol == ir::Protocol::Http;
  d.invalid_tokens = false;  // jwt_authn rejects an invalid token before the RBAC filters (IS §12)
  return d;
}

namespace {

std::optional<StrOp> str_op(const ir::Atom& a) {
  switch (a.op) {
    case ir::Op::Exact:
      return StrOp::Exact;
    case ir::Op::Prefix:
      return a.value.empty() ? StrOp::Present : StrOp::Prefix;
    case ir::Op::Suffix:
      return a.value.empty() ? StrOp::Present : StrOp::Suffix;
    case ir::Op::Present:
      return StrOp::Present;
    case ir::Op::Glob:
      return StrOp::Glob;
    case ir::Op::PathTemplate:
      return StrOp::PathTemplate;
    case ir::Op::Regex:
      return StrOp::Regex;
    case ir::Op::Cidr:
    case ir::Op::PortEq:
      return std::nullopt;  // ill-formed on a string attribute: never true
  }
  return std::nullopt;
}

bool is_string_kind(Attribute a) {
  AttributeKind k = ir::attribute_kind(a);
  return k == AttributeKind::String || k == AttributeKind::Set;
}

}  // namespace

// The string atom an IR atom stands for: hosts compare lower-cased, `present` has no value.
std::optional<StrAtom> string_atom(const ir::Atom& a) {
  auto op = str_op(a);
  if (!op) return std::nullopt;
  StrAtom s{*op, a.attr == Attribute::Host ? ascii_lower(a.value) : a.value};
  if (*op == StrOp::Present) s.value.clear();
  return s;
}

RequestVars::RequestVars(z3::context& c, z3::solver& solver, RequestDomain domain)
    : c_(c),
      solver_(solver),
      domain_(std::move(domain)),
      mtls_(c.bool_const("mtls")),
      token_valid_(c.bool_const("token_valid")),
      token_invalid_(c.bool_const("token_invalid")),
      port_(c.bv_const("port", kPortBits)) {
  add_domain_facts();
}

void RequestVars::add_domain_facts() {
  solver_.add(!(token_valid_ && token_invalid_));
  if (!domain_.tokens)
    solver_.add(!token_valid_ && !token_invalid_);
  else if (!domain_.invalid_tokens)
    solver_.add(!token_invalid_);
  if (domain_.port) {
    solver_.add(*domain_.port <= 65535 ? port_ == c_.bv_val(*domain_.port, kPortBits) : c_.bool_val(false));
  } else {
    for (uint32_t p : domain_.excluded_ports)
      if (p <= 65535) solver_.add(port_ != c_.bv_val(p, kPortBits));
  }
}

std::string RequestVars::fresh_name(const std::string& stem) { return stem + "!" + std::to_string(names_++); }

z3::expr RequestVars::named(const std::string& name, const z3::expr& definition) {
  z3::expr v = c_.bool_const(fresh_name(name).c_str());
  solver_.add(v == definition);
  return v;
}

void RequestVars::declare(const ir::Atom& a) {
  if (is_string_kind(a.attr)) {
    if (auto s = string_atom(a)) register_string_atom(string_attr(a.attr, a.key), *s, sealed_);
  } else if (ir::attribute_kind(a.attr) == AttributeKind::Ip) {
    ip_attr(a.attr);
  }
}

void RequestVars::declare_string(Attribute attr, const std::string& key, const StrAtom& a) {
  register_string_atom(string_attr(attr, key), a, sealed_);
}

void RequestVars::seal() {
  if (sealed_) return;
  for (auto& [k, sa] : strings_) add_axioms(sa);
  sealed_ = true;
}

StringAttr& RequestVars::string_attr(Attribute attr, const std::string& key) {
  auto it = strings_.find({attr, key});
  if (it != strings_.end()) return it->second;
  std::string stem = attribute_label(attr, key);
  StringAttr sa{attr, key, attribute_domain(attr), c_.bool_const(fresh_name("defined:" + stem).c_str()), {}, {}, {}};
  // Presence facts (ir.h, request.cpp attribute_value).
  if (ir::attribute_is_peer(attr)) solver_.add(sa.defined == mtls_);                   // IS §8: identity iff mTLS
  if (ir::attribute_http_only(attr) && !domain_.http) solver_.add(!sa.defined);        // absent on TCP (IS §7)
  if (ir::attribute_is_jwt(attr)) solver_.add(z3::implies(sa.defined, token_valid_));  // IS §12
  if (attr == Attribute::Method && domain_.http && domain_.method_always_present) solver_.add(sa.defined);
  StringAttr& out = strings_.emplace(std::make_pair(attr, key), std::move(sa)).first->second;
  const bool path_header = attr == Attribute::Header && key == ":path";  // the normalized path and its query
  if ((attr == Attribute::Path || path_header) && domain_.http && domain_.path_normalization) add_path_facts(out);
  return out;
}

// The paths the filters see (ir/path.h): Envoy answers a request without a path itself, and a normalized
// path starts with '/'. The implicit atom `prefix "/"` makes every witness start with it; atoms no
// normalized path satisfies are false (possible_path_atom). Completeness: a witness is an exact value
// (possible, so normalized) or p* + m + s*, where p* and s* are possible, and m is one character of
// path_middle_characters(): no hex digit, '%', '.', '/', '\' or escaped character, so m neither completes
// an escape of p*'s tail or s*'s head nor makes a dot segment or a "//" with them, and normalizing the
// whole changes nothing that normalizing p* + m and m + s* alone would not — which is nothing.
void RequestVars::add_path_facts(StringAttr& sa) {
  solver_.add(sa.defined);
  size_t slash = register_string_atom(sa, StrAtom{StrOp::Prefix, "/"}, sealed_);
  solver_.add(sa.vars[slash]);
}

bool RequestVars::possible_path_atom(const StrAtom& a) const {
  const ir::PathNormalization mode = *domain_.path_normalization;
  switch (a.op) {
    case StrOp::Exact:
      return ir::is_normalized_path(a.value, mode);
    case StrOp::Prefix:
      return ir::normalized_prefix_possible(a.value, mode);
    case StrOp::Suffix:
      return ir::normalized_suffix_possible(a.value, mode);
    default:
      return true;
  }
}

IpAttr& RequestVars::make_ip_attr(Attribute a) {
  auto it = ips_.find(a);
  if (it != ips_.end()) return it->second;
  std::string stem = ir::attribute_name(a);
  IpAttr ip{c_.bool_const(fresh_name("defined:" + stem).c_str()),
            c_.bool_const(fresh_name("v6:" + stem).c_str()),
            c_.bv_const(fresh_name("ip:" + stem).c_str(), 128),
            {}};
  // An IPv4 address is stored in the top 32 bits with the rest zero, as ir::IpAddress does.
  solver_.add(z3::implies(!ip.is6, ip.bits.extract(95, 0) == c_.bv_val(0, 96)));
  return ips_.emplace(a, ip).first->second;
}

IpAttr& RequestVars::ip_attr(Attribute attr) {
  if (attr == Attribute::SourceIp || attr == Attribute::RemoteIp) {
    bool fresh = !ips_.count(Attribute::SourceIp);
    IpAttr& src = make_ip_attr(Attribute::SourceIp);
    IpAttr& rem = make_ip_attr(Attribute::RemoteIp);
    // remote.ip defaults to source.ip, so it exists whenever source.ip does (request.cpp).
    if (fresh) solver_.add(z3::implies(src.defined, rem.defined));
  }
  return make_ip_attr(attr);
}

size_t RequestVars::register_string_atom(StringAttr& sa, const StrAtom& a, bool with_axioms) {
  auto it = sa.index.find(a);
  if (it != sa.index.end()) return it->second;
  size_t i = sa.atoms.size();
  sa.atoms.push_back(a);
  sa.index.emplace(a, i);
  std::string stem = attribute_label(sa.attr, sa.key) + ":" + to_string(a.op) + ":" + a.value;
  sa.vars.push_back(c_.bool_const(fresh_name(stem).c_str()));
  if (sa.attr == Attribute::Path && domain_.http && domain_.path_normalization && !possible_path_atom(a))
    solver_.add(!sa.vars.back());  // no path Envoy hands to the filters satisfies it
  // An atom added after seal() (by a query): the whole attribute's axioms again, with fresh auxiliaries.
  // The earlier clauses stay; they are valid facts about strings, so keeping them is sound, and the new
  // set alone is complete.
  if (with_axioms) add_axioms(sa);
  return i;
}

void RequestVars::add_axioms(StringAttr& sa) {
  // Few atoms: the pairwise clauses need no auxiliary variables (a smaller model to read back); many
  // atoms: the linear encoding avoids the quadratic blow-up. Both allow the same assignments
  // (test/symbolic/strings_test.cpp checks it).
  StrEncoding enc;
  if (sa.atoms.size() <= 16)
    enc.clauses = string_axioms(sa.atoms, sa.domain);
  else
    enc = string_axioms_linear(sa.atoms, sa.domain);
  std::vector<z3::expr> vars = sa.vars;
  vars.push_back(sa.defined);
  for (uint32_t k = 0; k < enc.aux_vars; ++k) vars.push_back(c_.bool_const(fresh_name("aux").c_str()));
  for (const StrClause& cl : enc.clauses) solver_.add(clause_expr(c_, cl, vars));
}

// A CIDR is masked equality: D, the family, and the top prefix_len bits of the 128-bit vector equal to
// the base's (for IPv4 the low 96 bits are zero on both sides, so a prefix beyond 32 still agrees with
// Cidr::contains).
z3::expr RequestVars::cidr_expr(Attribute attr, const ir::Cidr& cidr) {
  IpAttr& ip = ip_attr(attr);
  auto known = ip.cidrs.find(cidr);
  if (known != ip.cidrs.end()) return known->second;
  z3::expr family = cidr.base.v6 ? ip.is6 : !ip.is6;  // Cidr::contains: no cross-family match
  unsigned n = std::min<unsigned>(cidr.prefix_len, 128);
  auto [hi, lo] = ip_halves(cidr.base);
  z3::expr want = n == 0    ? c_.bool_val(true)
                  : n <= 64 ? c_.bv_val(n == 64 ? hi : hi >> (64 - n), n)
                            : z3::concat(c_.bv_val(hi, 64), c_.bv_val(n == 128 ? lo : lo >> (128 - n), n - 64));
  z3::expr inside = n == 0 ? ip.defined && family : ip.defined && family && ip.bits.extract(127, 128 - n) == want;
  // Named, so that the witness canonicalization sees its truth as a Boolean (the bits are chosen
  // afterwards, concretely).
  z3::expr v = named(std::string("cidr:") + ir::attribute_name(attr) + ":" + cidr.to_string(), inside);
  ip.cidrs.emplace(cidr, v);
  return v;
}

z3::expr RequestVars::port_expr(uint32_t port) {
  if (port > 65535) return c_.bool_val(false);  // no request uses it
  if (auto it = port_atoms_.find(port); it != port_atoms_.end()) return it->second;
  z3::expr v = named("port:" + std::to_string(port), port_ == c_.bv_val(port, kPortBits));
  return port_atoms_.emplace(port, v).first->second;
}

z3::expr RequestVars::atom(const ir::Atom& a) {
  switch (ir::attribute_kind(a.attr)) {
    case AttributeKind::String:
    case AttributeKind::Set: {
      auto s = string_atom(a);
      if (!s) return c_.bool_val(false);
      StringAttr& sa = string_attr(a.attr, a.key);
      return sa.vars[register_string_atom(sa, *s, sealed_)];
    }
    case AttributeKind::Ip:
      return a.op == ir::Op::Cidr ? cidr_expr(a.attr, a.cidr) : c_.bool_val(false);
    case AttributeKind::Port:
      return a.op == ir::Op::PortEq ? port_expr(a.port) : c_.bool_val(false);
  }
  return c_.bool_val(false);
}

z3::expr RequestVars::token(ir::TokenState t) const {
  switch (t) {
    case ir::TokenState::None:
      return !token_valid_ && !token_invalid_;
    case ir::TokenState::Valid:
      return token_valid_;
    case ir::TokenState::Invalid:
      return token_invalid_;
  }
  return c_.bool_val(false);
}

std::vector<z3::expr> RequestVars::pin(const ir::Request& request, const ir::Request& seen, ir::Protocol protocol) {
  std::vector<z3::expr> out;
  auto lit = [](const z3::expr& v, bool value) { return value ? v : !v; };
  out.push_back(lit(mtls_, request.mtls));
  out.push_back(lit(token_valid_, seen.token == ir::TokenState::Valid));
  out.push_back(lit(token_invalid_, seen.token == ir::TokenState::Invalid));
  out.push_back(request.port <= 65535 ? port_ == c_.bv_val(request.port, kPortBits) : c_.bool_val(false));
  for (auto& [k, sa] : strings_) {
    ir::AttributeValue v = ir::attribute_value(seen, sa.attr, sa.key, protocol);
    out.push_back(lit(sa.defined, v.present));
    for (size_t i = 0; i < sa.atoms.size(); ++i) {
      bool holds = v.present && (sa.domain.set_valued ? str_atom_holds_on_set(sa.atoms[i], v.set)
                                                      : str_atom_holds(sa.atoms[i], v.str));
      out.push_back(lit(sa.vars[i], holds));
    }
  }
  for (auto& [attr, ip] : ips_) {
    ir::AttributeValue v = ir::attribute_value(seen, attr, "", protocol);
    out.push_back(lit(ip.defined, v.present));
    if (!v.present) continue;
    auto [hi, lo] = ip_halves(v.ip);
    out.push_back(lit(ip.is6, v.ip.v6));
    out.push_back(ip.bits == z3::concat(c_.bv_val(hi, 64), c_.bv_val(lo, 64)));
  }
  return out;
}

size_t RequestVars::atom_count() const {
  size_t n = ips_.size();
  for (const auto& [k, sa] : strings_) n += sa.atoms.size();
  return n;
}

}  // namespace meshproof::engine::detail
