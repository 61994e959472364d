#include "ir/request_text.h"

#include <algorithm>
#include <cctype>

namespace meshproof::ir {

namespace {

std::optional<std::string> parse_ip_flag(const char* flag, const std::string& text, std::optional<IpAddress>& out) {
  if (text.empty()) return std::nullopt;
  auto ip = parse_ip(text);
  if (!ip) return std::string(flag) + ": \"" + text + "\" is not an IPv4 or IPv6 address";
  out = *ip;
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> split_kv(const std::string& s) {
  size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  return std::make_pair(s.substr(0, eq), s.substr(eq + 1));
}

std::string shell_quote(const std::string& s) {
  bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string("-_./:=@,+%").find(static_cast<char>(c)) != std::string::npos;
  });
  if (safe) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::optional<std::string> build_request(const RequestFlags& f, Request& out) {
  Request r;
  if (!f.principal.empty() && !r.set_principal(f.principal))
    return "--principal: \"" + f.principal +
           "\" is not a mesh identity; expected TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT";
  if (auto e = parse_ip_flag("--source-ip", f.source_ip, r.source_ip)) return e;
  if (auto e = parse_ip_flag("--remote-ip", f.remote_ip, r.remote_ip)) return e;
  if (auto e = parse_ip_flag("--destination-ip", f.destination_ip, r.destination_ip)) return e;
  r.sni = f.sni;
  r.port = f.port;
  r.method = f.method;
  r.path = f.path;  // raw: the program normalizes it as Envoy does (ir/path.h)
  r.host = f.host;
  for (const auto& h : f.headers) {
    auto kv = split_kv(h);
    if (!kv) return "--header: \"" + h + "\" is not NAME=VALUE";
    std::string name = kv->first;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    // Pseudo-headers are the request's own fields (a later --method/--path/--host gives way to them).
    if (name == ":method")
      r.method = kv->second;
    else if (name == ":path")
      r.path = kv->second;
    else if (name == ":authority")
      r.host = kv->second;
    else
      r.headers[name] = kv->second;
  }
  if (f.invalid_token && !f.request_principal.empty())
    return "--invalid-token and --request-principal cannot be combined";
  if (f.invalid_token) r.token = TokenState::Invalid;
  if (!f.request_principal.empty()) {
    if (f.request_principal.find('/') == std::string::npos)
      return "--request-principal: \"" + f.request_principal + "\" is not ISSUER/SUBJECT";
    r.set_request_principal(f.request_principal);
  }
  bool token_detail = !f.claims.empty() || !f.audiences.empty() || !f.presenters.empty();
  if (token_detail && r.token != TokenState::Valid)
    return "--claim, --audience and --presenter describe a token: give --request-principal ISSUER/SUBJECT too";
  for (const auto& c : f.claims) {
    auto kv = split_kv(c);
    if (!kv) return "--claim: \"" + c + "\" is not CLAIM=VALUE";
    // iss/sub/aud/azp are the token's own fields (one JWT payload): keep a single source of truth.
    if (kv->first == "iss" || kv->first == "sub")
      return "--claim " + kv->first + ": give the issuer and subject with --request-principal ISSUER/SUBJECT";
    if (kv->first == "aud")
      r.audiences.push_back(kv->second);
    else if (kv->first == "azp")
      r.presenters.push_back(kv->second);
    else
      r.claims[kv->first].push_back(kv->second);
  }
  r.audiences.insert(r.audiences.end(), f.audiences.begin(), f.audiences.end());
  r.presenters.insert(r.presenters.end(), f.presenters.begin(), f.presenters.end());
  out = std::move(r);
  return std::nullopt;
}

std::string to_query_args(const Request& r) {
  std::vector<std::string> a;
  auto add = [&](const std::string& flag, const std::string& v) {
    a.push_back(flag);
    a.push_back(shell_quote(v));
  };
  if (r.port) add("--port", std::to_string(r.port));
  if (r.mtls)
    add("--principal", r.principal());
  else
    a.push_back("--plaintext");
  if (r.source_ip) add("--source-ip", r.source_ip->to_string());
  if (r.remote_ip) add("--remote-ip", r.remote_ip->to_string());
  if (r.destination_ip) add("--destination-ip", r.destination_ip->to_string());
  if (!r.sni.empty()) add("--sni", r.sni);
  if (!r.method.empty()) add("--method", r.method);
  if (!r.path.empty()) add("--path", r.path);
  if (!r.host.empty()) add("--host", r.host);
  for (const auto& [k, v] : r.headers) add("--header", k + "=" + v);
  if (r.token == TokenState::Invalid) a.push_back("--invalid-token");
  if (r.token == TokenState::Valid) {
    add("--request-principal", r.jwt_issuer + "/" + r.jwt_subject);
    for (const auto& [k, vs] : r.claims)
      for (const auto& v : vs) add("--claim", k + "=" + v);
    for (const auto& v : r.audiences) add("--audience", v);
    for (const auto& v : r.presenters) add("--presenter", v);
  }
  std::string out;
  for (const auto& s : a) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace meshproof::ir
