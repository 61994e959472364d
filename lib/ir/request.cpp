#include "ir/request.h"

#include <algorithm>
#include <cctype>

namespace meshproof::ir {

const char* to_string(TokenState t) {
  switch (t) {
    case TokenState::None:
      return "none";
    case TokenState::Valid:
      return "valid";
    case TokenState::Invalid:
      return "invalid";
  }
  return "?";
}

std::string Request::principal() const {
  if (!mtls) return "";
  return peer_trust_domain + "/ns/" + peer_namespace + "/sa/" + peer_service_account;
}

bool Request::set_principal(const std::string& spiffe_id) {
  std::string s = spiffe_id;
  if (s.rfind("spiffe://", 0) == 0) s = s.substr(9);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    parts.push_back(s.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[1] != "ns" || parts[3] != "sa") return false;
  if (parts[0].empty() || parts[2].empty() || parts[4].empty()) return false;
  mtls = true;
  peer_trust_domain = parts[0];
  peer_namespace = parts[2];
  peer_service_account = parts[4];
  return true;
}

void Request::set_request_principal(const std::string& iss_sub) {
  token = TokenState::Valid;
  size_t slash = iss_sub.rfind('/');
  if (slash == std::string::npos) {
    jwt_issuer = iss_sub;
    jwt_subject.clear();
  } else {
    jwt_issuer = iss_sub.substr(0, slash);
    jwt_subject = iss_sub.substr(slash + 1);
  }
}

namespace {

AttributeValue string_value(const std::string& s) {
  AttributeValue v;
  v.present = !s.empty();
  if (v.present) v.str = s;
  return v;
}

AttributeValue set_value(const std::vector<std::string>& items) {
  AttributeValue v;
  for (const auto& s : items)
    if (!s.empty()) v.set.push_back(s);
  v.present = !v.set.empty();
  return v;
}

AttributeValue ip_value(const std::optional<IpAddress>& ip) {
  AttributeValue v;
  if (ip) {
    v.present = true;
    v.ip = *ip;
  }
  return v;
}

}  // namespace

AttributeValue attribute_value(const Request& r, Attribute attr, const std::string& key, Protocol p) {
  if (p == Protocol::Tcp && attribute_http_only(attr)) return {};
  if (attribute_is_jwt(attr) && r.token != TokenState::Valid) return {};
  if (attribute_is_peer(attr) && !r.mtls) return {};
  switch (attr) {
    case Attribute::PeerTrustDomain:
      return string_value(r.peer_trust_domain);
    case Attribute::PeerNamespace:
      return string_value(r.peer_namespace);
    case Attribute::PeerServiceAccount:
      return string_value(r.peer_service_account);
    case Attribute::SourceIp:
      return ip_value(r.source_ip);
    case Attribute::RemoteIp:
      return ip_value(r.remote_ip ? r.remote_ip : r.source_ip);
    case Attribute::DestinationIp:
      return ip_value(r.destination_ip);
    case Attribute::DestinationPort: {
      AttributeValue v;
      v.present = true;
      v.port = r.port;
      return v;
    }
    case Attribute::ConnectionSni:
      return string_value(r.sni);
    case Attribute::Method:
      return string_value(r.method);
    case Attribute::Path:
      return string_value(r.path);
    case Attribute::Host: {
      std::string h = r.host;
      std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
      return string_value(h);
    }
    case Attribute::Header: {
      // Pseudo-headers are the request's own fields (docs/semantics.md 5.1): `:authority` as sent.
      if (key == ":method") return string_value(r.method);
      if (key == ":path") return string_value(r.path.empty() ? r.path : r.path + r.query);
      if (key == ":authority") return string_value(r.host);
      AttributeValue v;
      auto it = r.headers.find(key);
      if (it != r.headers.end()) {
        v.present = true;  // a header may be present with an empty value (present_match)
        v.str = it->second;
      }
      return v;
    }
    case Attribute::AuthIssuer:
      return string_value(r.jwt_issuer);
    case Attribute::AuthSubject:
      return string_value(r.jwt_subject);
    case Attribute::AuthAudiences:
      return set_value(r.audiences);
    case Attribute::AuthPresenters:
      return set_value(r.presenters);
    case Attribute::AuthClaim: {
      auto it = r.claims.find(key);
      return it == r.claims.end() ? AttributeValue{} : set_value(it->second);
    }
    case Attribute::Metadata: {
      auto it = r.metadata.find(key);
      return it == r.metadata.end() ? AttributeValue{} : set_value(it->second);
    }
  }
  return {};
}

}  // namespace meshproof::ir
