// IR-STABLE: v1
//
// The decision IR (DESIGN.md §4): atoms over request attributes, and Istio's rule shape kept as it is.
//
//   Program (one workload class × one port × one protocol view)
//     └ Rule            = (OR of principal Clauses) AND (OR of permission Clauses)    [IS §4]
//         └ Clause      = AND of Matches     (one `from` entry, or one `to` entry, with `when` copied in)
//             └ Match   = OR of Terms, or NOT(OR of Terms) for a `not*` field / `notValues`
//                 └ Term = AND of Atoms (empty: true), or the constant false
//                     └ Atom = one predicate on one attribute
//
// Empty collections read as: Clause with no matches = true; Match with no terms = false (NOT: true);
// Rule with no principal (or no permission) clauses = false. `rules: [{}]` is one rule with one empty
// principal clause and one empty permission clause (true ∧ true); ALLOW `spec: {}` is one rule with no
// clauses at all (never matches, IS §3).
//
// This header is the contract for the concrete evaluator (engine/evaluate.h) and the symbolic encoder.
// Changes are additive only; see docs/semantics.md section `ir` for the lowering rules and their sources.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/location.h"
#include "ir/ip.h"
#include "ir/path.h"
#include "model/resources.h"

namespace meshproof::ir {

// ---------------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------------

// Every attribute a rule can test. The peer identity of a mesh mTLS connection is always a SPIFFE id
// `spiffe://TD/ns/NS/sa/SA`, so it is modelled as its three parts instead of one string; principal,
// namespace, serviceAccount and trustDomain values all lower to atoms on these parts (docs/semantics.md
// `ir`). Domain facts every consumer may rely on:
//   * PeerTrustDomain/PeerNamespace/PeerServiceAccount are present iff the connection is mTLS (IS §8:
//     plaintext has no peer identity); when present they are non-empty and contain no '/'. Lowering
//     folds any atom that would need a '/' in one of them to false, so no atom value on them contains
//     '/'. All three are present or all absent.
//   * AuthIssuer is present iff the request carries a valid JWT on an HTTP port (IS §12); AuthSubject,
//     AuthAudiences, AuthPresenters and AuthClaim are present only then (each may still be absent/empty).
//   * HTTP attributes (Method, Path, Host, Header, Auth*) are absent on a TCP protocol view.
//   * Host values are lower case on both sides (Istio matches `:authority` with ignore_case, IS §5).
//   * For every string attribute except Header, an empty value is the same as absent (Istio's `*` for
//     those attributes is the regex `.+`, IS §5). A header may be present with an empty value
//     (HeaderMatcher `present_match`).
enum class Attribute : uint8_t {
  PeerTrustDomain,     // string: TD of the peer's SPIFFE id
  PeerNamespace,       // string: NS of the peer's SPIFFE id
  PeerServiceAccount,  // string: SA of the peer's SPIFFE id
  SourceIp,            // ip: Envoy direct_remote_ip (`ipBlocks`, `source.ip`)
  RemoteIp,            // ip: Envoy remote_ip (`remoteIpBlocks`, `remote.ip`); equals SourceIp when the
                       //     request does not give one (no XFF / PROXY protocol)
  DestinationIp,       // ip: `destination.ip`
  DestinationPort,     // port: the workload (target) port of the connection, IS §8
  ConnectionSni,       // string: `connection.sni`
  Method,              // string: `:method`
  Path,                // string: `url_path.path`: the request's raw `:path` normalized by the program's
                       //     path_normalization, without query string and fragment (ir/path.h, IS §5)
  Host,                // string: `:authority`, lower-cased
  Header,              // string, keyed by lower-case header name: `request.headers[name]`
  AuthIssuer,          // string: JWT `iss` (the part of a requestPrincipal before the last '/')
  AuthSubject,         // string: JWT `sub` (the part after the last '/')
  AuthAudiences,       // set of strings: JWT `aud`
  AuthPresenters,      // set of strings: JWT `azp`
  AuthClaim,           // set of strings, keyed by claim path "a.b" (`request.auth.claims[a][b]`); a
                       //     string claim is a one-element set. Never keyed "iss", "sub", "aud" or
                       //     "azp": lowering maps those claims to AuthIssuer, AuthSubject, AuthAudiences,
                       //     AuthPresenters (the same JWT payload fields)
  Metadata,            // set of strings, keyed by the filter and path after `experimental.`, e.g.
                       //     "envoy.filters.a.b[c]"; opaque to meshproof
};
inline constexpr int kAttributeCount = static_cast<int>(Attribute::Metadata) + 1;

enum class AttributeKind : uint8_t { String, Set, Ip, Port };
AttributeKind attribute_kind(Attribute a);
// Stable display name: "peer.trust_domain", "peer.namespace", "peer.service_account", "source.ip",
// "remote.ip", "destination.ip", "destination.port", "connection.sni", "request.method", "request.path",
// "request.host", "request.headers", "request.auth.issuer", "request.auth.subject",
// "request.auth.audiences", "request.auth.presenter", "request.auth.claims", "experimental".
const char* attribute_name(Attribute a);
// True for attributes that only exist on an HTTP filter chain (IS §6 "HTTP-only").
bool attribute_http_only(Attribute a);
// True for the three peer identity attributes (present iff mTLS).
bool attribute_is_peer(Attribute a);
// True for the JWT attributes (present only with a valid token).
bool attribute_is_jwt(Attribute a);
// True when atoms on this attribute carry a key (Header, AuthClaim, Metadata).
bool attribute_keyed(Attribute a);

// ---------------------------------------------------------------------------------------------------
// Atoms
// ---------------------------------------------------------------------------------------------------

enum class Op : uint8_t {
  Exact,         // value == v
  Prefix,        // value starts with v (v may be empty: then it is Present)
  Suffix,        // value ends with v
  Present,       // the attribute has a value (see the empty-value rule above)
  Glob,          // v is a pattern where every '*' matches any sequence of characters (including '/')
                 //     and every other character is literal. Only from `namespaces` values with an
                 //     inner '*', and malformed `trustDomains`. Never produced when a simpler op fits.
  PathTemplate,  // v is an Envoy uri_template in Envoy's form (Istio's `{*}` → `*`, `{**}` → `**`):
                 //     `*` = one or more characters of [a-zA-Z0-9-._~%!$&'()+,;:@] (one segment),
                 //     `**` = zero or more of those characters or '/', anything else literal; full
                 //     match of the path (envoy source/extensions/path/uri_template_lib). From paths
                 //     containing `{*}`/`{**}` (IS §5).
  Regex,         // v is an RE2 regex, full match. Never produced by lowering; reserved for decoded
                 //     Envoy tables (lib/compile).
  Cidr,          // the IP is inside `cidr`
  PortEq,        // the port equals `port`
};
const char* op_name(Op o);  // "exact", "prefix", "suffix", "present", "glob", "path_template", "regex",
                            // "cidr", "port"

// The meaning of Op::Glob: every '*' of `pattern` matches any sequence, every other character itself.
// The concrete evaluator's specification and lowering's constant folding both use this one definition.
bool glob_match(const std::string& pattern, const std::string& value);

// One predicate on one attribute. On a Set attribute every string op means "some element satisfies
// it" (Istio's OR(list-contains, equals) value matcher, IS §5), and Present means "some element".
struct Atom {
  Attribute attr = Attribute::Method;
  std::string key;  // Header name (lower case), AuthClaim path, Metadata key; "" otherwise
  Op op = Op::Exact;
  std::string value;  // string ops, Glob, PathTemplate, Regex; the range text for Cidr; "" for Present
  Cidr cidr;          // Op::Cidr only
  uint32_t port = 0;  // Op::PortEq only

  friend bool operator==(const Atom&, const Atom&) = default;
  friend auto operator<=>(const Atom&, const Atom&) = default;
};
// "request.path prefix \"/api/\"", "peer.namespace == \"foo\"", "source.ip in 10.0.0.0/8", ...
std::string to_string(const Atom& a);

// Convenience constructors.
Atom make_atom(Attribute attr, Op op, std::string value = {}, std::string key = {});
Atom make_cidr_atom(Attribute attr, const Cidr& c);
Atom make_port_atom(uint32_t port);

// ---------------------------------------------------------------------------------------------------
// Terms, matches, clauses, rules
// ---------------------------------------------------------------------------------------------------

// AND of atoms. Lowering of one written value (e.g. principal `cluster.local/ns/foo/*` →
// trust_domain == "cluster.local" ∧ namespace == "foo").
struct Term {
  std::vector<Atom> atoms;   // empty and !is_false: true
  bool is_false = false;     // the value can never match (e.g. a principal of the wrong shape)
  std::string source_value;  // the value as written in the policy (after trust-domain aliasing)
  Loc loc;                   // the value's position

  bool is_true() const { return !is_false && atoms.empty(); }
  static Term constant(bool b) {
    Term t;
    t.is_false = !b;
    return t;
  }
};

// One field of a source/operation, or one half (values / notValues) of a `when` condition.
struct Match {
  std::string field;     // as written: "principals", "notMethods", "when[request.headers[x-a]]",
                         // "when[source.ip].notValues", ...
  bool negated = false;  // `not*` fields and `notValues`: NOT(OR of terms)
  std::vector<Term> terms;
  Loc loc;  // the field key
};

enum class ClauseKind : uint8_t {
  Principal,   // from a `from` entry (or the `when`-only principal when `from` is absent)
  Permission,  // from a `to` entry (or the `when`-only permission when `to` is absent)
};

// AND of matches: one `from[i]` / `to[i]` entry with the `when` conditions of its type appended (IS §4).
struct Clause {
  ClauseKind kind = ClauseKind::Principal;
  int entry = -1;              // index in `from` / `to`; -1 when synthesized (`from`/`to` absent)
  std::vector<Match> matches;  // empty: true
  Loc loc;                     // the entry (or the rule when synthesized)
  // Every item of this clause was dropped by the TCP lowering of a DENY/AUDIT/CUSTOM rule, so the
  // clause became match-all (IS §7). Informational: `matches` already reflects it.
  bool widened_to_any = false;
};

// What lowering removed or changed, for `explain` and for the checks.
enum class DropKind : uint8_t {
  RuleDropped,        // ALLOW rule with an HTTP-only (or ungeneratable) item on TCP: whole rule skipped
  ItemDropped,        // DENY/AUDIT/CUSTOM: one item removed from a clause on TCP (IS §7)
  ClauseWidened,      // …and the clause was left empty, so it matches everything
  PolicyNotEnforced,  // CUSTOM with an HTTP ext_authz provider on a TCP port (IS §2, §7)
  ValueUnmatchable,   // a value that lowers to false (e.g. principal not shaped td/ns/NS/sa/SA)
  ValueWidened,       // a value whose Istio regex matches more than the intuitive reading (namespaces)
};
const char* to_string(DropKind k);

struct Drop {
  DropKind kind = DropKind::ItemDropped;
  std::string item;    // "rules[2].to[0].operation.methods", "rules[0].when[1] request.auth.claims[grp]"
  std::string reason;  // why, citing the rule ("HTTP-only field on a TCP port (docs/semantics.md#http-only-on-tcp)")
  Loc loc;
};

// The policy a rule came from.
struct PolicyRef {
  const model::AuthorizationPolicy* policy = nullptr;  // nullptr in hand-built programs
  std::string ns, name;
  model::Action action = model::Action::Allow;
  bool dry_run = false;  // `istio.io/dry-run: "true"`: kept, not enforced (ALLOW/DENY only, IS §2)
  std::string provider;  // CUSTOM only
  Loc loc;               // the policy object

  std::string display() const { return ns + "/" + name; }  // "NS/NAME"
};

// A rule's one identity from lowering to findings: its policy and its index in the policy's `rules`. The
// same rule lowered for several ports, protocol views or workloads has the same id (engine::RuleRef is
// instead the rule's position in one program). `policy` is nullptr in hand-built programs.
struct RuleId {
  const model::AuthorizationPolicy* policy = nullptr;
  int index = 0;

  friend bool operator==(const RuleId&, const RuleId&) = default;
  friend auto operator<=>(const RuleId&, const RuleId&) = default;
};

struct Rule {
  PolicyRef policy;
  int index = 0;                    // rules[index]; Envoy policy `ns[NS]-policy[NAME]-rule[index]`
  Loc loc;                          // the rule (or the policy's `spec`/`rules` for `spec: {}`)
  std::vector<Clause> principals;   // OR; empty: false
  std::vector<Clause> permissions;  // OR; empty: false
  std::vector<Drop> drops;          // what this protocol's lowering removed from this rule
  bool from_empty_spec = false;     // the never-matching rule of an ALLOW/AUDIT policy without `rules`

  std::string display() const;  // "NS/NAME rules[i]"
  RuleId id() const { return RuleId{policy.policy, index}; }
};

// ---------------------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------------------

// Which RBAC compilation a view uses (IS §1). A sniffed port gets two programs, one per protocol.
enum class Protocol : uint8_t { Http, Tcp };
const char* to_string(Protocol p);  // "HTTP", "TCP"

// How the CUSTOM rules of a program act.
enum class CustomMode : uint8_t {
  None,        // no CUSTOM rules
  Delegate,    // a match sends the request to the external authorizer (unknown outcome)
  FailClosed,  // unknown/invalid provider, or several providers: matches are enforced DENY (IS §2)
};
const char* to_string(CustomMode m);

// One accepted JWT issuer of an applicable RequestAuthentication (IS §12).
struct JwtIssuer {
  std::string issuer;                  // "" when the jwtRule names only jwksUri: accepts any issuer
  std::vector<std::string> audiences;  // empty: any audience
  std::string request_authentication;  // "NS/NAME"
  Loc loc;
};

struct Program {
  // What it is for.
  std::string workload;  // "NS/NAME" of the representative workload
  uint32_t class_id = 0;
  uint32_t port = 0;  // the workload port; 0 = any port the workload does not declare
  std::string port_name;
  Protocol protocol = Protocol::Http;
  bool sniffed = false;                                // the port's protocol is sniffed; this is one of its two views
  model::MtlsMode mtls = model::MtlsMode::Permissive;  // effective mode of the port (never Unset)
  std::string mtls_decided_by;  // "PeerAuthentication NS/NAME" or "" (Istio's default PERMISSIVE)
  Loc mtls_loc;

  // Rules per action, in Istio's policy order (root namespace first, then creation time, name) and
  // rule order. Dry-run rules are included with policy.dry_run set.
  std::vector<Rule> custom, deny, allow, audit;
  CustomMode custom_mode = CustomMode::None;
  std::string custom_reason;  // why FailClosed ("provider \"x\" is not defined in meshConfig...")
  // A non-dry-run ALLOW policy applies (IS §2 step 3), even if all its rules were dropped on TCP.
  bool has_allow_policy = false;
  // RequestAuthentication in force (HTTP only; empty on TCP). Non-empty: a token whose issuer is not
  // listed (or that fails validation) is rejected with 401 before authorization (IS §12).
  std::vector<JwtIssuer> jwt_issuers;
  bool has_request_authentication = false;

  // Whole-policy effects for this view (RuleDropped, PolicyNotEnforced), in addition to per-rule drops.
  std::vector<Drop> drops;

  // meshConfig.pathNormalization of the mesh (HTTP views): the raw `:path` of a request is normalized this
  // way before any filter, and Path atoms are matched against the result (ir/path.h; IS §5).
  PathNormalization path_normalization = PathNormalization::Base;

  // False when the workload runs without a sidecar (sidecar.istio.io/inject: "false"): Istio enforces
  // neither mTLS nor authorization on it, so every request is allowed.
  bool enforced = true;
};

// The programs of one port of a workload: one (HTTP or TCP) or two (sniffed).
struct PortPrograms {
  uint32_t port = 0;  // 0 = undeclared ports
  std::string name;
  bool sniffed = false;
  std::vector<Program> views;  // HTTP first, then TCP
  const Program* view(Protocol p) const;
};

struct WorkloadPrograms {
  std::string workload;  // "NS/NAME"
  uint32_t class_id = 0;
  std::vector<PortPrograms> ports;                     // declared ports in ascending order, then port 0 (the rest)
  const PortPrograms* find_port(uint32_t port) const;  // falls back to port 0 for undeclared ports
};

}  // namespace meshproof::ir

template <>
struct std::hash<meshproof::ir::RuleId> {
  size_t operator()(const meshproof::ir::RuleId& id) const noexcept {
    return std::hash<const void*>()(id.policy) * 31 + std::hash<int>()(id.index);
  }
};
