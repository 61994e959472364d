#include "base/finding.h"

#include <cstdio>
#include <tuple>

namespace meshproof {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

std::optional<Severity> severity_from_string(const std::string& s) {
  if (s == "note") return Severity::Note;
  if (s == "warning") return Severity::Warning;
  if (s == "error") return Severity::Error;
  return std::nullopt;
}

std::string ResourceRef::display() const {
  if (ns.empty()) return kind + " " + name;
  return kind + " " + ns + "/" + name;
}

namespace {
// FNV-1a 64-bit: small, stable across platforms and releases (std::hash is neither).
uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
}  // namespace

std::string make_fingerprint(const std::string& check, const ResourceRef& r, const std::string& key) {
  std::string material = check + '\x1f' + r.kind + '\x1f' + r.ns + '\x1f' + r.name + '\x1f' + key;
  uint64_t a = fnv1a(material);
  uint64_t b = fnv1a(material, a ^ 0x9e3779b97f4a7c15ull);
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buf;
}

bool finding_less(const Finding& a, const Finding& b, const SourceSet& sources) {
  const std::string& fa = sources.file(a.loc.file).display_name;
  const std::string& fb = sources.file(b.loc.file).display_name;
  return std::tie(fa, a.loc.line, a.loc.col, a.check, a.message, a.fingerprint) <
         std::tie(fb, b.loc.line, b.loc.col, b.check, b.message, b.fingerprint);
}

}  // namespace meshproof
