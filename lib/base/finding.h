// What every check produces and every formatter consumes (DESIGN.md §7).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/location.h"

namespace meshproof {

enum class Severity : uint8_t { Note = 0, Warning = 1, Error = 2 };
const char* to_string(Severity s);
std::optional<Severity> severity_from_string(const std::string& s);

// Identifies a Kubernetes object in messages and reports.
struct ResourceRef {
  std::string kind;  // "AuthorizationPolicy", "Deployment", ...
  std::string ns;    // empty for cluster-scoped objects
  std::string name;
  Loc loc;                  // where the object starts (its first key)
  std::string helm_source;  // "# Source:" of the document, when rendered by Helm

  std::string display() const;  // "Kind ns/name" or "Kind name"
  friend bool operator==(const ResourceRef& a, const ResourceRef& b) {
    return a.kind == b.kind && a.ns == b.ns && a.name == b.name;
  }
};

// A concrete request that demonstrates a semantic finding. Built by the engine from a solver model and
// replayed through the concrete evaluator before it is attached (DESIGN.md §5).
struct Witness {
  // Connection
  bool mtls = false;             // false: plaintext, no peer identity
  std::string source_principal;  // "td/ns/NS/sa/SA" when mtls
  std::string source_namespace;  // derived from the principal when mtls
  std::string source_ip;
  std::string remote_ip;    // when it differs from source_ip
  std::string destination;  // "NS/WORKLOAD"
  uint32_t port = 0;
  std::string port_protocol;  // "HTTP" or "TCP"
  std::string destination_ip;
  std::string sni;
  // HTTP request (empty on TCP ports)
  std::string method, path, host;
  std::vector<std::pair<std::string, std::string>> headers;
  // JWT
  bool has_token = false;
  std::string jwt_issuer, jwt_subject;
  std::vector<std::string> audiences, presenters;
  std::vector<std::pair<std::string, std::string>> claims;  // claim path "a.b" -> value
  // Outcome
  std::string decision;    // ALLOW, DENY, DELEGATED, REJECTED
  std::string decided_by;  // "ns/name rule i" or "" when no rule decided
  std::string reproduce;   // `meshproof query ...` command line that reproduces it
};

// One extra location that explains a finding (a shadowing rule, the PeerAuthentication that decided).
struct RelatedLocation {
  std::string message;
  ResourceRef resource;
  Loc loc;
};

struct Finding {
  std::string check;  // kebab-case public name, e.g. "mtls-not-strict"
  std::string id;     // short stable id, e.g. "MP1002"
  Severity severity = Severity::Error;
  std::string message;  // names the resource, says what happens and why
  std::string help;     // what to do
  ResourceRef resource;
  Loc loc;  // most precise location (the offending field), else resource.loc
  std::optional<Witness> witness;
  std::vector<RelatedLocation> related;
  // Key/value facts for machine consumers and reports ("workload", "port", "mode", ...).
  std::map<std::string, std::string> properties;
  std::string fingerprint;  // stable across unrelated edits; see base/fingerprint
  // Set by baselines / suppressions (report layer); a suppressed finding never fails a run.
  std::string suppression;  // "" or "baseline" or "annotation: <reason>" or "exception: <justification>"
};

// Stable fingerprint: hash of check, resource identity and the finding's semantic key (not line numbers),
// so that unrelated edits above a resource do not change it.
std::string make_fingerprint(const std::string& check, const ResourceRef& r, const std::string& key);

// Deterministic order for output: file, line, column, check, message.
bool finding_less(const Finding& a, const Finding& b, const SourceSet& sources);

}  // namespace meshproof
