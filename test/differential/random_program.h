// Random decision programs and requests for the differential tests (DESIGN.md §5, Cedar's approach).
// Every value is drawn from a small alphabet, and atom values are cut from request values, so that
// exact/prefix/suffix atoms collide with each other and with requests often.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "ir/request.h"
#include "ir/request_text.h"

namespace meshproof::test {

class RandomPrograms {
 public:
  explicit RandomPrograms(uint64_t seed, bool opaque_atoms = true) : rng_(seed), opaque_(opaque_atoms) {}

  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool chance(int percent) { return pick(100) < percent; }
  template <class T>
  const T& one(const std::vector<T>& xs) {
    return xs[pick(static_cast<int>(xs.size()))];
  }

  // ---- alphabets ----
  const std::vector<std::string> tds{"cluster.local", "td2", "cluster"};
  const std::vector<std::string> nss{"foo", "bar", "foo-x", "f"};
  const std::vector<std::string> sas{"a", "b", "ab", "admin"};
  const std::vector<std::string> methods{"GET", "POST", "G", "PUT"};
  const std::vector<std::string> paths{"/", "/a", "/a/b", "/ab", "/b", "/a/b/c"};
  // Raw request paths as clients send them: dot segments, doubled slashes, escapes (of unreserved characters,
  // of slashes, of a dot), a backslash, upper case, a query, and paths Envoy refuses (`\a`, `%00`).
  const std::vector<std::string> raw_paths{"/a/../b", "/./a",      "//a",   "/a//b", "/a%2Fb", "/a%2fb/c",
                                           "/%61/b",  "/%2e%2e/a", "/a\\b", "/A",    "/a?x=1", "/a/b/..",
                                           "/a%5Cb",  "\\a",       "/a%00", "a",     "/a/%2E", "/ab/"};
  const std::vector<ir::PathNormalization> normalizations{
      ir::PathNormalization::None, ir::PathNormalization::Base, ir::PathNormalization::Base,
      ir::PathNormalization::MergeSlashes, ir::PathNormalization::DecodeAndMergeSlashes};
  const std::vector<std::string> hosts{"x.com", "y.x.com", "X.com", "x.co"};
  const std::vector<std::string> header_keys{"x-a", "x-b"};
  const std::vector<std::string> header_spellings{"X-A", "x-A", "X-B"};  // names as clients write them
  const std::vector<std::string> header_values{"", "1", "12", "2", "21"};
  const std::vector<std::string> issuers{"iss1", "iss2", "https://i/x"};
  const std::vector<std::string> subjects{"u1", "u2", "admin"};
  const std::vector<std::string> audiences{"a1", "a2", "a12"};
  const std::vector<std::string> presenters{"p1", "p2"};
  const std::vector<std::string> claim_keys{"groups", "scope"};
  const std::vector<std::string> claim_values{"g1", "g2", "g12", "read"};
  const std::vector<std::string> snis{"s1", "s1.x", "x.s1"};
  const std::vector<std::string> meta_values{"m1", "m2"};
  const std::vector<std::string> ips{"10.0.0.1",    "10.0.1.1",      "10.1.0.1", "192.168.0.1",
                                     "2001:db8::1", "2001:db8:1::1", "::1"};
  const std::vector<std::string> cidrs{"10.0.0.0/8",    "10.0.0.0/16", "10.0.0.1/32",    "0.0.0.0/0",
                                       "2001:db8::/32", "::/0",        "192.168.0.0/24", "10.0.1.0/24"};
  const std::vector<uint32_t> ports{80, 8080, 9090};

  // ---- atoms ----
  // A value of the attribute's alphabet, or a piece of one (for prefix/suffix collisions).
  std::string piece(const std::vector<std::string>& xs, ir::Op op) {
    std::string v = one(xs);
    if (v.empty() || op == ir::Op::Exact || chance(40)) return v;
    size_t n = 1 + static_cast<size_t>(pick(static_cast<int>(v.size())));
    return op == ir::Op::Prefix ? v.substr(0, n) : v.substr(v.size() - n);
  }

  ir::Atom string_atom(ir::Attribute attr, const std::vector<std::string>& xs, const std::string& key = "") {
    ir::Op op;
    switch (pick(10)) {
      case 0:
      case 1:
      case 2:
      case 3:
        op = ir::Op::Exact;
        break;
      case 4:
      case 5:
        op = ir::Op::Prefix;
        break;
      case 6:
      case 7:
        op = ir::Op::Suffix;
        break;
      default:
        op = ir::Op::Present;
        break;
    }
    std::string v = op == ir::Op::Present ? "" : piece(xs, op);
    return ir::make_atom(attr, op, v, key);
  }

  ir::Atom atom(ir::Protocol protocol) {
    using A = ir::Attribute;
    const bool http = protocol == ir::Protocol::Http;
    for (;;) {
      switch (pick(20)) {
        case 0:
          return string_atom(A::PeerTrustDomain, tds);
        case 1:
        case 2:
          if (opaque_ && chance(15))
            return ir::make_atom(A::PeerNamespace, ir::Op::Glob, one(std::vector<std::string>{"f*x", "*o*", "b*r"}));
          return string_atom(A::PeerNamespace, nss);
        case 3:
          return string_atom(A::PeerServiceAccount, sas);
        case 4: {
          ir::Attribute a = one(std::vector<ir::Attribute>{A::SourceIp, A::RemoteIp, A::DestinationIp});
          return ir::make_cidr_atom(a, *ir::parse_cidr(one(cidrs)));
        }
        case 5:
          return ir::make_port_atom(chance(10) ? 1234 : one(ports));
        case 6:
          return string_atom(A::ConnectionSni, snis);
        case 7:
        case 8:
          if (!http && chance(70)) continue;
          return string_atom(A::Method, methods);
        case 9:
        case 10:
          if (!http && chance(70)) continue;
          if (opaque_ && chance(10))
            return ir::make_atom(A::Path, ir::Op::PathTemplate, one(std::vector<std::string>{"/a/*", "/a/**", "/*/b"}));
          if (opaque_ && chance(5))
            return ir::make_atom(A::Path, ir::Op::Regex, one(std::vector<std::string>{"/a/[a-c]+", "/(a|b)"}));
          return string_atom(A::Path, paths);
        case 11:
          if (!http && chance(70)) continue;
          return string_atom(A::Host, hosts);
        case 12:
          if (!http && chance(70)) continue;
          if (chance(1)) return string_atom(A::Header, paths, ":path");  // the normalized path + query
          if (chance(1)) return string_atom(A::Header, hosts, ":authority");
          return string_atom(A::Header, header_values, one(header_keys));
        case 13:
          return string_atom(A::AuthIssuer, issuers);
        case 14:
          return string_atom(A::AuthSubject, subjects);
        case 15:
          return string_atom(A::AuthAudiences, audiences);
        case 16:
          return string_atom(A::AuthPresenters, presenters);
        case 17:
          return string_atom(A::AuthClaim, claim_values, one(claim_keys));
        case 18:
          return string_atom(A::Metadata, meta_values, "envoy.filters.a.b[c]");
        default:
          return string_atom(A::Method, methods);
      }
    }
  }

  ir::Term term(ir::Protocol p) {
    ir::Term t;
    if (chance(3)) return ir::Term::constant(false);
    int n = chance(75) ? 1 : 2;
    for (int i = 0; i < n; ++i) t.atoms.push_back(atom(p));
    return t;
  }

  ir::Match match(ir::Protocol p) {
    ir::Match m;
    m.negated = chance(30);
    m.field = m.negated ? "notValues" : "values";
    int n = 1 + pick(3);
    for (int i = 0; i < n; ++i) m.terms.push_back(term(p));
    return m;
  }

  ir::Clause clause(ir::ClauseKind kind, ir::Protocol p) {
    ir::Clause c;
    c.kind = kind;
    int n = pick(4);  // 0: match-all
    for (int i = 0; i < n; ++i) c.matches.push_back(match(p));
    return c;
  }

  ir::Rule rule(model::Action action, int index, ir::Protocol p) {
    ir::Rule r;
    r.policy.action = action;
    r.policy.ns = "ns";
    r.policy.name = std::string(model::to_string(action)) + "-" + std::to_string(pick(3));
    r.policy.dry_run =
        (action == model::Action::Allow || action == model::Action::Deny || action == model::Action::Custom) &&
        chance(12);
    r.policy.provider = action == model::Action::Custom ? "ext" : "";
    r.index = index;
    int np = chance(5) ? 0 : chance(80) ? 1 : 2;  // 0: the never-matching `spec: {}` rule shape
    int nq = chance(5) ? 0 : chance(80) ? 1 : 2;
    for (int i = 0; i < np; ++i) r.principals.push_back(clause(ir::ClauseKind::Principal, p));
    for (int i = 0; i < nq; ++i) r.permissions.push_back(clause(ir::ClauseKind::Permission, p));
    return r;
  }

  ir::Program program() {
    ir::Program prog;
    prog.workload = "ns/w" + std::to_string(pick(100));
    prog.protocol = chance(60) ? ir::Protocol::Http : ir::Protocol::Tcp;
    prog.path_normalization = one(normalizations);
    prog.port = chance(20) ? 0 : one(ports);
    prog.mtls = one(std::vector<model::MtlsMode>{model::MtlsMode::Strict, model::MtlsMode::Permissive,
                                                 model::MtlsMode::Permissive, model::MtlsMode::Disable});
    int nc = chance(25) ? 1 + pick(2) : 0;
    for (int i = 0; i < nc; ++i) prog.custom.push_back(rule(model::Action::Custom, i, prog.protocol));
    if (nc) prog.custom_mode = chance(70) ? ir::CustomMode::Delegate : ir::CustomMode::FailClosed;
    int nd = pick(4), na = pick(5), nu = pick(2);
    for (int i = 0; i < nd; ++i) prog.deny.push_back(rule(model::Action::Deny, i, prog.protocol));
    for (int i = 0; i < na; ++i) prog.allow.push_back(rule(model::Action::Allow, i, prog.protocol));
    for (int i = 0; i < nu; ++i) prog.audit.push_back(rule(model::Action::Audit, i, prog.protocol));
    bool enforced_allow =
        std::any_of(prog.allow.begin(), prog.allow.end(), [](const ir::Rule& r) { return !r.policy.dry_run; });
    prog.has_allow_policy = enforced_allow || chance(15);  // an ALLOW policy whose rules were all dropped
    if (prog.protocol == ir::Protocol::Http && chance(40)) {
      prog.has_request_authentication = true;
      int nj = pick(3);
      for (int i = 0; i < nj; ++i) {
        ir::JwtIssuer j;
        j.issuer = chance(20) ? "" : one(issuers);  // "" = a jwtRule with only jwksUri
        if (chance(40)) j.audiences.push_back(one(audiences));
        prog.jwt_issuers.push_back(j);
      }
    }
    return prog;
  }

  // ---- requests ----
  ir::IpAddress ip() { return *ir::parse_ip(one(ips)); }

  ir::Request request(const ir::Program& prog) {
    ir::Request r;
    r.mtls = chance(55);
    if (r.mtls) {  // a SPIFFE id's parts are non-empty and have no '/' (ir.h)
      r.peer_trust_domain = one(tds);
      r.peer_namespace = one(nss);
      r.peer_service_account = one(sas);
    }
    if (chance(85)) r.source_ip = ip();
    if (chance(30)) r.remote_ip = ip();
    if (chance(70)) r.destination_ip = ip();
    r.port = prog.port != 0 ? prog.port : one(std::vector<uint32_t>{1234, 15000, 80});
    if (chance(40)) r.sni = one(snis);
    r.method = one(methods);                            // Envoy always has a method and a path on HTTP (request.h)
    r.path = chance(70) ? one(paths) : one(raw_paths);  // raw: the program normalizes it
    if (chance(60)) r.host = one(hosts);
    // Header names in any case, read as `query --header` reads them (lower-cased).
    ir::RequestFlags flags;
    for (const auto& k : header_spellings)
      if (chance(40)) flags.headers.push_back(k + "=" + one(header_values));
    ir::Request with_headers;
    if (!ir::build_request(flags, with_headers)) r.headers = with_headers.headers;
    int t = pick(10);
    r.token = t < 4 ? ir::TokenState::None : t < 9 ? ir::TokenState::Valid : ir::TokenState::Invalid;
    if (r.token == ir::TokenState::Valid) {
      r.jwt_issuer = chance(95) ? one(issuers) : "";
      r.jwt_subject = chance(90) ? one(subjects) : "";
      for (const auto& a : audiences)
        if (chance(35)) r.audiences.push_back(a);
      for (const auto& p : presenters)
        if (chance(30)) r.presenters.push_back(p);
      for (const auto& k : claim_keys) {
        if (!chance(50)) continue;
        auto& vs = r.claims[k];
        for (const auto& v : claim_values)
          if (chance(35)) vs.push_back(v);
      }
    }
    if (chance(30)) r.metadata["envoy.filters.a.b[c]"] = {one(meta_values)};
    return r;
  }

 private:
  std::mt19937_64 rng_;
  bool opaque_;
};

}  // namespace meshproof::test
