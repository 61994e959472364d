#include "ir/ir.h"

namespace meshproof::ir {

AttributeKind attribute_kind(Attribute a) {
  switch (a) {
    case Attribute::SourceIp:
    case Attribute::RemoteIp:
    case Attribute::DestinationIp:
      return AttributeKind::Ip;
    case Attribute::DestinationPort:
      return AttributeKind::Port;
    case Attribute::AuthAudiences:
    case Attribute::AuthPresenters:
    case Attribute::AuthClaim:
    case Attribute::Metadata:
      return AttributeKind::Set;
    default:
      return AttributeKind::String;
  }
}

const char* attribute_name(Attribute a) {
  switch (a) {
    case Attribute::PeerTrustDomain:
      return "peer.trust_domain";
    case Attribute::PeerNamespace:
      return "peer.namespace";
    case Attribute::PeerServiceAccount:
      return "peer.service_account";
    case Attribute::SourceIp:
      return "source.ip";
    case Attribute::RemoteIp:
      return "remote.ip";
    case Attribute::DestinationIp:
      return "destination.ip";
    case Attribute::DestinationPort:
      return "destination.port";
    case Attribute::ConnectionSni:
      return "connection.sni";
    case Attribute::Method:
      return "request.method";
    case Attribute::Path:
      return "request.path";
    case Attribute::Host:
      return "request.host";
    case Attribute::Header:
      return "request.headers";
    case Attribute::AuthIssuer:
      return "request.auth.issuer";
    case Attribute::AuthSubject:
      return "request.auth.subject";
    case Attribute::AuthAudiences:
      return "request.auth.audiences";
    case Attribute::AuthPresenters:
      return "request.auth.presenter";
    case Attribute::AuthClaim:
      return "request.auth.claims";
    case Attribute::Metadata:
      return "experimental";
  }
  return "?";
}

bool attribute_http_only(Attribute a) {
  switch (a) {
    case Attribute::Method:
    case Attribute::Path:
    case Attribute::Host:
    case Attribute::Header:
      return true;
    default:
      return attribute_is_jwt(a);
  }
}

bool attribute_is_peer(Attribute a) {
  return a == Attribute::PeerTrustDomain || a == Attribute::PeerNamespace || a == Attribute::PeerServiceAccount;
}

bool attribute_is_jwt(Attribute a) {
  return a == Attribute::AuthIssuer || a == Attribute::AuthSubject || a == Attribute::AuthAudiences ||
         a == Attribute::AuthPresenters || a == Attribute::AuthClaim;
}

bool attribute_keyed(Attribute a) {
  return a == Attribute::Header || a == Attribute::AuthClaim || a == Attribute::Metadata;
}

const char* op_name(Op o) {
  switch (o) {
    case Op::Exact:
      return "exact";
    case Op::Prefix:
      return "prefix";
    case Op::Suffix:
      return "suffix";
    case Op::Present:
      return "present";
    case Op::Glob:
      return "glob";
    case Op::PathTemplate:
      return "path_template";
    case Op::Regex:
      return "regex";
    case Op::Cidr:
      return "cidr";
    case Op::PortEq:
      return "port";
  }
  return "?";
}

bool glob_match(const std::string& pattern, const std::string& value) {
  // Classic two-pointer wildcard match with backtracking to the last '*'; '*' matches any sequence.
  size_t p = 0, v = 0, star = std::string::npos, mark = 0;
  while (v < value.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = v;
    } else if (p < pattern.size() && pattern[p] == value[v]) {
      ++p;
      ++v;
    } else if (star != std::string::npos) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string to_string(const Atom& a) {
  std::string name = attribute_name(a.attr);
  if (attribute_keyed(a.attr)) name += "[" + a.key + "]";
  bool set = attribute_kind(a.attr) == AttributeKind::Set;
  switch (a.op) {
    case Op::Exact:
      return name + (set ? " contains " : " == ") + quoted(a.value);
    case Op::Prefix:
      return name + (set ? " has element with prefix " : " starts with ") + quoted(a.value);
    case Op::Suffix:
      return name + (set ? " has element with suffix " : " ends with ") + quoted(a.value);
    case Op::Present:
      return name + (set ? " is non-empty" : " is present");
    case Op::Glob:
      return name + " matches glob " + quoted(a.value);
    case Op::PathTemplate:
      return name + " matches template " + quoted(a.value);
    case Op::Regex:
      return name + " matches regex " + quoted(a.value);
    case Op::Cidr:
      return name + " in " + a.cidr.to_string();
    case Op::PortEq:
      return name + " == " + std::to_string(a.port);
  }
  return name;
}

Atom make_atom(Attribute attr, Op op, std::string value, std::string key) {
  Atom a;
  a.attr = attr;
  a.op = op;
  a.value = std::move(value);
  a.key = std::move(key);
  return a;
}

Atom make_cidr_atom(Attribute attr, const Cidr& c) {
  Atom a;
  a.attr = attr;
  a.op = Op::Cidr;
  a.cidr = c;
  a.value = c.to_string();
  return a;
}

Atom make_port_atom(uint32_t port) {
  Atom a;
  a.attr = Attribute::DestinationPort;
  a.op = Op::PortEq;
  a.port = port;
  a.value = std::to_string(port);
  return a;
}

const char* to_string(DropKind k) {
  switch (k) {
    case DropKind::RuleDropped:
      return "rule-dropped";
    case DropKind::ItemDropped:
      return "item-dropped";
    case DropKind::ClauseWidened:
      return "clause-widened";
    case DropKind::PolicyNotEnforced:
      return "policy-not-enforced";
    case DropKind::ValueUnmatchable:
      return "value-unmatchable";
    case DropKind::ValueWidened:
      return "value-widened";
  }
  return "?";
}

std::string Rule::display() const { return policy.display() + " rules[" + std::to_string(index) + "]"; }

const char* to_string(Protocol p) { return p == Protocol::Http ? "HTTP" : "TCP"; }

const char* to_string(CustomMode m) {
  switch (m) {
    case CustomMode::None:
      return "none";
    case CustomMode::Delegate:
      return "delegate";
    case CustomMode::FailClosed:
      return "fail-closed";
  }
  return "?";
}

const Program* PortPrograms::view(Protocol p) const {
  for (const auto& v : views)
    if (v.protocol == p) return &v;
  return nullptr;
}

const PortPrograms* WorkloadPrograms::find_port(uint32_t port) const {
  const PortPrograms* rest = nullptr;
  for (const auto& p : ports) {
    if (p.port == port) return &p;
    if (p.port == 0) rest = &p;
  }
  return rest;
}

}  // namespace meshproof::ir
