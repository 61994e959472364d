// Representative values (representatives.h).
#include "engine/representatives.h"

#include <algorithm>
#include <map>

#include "engine/evaluate.h"
#include "ir/path.h"

namespace meshproof::engine::detail {

using ir::Attribute;

std::vector<SlotValue> Representatives::ports(const std::vector<uint32_t>& atoms) const {
  std::vector<SlotValue> out;
  if (domain_.port) {
    out.push_back(SlotValue::of_port(*domain_.port));
    return out;
  }
  auto excluded = [&](uint32_t p) {
    return p > 65535 ||
           std::find(domain_.excluded_ports.begin(), domain_.excluded_ports.end(), p) != domain_.excluded_ports.end();
  };
  std::vector<uint32_t> named = atoms;
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  for (uint32_t p : named)
    if (!excluded(p)) out.push_back(SlotValue::of_port(p));
  for (uint32_t p = 1; p <= 65535; ++p)  // one port no atom names
    if (!excluded(p) && !std::binary_search(named.begin(), named.end(), p)) {
      out.push_back(SlotValue::of_port(p));
      break;
    }
  return out;
}

bool Representatives::absent_allowed(Attribute a) const {
  if (a == Attribute::Method) return !(domain_.http && domain_.method_always_present);
  if (a == Attribute::Path)
    return !domain_.path_normalization || ir::is_normalized_path("", *domain_.path_normalization);
  return true;
}

bool Representatives::valid_value(Attribute a, const std::string& v) const {
  const StrDomain d = attribute_domain(a);
  if ((v.empty() && d.empty_is_absent) || !in_domain(v, d)) return false;
  if (a == Attribute::Path && domain_.path_normalization) {
    if (!ir::is_normalized_path(v, *domain_.path_normalization)) return false;
    ir::Request r;
    r.path = v;
    if (effective_request(program_, r).path != v) return false;
  }
  return true;
}

bool Representatives::strings(Attribute a, const std::vector<StrAtom>& atoms, std::vector<SlotValue>& out) const {
  auto add_value = [&](const std::string& v) {
    for (const SlotValue& o : out)
      if (o.present && o.text == v) return;
    out.push_back(SlotValue::of_text(v));
  };
  if (!domain_.http && ir::attribute_http_only(a)) {  // absent on a TCP view
    out.push_back({});
    return true;
  }
  const StrDomain d = attribute_domain(a);
  std::string used;
  std::vector<std::string> prefixes = {""}, suffixes = {""};
  for (const StrAtom& at : atoms) {
    used += at.value;
    if (at.op == StrOp::Prefix) prefixes.push_back(at.value);
    if (at.op == StrOp::Suffix) suffixes.push_back(at.value);
  }
  // Thousands of prefixes times suffixes: the solver is cheaper than enumerating their combinations.
  if (prefixes.size() * suffixes.size() > kMaxRepresentatives) return false;
  const std::string candidates = d.middle_chars.empty() ? std::string("xzqjkvw0123456789") : d.middle_chars;
  const auto fresh = std::find_if(candidates.begin(), candidates.end(), [&](char c) {
    return used.find(c) == std::string::npos && in_domain(std::string(1, c), d);
  });
  if (fresh == candidates.end()) return false;
  if (absent_allowed(a)) out.push_back({});
  if (valid_value(a, "")) add_value("");  // a header present with an empty value
  for (const StrAtom& at : atoms)
    if (at.op == StrOp::Exact && valid_value(a, at.value)) add_value(at.value);
  const bool path = a == Attribute::Path && domain_.path_normalization;
  for (const std::string& p : prefixes)
    for (const std::string& x : suffixes) {
      // Every path the filters see starts with '/': no value has a longest true prefix that does not, and
      // one without a true prefix is '/' + m + s (m is fresh, so no prefix longer than "" holds on it).
      if (path && !p.empty() && p[0] != '/') continue;
      const std::string w = (path && p.empty() ? "/" : p) + *fresh + x;
      if (!valid_value(a, w)) return false;  // another value might share its truths: the solver decides
      add_value(w);
    }
  return true;
}

bool Representatives::sets(Attribute a, const std::vector<StrAtom>& atoms, std::vector<SlotValue>& out,
                           size_t max_sets) const {
  std::vector<SlotValue> singles;
  if (!strings(a, atoms, singles)) return false;
  out.push_back({});                                           // absent
  std::map<std::vector<bool>, std::vector<std::string>> made;  // truths -> the elements that realize them
  std::vector<std::vector<bool>> queue;
  for (const SlotValue& v : singles) {
    if (!v.present) continue;
    std::vector<bool> t;
    for (const StrAtom& at : atoms) t.push_back(str_atom_holds(at, v.text));
    if (made.emplace(t, std::vector<std::string>{v.text}).second) queue.push_back(t);
  }
  const std::vector<std::vector<bool>> elements = queue;
  for (size_t i = 0; i < queue.size(); ++i)  // the closure under union
    for (size_t e = 0; e < elements.size(); ++e) {
      std::vector<bool> t = queue[i];
      for (size_t k = 0; k < t.size(); ++k) t[k] = t[k] || elements[e][k];
      if (made.count(t)) continue;
      if (made.size() >= max_sets) return false;
      std::vector<std::string> with = made.at(queue[i]);
      with.push_back(made.at(elements[e]).front());
      made.emplace(t, std::move(with));
      queue.push_back(std::move(t));
    }
  for (const auto& t : queue) out.push_back(SlotValue::of_set(made.at(t)));
  return true;
}

namespace {

// The first or last address of a CIDR (the bits past its prefix cleared or set).
ir::IpAddress cidr_end(const ir::Cidr& c, bool last) {
  ir::IpAddress a = c.base;
  for (size_t i = std::min<size_t>(c.prefix_len, a.width_bits()); i < a.width_bits(); ++i) {
    const uint8_t bit = static_cast<uint8_t>(1u << (7 - i % 8));
    a.bytes[i / 8] = last ? (a.bytes[i / 8] | bit) : (a.bytes[i / 8] & static_cast<uint8_t>(~bit));
  }
  return a;
}

// The next address of the family; nullopt past its last.
std::optional<ir::IpAddress> next_address(ir::IpAddress a) {
  for (int i = static_cast<int>(a.width_bits() / 8) - 1; i >= 0; --i)
    if (++a.bytes[i] != 0) return a;
  return std::nullopt;
}

}  // namespace

std::vector<SlotValue> Representatives::addresses(const std::vector<ir::Cidr>& cidrs) {
  std::vector<SlotValue> out{SlotValue{}};
  auto add = [&](const ir::IpAddress& a) {
    for (const SlotValue& v : out)
      if (v.present && v.address == a) return;
    SlotValue v;
    v.present = true;
    v.address = a;
    out.push_back(std::move(v));
  };
  for (bool v6 : {false, true}) {
    ir::IpAddress zero;
    zero.v6 = v6;
    add(zero);
  }
  for (const ir::Cidr& c : cidrs) {
    add(cidr_end(c, false));
    if (auto after = next_address(cidr_end(c, true))) add(*after);
  }
  return out;
}

void assign_slot(ir::Request& request, Attribute a, const std::string& key, const SlotValue& v) {
  const std::string text = v.present ? v.text : std::string();
  switch (a) {
    case Attribute::PeerTrustDomain:
      request.peer_trust_domain = text;
      break;
    case Attribute::PeerNamespace:
      request.peer_namespace = text;
      break;
    case Attribute::PeerServiceAccount:
      request.peer_service_account = text;
      break;
    case Attribute::DestinationPort:
      request.port = v.port;
      break;
    case Attribute::ConnectionSni:
      request.sni = text;
      break;
    case Attribute::Method:
      request.method = text;
      break;
    case Attribute::Path:
      request.path = text;
      break;
    case Attribute::Host:
      request.host = text;
      break;
    case Attribute::Header:
      if (v.present)
        request.headers[key] = v.text;
      else
        request.headers.erase(key);
      break;
    case Attribute::SourceIp:
      request.source_ip = v.present ? std::optional<ir::IpAddress>(v.address) : std::nullopt;
      break;
    case Attribute::RemoteIp:
      request.remote_ip = v.present ? std::optional<ir::IpAddress>(v.address) : std::nullopt;
      break;
    case Attribute::DestinationIp:
      request.destination_ip = v.present ? std::optional<ir::IpAddress>(v.address) : std::nullopt;
      break;
    case Attribute::AuthIssuer:
      request.jwt_issuer = text;
      break;
    case Attribute::AuthSubject:
      request.jwt_subject = text;
      break;
    case Attribute::AuthAudiences:
      request.audiences = v.elements;
      break;
    case Attribute::AuthPresenters:
      request.presenters = v.elements;
      break;
    case Attribute::AuthClaim:
      if (v.present)
        request.claims[key] = v.elements;
      else
        request.claims.erase(key);
      break;
    case Attribute::Metadata:
      if (v.present)
        request.metadata[key] = v.elements;
      else
        request.metadata.erase(key);
      break;
  }
}

}  // namespace meshproof::engine::detail
