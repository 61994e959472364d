// User invariants for `meshproof check --assert FILE` (docs/assertions.md): "deny R", "allow R" and "only
// these principals may reach W", each proven symbolically over the programs of the target workload by the
// `assertion-violated` check (MP2012). The file is YAML read through load::Loader, so every error has
// file:line:col; the CLI exits 2 on any error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/location.h"
#include "ir/ir.h"
#include "mesh/mesh.h"

namespace meshproof::checks {

enum class AssertionKind : uint8_t { Deny, Allow, Only };
const char* to_string(AssertionKind k);  // "deny", "allow", "only"

// `from`: who sends the request. Absent: any caller (any mesh identity, or plaintext).
struct AssertionSource {
  std::string principal;   // "td/ns/NS/sa/SA", with Istio's wildcards (`*`, `x*`, `*x`) as in principals
  std::string ns;          // peer namespace, with Istio's namespace wildcards
  bool plaintext = false;  // no mTLS (no peer identity)
  std::string ip;          // source IP or CIDR
  Loc loc;
};

// The token a request carries.
enum class AssertionToken : uint8_t {
  Default,  // deny: any token state; allow: none, unless JWT fields are given (then valid)
  Any,
  None,
  Valid,
  Invalid,
};

// `request`: what the request looks like. Unspecified attributes range over every value.
struct AssertionRequest {
  std::string method, path, host;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case name → exact value
  std::string request_principal;                             // "ISS/SUB" (valid token)
  std::vector<std::pair<std::string, std::string>> claims;   // claim path "a.b" → a value it contains
  std::vector<std::string> audiences;
  AssertionToken token = AssertionToken::Default;
  Loc loc;
  bool has_http() const { return !method.empty() || !path.empty() || !host.empty() || !headers.empty() || has_jwt(); }
  bool has_jwt() const { return !request_principal.empty() || !claims.empty() || !audiences.empty(); }
};

struct Assertion {
  AssertionKind kind = AssertionKind::Deny;
  std::string name;            // optional label; "" → "assertion N"
  size_t index = 0;            // 0-based position in the file
  Loc loc;                     // the list item
  std::string to_ns, to_name;  // target workload (mesh::Mesh::find)
  Loc to_loc;
  std::optional<uint32_t> port;
  Loc port_loc;
  AssertionSource from;                 // deny / allow
  AssertionRequest request;             // deny / allow
  std::vector<std::string> principals;  // only: allowed principals (Istio principal syntax)
  std::vector<std::string> namespaces;  // only: allowed namespaces
  std::string label() const;            // name, or "assertion N (deny)"
};

struct AssertionSet {
  std::string file;
  std::vector<Assertion> assertions;
};

struct AssertionError {
  Loc loc;
  std::string message;
};

// Reads FILE into `sources` (so findings and errors point into it). nullopt, with errors, when the file
// cannot be read or does not follow docs/assertions.md.
std::optional<AssertionSet> load_assertions(const std::string& path, SourceSet& sources,
                                            std::vector<AssertionError>& errors);
// Target workloads that the mesh does not have, as errors (with the closest name as a hint).
void resolve_assertions(const AssertionSet& set, const mesh::Mesh& mesh, std::vector<AssertionError>& errors);

// ---- lowering to the IR (used by the assertion-violated check) ----

// The request an assertion describes, as an IR rule: principal clause from `from`, permission clause
// from `request` (HTTP fields, JWT fields). Appended as an AUDIT rule to a copy of a program, "matches"
// is the description holding. `Only`: the allowed identities (one principal clause per value).
ir::Rule assertion_rule(const Assertion& a);

}  // namespace meshproof::checks
