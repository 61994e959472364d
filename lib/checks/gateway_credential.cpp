#include "checks/gateway_credential.h"

#include <optional>
#include <string_view>
#include <vector>

#include "base/base64.h"
#include "base/text.h"

namespace meshproof::checks {
namespace {

// One DER element: its tag, its content, and what follows it.
struct Element {
  unsigned char tag = 0;
  std::string_view content;
  std::string_view rest;
};

std::optional<Element> read_element(std::string_view der) {
  if (der.size() < 2) return std::nullopt;
  Element e;
  e.tag = static_cast<unsigned char>(der[0]);
  size_t length = static_cast<unsigned char>(der[1]);
  size_t header = 2;
  if (length & 0x80) {
    size_t bytes = length & 0x7F;
    if (bytes == 0 || bytes > 4 || der.size() < 2 + bytes) return std::nullopt;
    length = 0;
    for (size_t i = 0; i < bytes; ++i) length = (length << 8) | static_cast<unsigned char>(der[2 + i]);
    header += bytes;
  }
  if (der.size() - header < length) return std::nullopt;
  e.content = der.substr(header, length);
  e.rest = der.substr(header + length);
  return e;
}

// "YYYY-MM-DD" of a UTCTime (YYMMDDhhmmssZ, years 1950-2049) or GeneralizedTime (YYYYMMDDhhmmssZ).
std::optional<std::string> time_date(const Element& t) {
  std::string_view v = t.content;
  std::string year;
  if (t.tag == 0x17 && v.size() >= 6) {
    year = (v[0] >= '5' ? "19" : "20") + std::string(v.substr(0, 2));
    v.remove_prefix(2);
  } else if (t.tag == 0x18 && v.size() >= 8) {
    year = std::string(v.substr(0, 4));
    v.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  return year + "-" + std::string(v.substr(0, 2)) + "-" + std::string(v.substr(2, 2));
}

// The validity dates of one DER certificate, and what follows it; nullopt when it is not one.
struct Validity {
  std::string not_before, not_after;
  std::string_view rest;
};

std::optional<Validity> parse_certificate(std::string_view der) {
  auto cert = read_element(der);
  if (!cert || cert->tag != 0x30) return std::nullopt;
  auto tbs = read_element(cert->content);
  if (!tbs || tbs->tag != 0x30) return std::nullopt;
  auto field = read_element(tbs->content);
  if (field && field->tag == 0xA0) field = read_element(field->rest);  // [0] version
  // serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name, then validity.
  const unsigned char expected[] = {0x02, 0x30, 0x30};
  for (unsigned char tag : expected) {
    if (!field || field->tag != tag) return std::nullopt;
    field = read_element(field->rest);
  }
  if (!field || field->tag != 0x30) return std::nullopt;
  auto not_before = read_element(field->content);
  auto not_after = not_before ? read_element(not_before->rest) : std::nullopt;
  if (!not_after) return std::nullopt;
  auto nb = time_date(*not_before), na = time_date(*not_after);
  auto alg = read_element(tbs->rest);
  auto sig = alg ? read_element(alg->rest) : std::nullopt;
  if (!nb || !na || !sig || alg->tag != 0x30 || sig->tag != 0x03) return std::nullopt;
  return Validity{*nb, *na, cert->rest};
}

// The bytes of the first PEM block (any type, as Go's pem.Decode), or nullopt.
std::optional<std::string> first_pem_block(const std::string& pem) {
  size_t begin = pem.find("-----BEGIN ");
  if (begin == std::string::npos) return std::nullopt;
  size_t body = pem.find("-----", begin + 11);
  if (body == std::string::npos) return std::nullopt;
  body = pem.find('\n', body);
  size_t end = pem.find("-----END ", begin);
  if (body == std::string::npos || end == std::string::npos || end < body) return std::nullopt;
  return base64_decode(std::string_view(pem).substr(body + 1, end - body - 1));
}

bool non_empty(const model::Secret& s, const char* key) {
  auto it = s.values.find(key);
  return it != s.values.end() && !it->second.empty();
}

}  // namespace

std::string certificate_problem(const std::string& pem, const std::string& today) {
  std::optional<std::string> der = first_pem_block(pem);
  if (!der) return "its certificate is not PEM";
  std::string_view rest = *der;
  if (rest.empty()) return "its certificate is not an X.509 certificate";
  while (!rest.empty()) {
    std::optional<Validity> v = parse_certificate(rest);
    if (!v) return "its certificate is not an X.509 certificate";
    if (!today.empty() && v->not_after < today) return "its certificate expired on " + v->not_after;
    if (!today.empty() && v->not_before > today) return "its certificate is not valid before " + v->not_before;
    rest = v->rest;
  }
  return "";
}

std::string credential_problem(const model::Secret& s, const std::string& today) {
  if (s.from_certificate) return "";
  if (non_empty(s, "cert") && non_empty(s, "key")) return certificate_problem(s.values.at("cert"), today);
  if (non_empty(s, "tls.crt") && non_empty(s, "tls.key")) return certificate_problem(s.values.at("tls.crt"), today);
  // Keys written with empty values are a placeholder that something outside the manifests fills (kubectl
  // create secret, an external-secrets controller): the content is not in the input, so it is not judged.
  auto has = [&](const char* k) { return s.values.count(k) > 0; };
  if ((has("cert") && has("key")) || (has("tls.crt") && has("tls.key"))) return "";
  return "it has neither the keys tls.crt and tls.key nor cert and key (it has: " +
         (s.keys.empty() ? std::string("none") : join(s.keys, ", ")) + ")";
}

}  // namespace meshproof::checks
