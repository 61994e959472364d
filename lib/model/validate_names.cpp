#include "model/validate_names.h"

#include <cctype>
#include <regex>

#include "base/text.h"

namespace meshproof::model::detail {

bool in(const std::string& v, std::initializer_list<const char*> values) {
  for (const char* x : values)
    if (v == x) return true;
  return false;
}

bool known_protocol(const std::string& p) {
  return in(ascii_lower(p), {"http", "https", "http2", "grpc", "grpc-web", "tcp", "tls", "mongo", "redis", "mysql",
                             "udp", "http_proxy"});
}

bool dns_label(const std::string& l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

std::string wildcard_domain_problem(const std::string& host) {
  if (host.size() > 255) return "domain name \"" + host + "\" too long (max 255)";
  if (host == "*") return "";
  std::string rest = host;
  if (rest.rfind("*.", 0) == 0) rest = rest.substr(2);
  if (rest.empty()) return "empty domain name not allowed";
  for (const std::string& label : split(rest, '.'))
    if (!dns_label(label)) return "domain name \"" + host + "\" invalid (label \"" + label + "\" invalid)";
  return "";
}

std::string field_index(const std::string& field, size_t i) { return field + "[" + std::to_string(i) + "]"; }

bool gateway_api_hostname(const std::string& h) {
  static const std::regex re("^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  return !h.empty() && h.size() <= 253 && std::regex_match(h, re);
}

}  // namespace meshproof::model::detail
