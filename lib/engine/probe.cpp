#include "engine/probe.h"

#include <algorithm>

#include "engine/symbolic_encoder.h"
#include "engine/symbolic_strings.h"

namespace meshproof::engine::detail {

namespace {

using ir::Attribute;
using ir::Op;

// A value that satisfies one string atom on its own ("" when no literal can: opaque ops).
bool literal_for(const ir::Atom& a, std::string& out) {
  switch (a.op) {
    case Op::Exact:
      out = a.value;
      return true;
    case Op::Prefix:
      out = a.value + "x";
      return true;
    case Op::Suffix:
      out = "x" + a.value;
      return true;
    case Op::Present:
      out = "x";
      return true;
    default:
      return false;
  }
}

// Applies one positive atom to the request; false when a literal value cannot stand for it.
bool apply(const ir::Atom& a, ir::Request& r) {
  if (a.op == Op::Cidr) {
    if (a.attr == Attribute::SourceIp)
      r.source_ip = a.cidr.base;
    else if (a.attr == Attribute::RemoteIp)
      r.remote_ip = a.cidr.base;
    else if (a.attr == Attribute::DestinationIp)
      r.destination_ip = a.cidr.base;
    else
      return false;
    return true;
  }
  if (a.op == Op::PortEq) {
    r.port = a.port;
    return true;
  }
  std::string v;
  if (!literal_for(a, v)) return false;
  switch (a.attr) {
    case Attribute::PeerTrustDomain:
      r.mtls = true;
      r.peer_trust_domain = v;
      return true;
    case Attribute::PeerNamespace:
      r.mtls = true;
      r.peer_namespace = v;
      return true;
    case Attribute::PeerServiceAccount:
      r.mtls = true;
      r.peer_service_account = v;
      return true;
    case Attribute::ConnectionSni:
      r.sni = v;
      return true;
    case Attribute::Method:
      r.method = v;
      return true;
    case Attribute::Path:
      r.path = v;
      return true;
    case Attribute::Host:
      r.host = v;
      return true;
    case Attribute::Header:
      r.headers[a.key] = v;
      return true;
    case Attribute::AuthIssuer:
      r.token = ir::TokenState::Valid;
      r.jwt_issuer = v;
      return true;
    case Attribute::AuthSubject:
      r.token = ir::TokenState::Valid;
      r.jwt_subject = v;
      return true;
    case Attribute::AuthAudiences:
      r.token = ir::TokenState::Valid;
      r.audiences.push_back(v);
      return true;
    case Attribute::AuthPresenters:
      r.token = ir::TokenState::Valid;
      r.presenters.push_back(v);
      return true;
    case Attribute::AuthClaim:
      r.token = ir::TokenState::Valid;
      r.claims[a.key].push_back(v);
      return true;
    case Attribute::Metadata:
      r.metadata[a.key].push_back(v);
      return true;
    default:
      return false;
  }
}

// Satisfies the positive matches of a clause with the first term that can be written as literals.
bool apply(const ir::Clause& c, ir::Request& r) {
  for (const ir::Match& m : c.matches) {
    if (m.negated) continue;  // a generic value usually avoids it; the replay decides
    bool done = false;
    for (const ir::Term& t : m.terms) {
      if (t.is_false) continue;
      ir::Request trial = r;
      bool ok = true;
      for (const ir::Atom& a : t.atoms) ok = ok && apply(a, trial);
      if (ok) {
        r = std::move(trial);
        done = true;
        break;
      }
    }
    if (!done) return false;
  }
  return true;
}

uint32_t undeclared_port(const std::vector<uint32_t>& declared) {
  for (uint32_t p = 1;; ++p)
    if (std::find(declared.begin(), declared.end(), p) == declared.end()) return p;
}

bool strings_in_domain(Attribute a, const std::vector<std::string>& values) {
  StrDomain d = attribute_domain(a);
  for (const std::string& v : values)
    if ((d.empty_is_absent && v.empty()) || !in_domain(v, d)) return false;
  return true;
}

bool string_in_domain(Attribute a, const std::string& v) {
  return v.empty() || strings_in_domain(a, {v});  // "" is absent
}

}  // namespace

std::vector<ir::Request> probe_requests(const ir::Program& program, const ir::Rule& rule, bool mtls,
                                        const std::vector<uint32_t>& declared_ports, size_t max) {
  ir::Request base;
  base.port = program.port != 0 ? program.port : undeclared_port(declared_ports);
  if (program.protocol == ir::Protocol::Http) {
    base.method = "GET";
    base.path = "/";
  }
  if (mtls) base.set_principal("cluster.local/ns/meshproof-probe/sa/meshproof-probe");
  if (program.has_request_authentication && program.protocol == ir::Protocol::Http) {
    // A rule on JWT attributes needs a token an accepted issuer signed.
    for (const ir::JwtIssuer& j : program.jwt_issuers)
      if (!j.issuer.empty()) {
        base.jwt_issuer = j.issuer;
        if (!j.audiences.empty()) base.audiences.push_back(j.audiences.front());
        break;
      }
  }
  std::vector<ir::Request> out;
  for (const ir::Clause& from : rule.principals)
    for (const ir::Clause& to : rule.permissions) {
      if (out.size() >= max) return out;
      ir::Request r = base;
      if (!apply(from, r) || !apply(to, r)) continue;
      if (r.token != ir::TokenState::Valid) {
        r.jwt_issuer.clear();
        r.audiences.clear();
      } else if (r.jwt_issuer.empty()) {
        continue;  // a token needs an issuer the workload accepts; leave it to the solver
      }
      if (!mtls && r.mtls) continue;  // the rule needs a peer identity: no plaintext candidate
      out.push_back(std::move(r));
    }
  return out;
}

bool request_in_domain(const ir::Program& program, const ir::Request& r, const EngineOptions& options) {
  const RequestDomain domain = program_domain(program, options);
  const bool http = domain.http;
  if (domain.port ? r.port != *domain.port
                  : r.port > 65535 || std::find(domain.excluded_ports.begin(), domain.excluded_ports.end(), r.port) !=
                                          domain.excluded_ports.end())
    return false;
  if (r.mtls != !r.peer_trust_domain.empty() || r.mtls != !r.peer_namespace.empty() ||
      r.mtls != !r.peer_service_account.empty())
    return false;
  if (!string_in_domain(Attribute::PeerTrustDomain, r.peer_trust_domain) ||
      !string_in_domain(Attribute::PeerNamespace, r.peer_namespace) ||
      !string_in_domain(Attribute::PeerServiceAccount, r.peer_service_account) ||
      !string_in_domain(Attribute::ConnectionSni, r.sni))
    return false;
  if (r.token != ir::TokenState::None && !domain.tokens) return false;
  if (!http) return true;  // HTTP attributes are ignored on TCP
  if (domain.method_always_present && r.method.empty()) return false;
  // The path the filters see is normalized and always present (symbolic_encoder.h path_normalization).
  if (domain.path_normalization && !ir::is_normalized_path(r.path, *domain.path_normalization)) return false;
  if (!string_in_domain(Attribute::Method, r.method) || !string_in_domain(Attribute::Path, r.path) ||
      !string_in_domain(Attribute::Host, r.host) || !string_in_domain(Attribute::AuthIssuer, r.jwt_issuer) ||
      !string_in_domain(Attribute::AuthSubject, r.jwt_subject) ||
      !strings_in_domain(Attribute::AuthAudiences, r.audiences) ||
      !strings_in_domain(Attribute::AuthPresenters, r.presenters))
    return false;
  for (const auto& [k, v] : r.headers)
    if (!strings_in_domain(Attribute::Header, {v})) return false;
  for (const auto& [k, v] : r.claims)
    if (!strings_in_domain(Attribute::AuthClaim, v)) return false;
  for (const auto& [k, v] : r.metadata)
    if (!strings_in_domain(Attribute::Metadata, v)) return false;
  return true;
}

}  // namespace meshproof::engine::detail
