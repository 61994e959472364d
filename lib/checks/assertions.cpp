#include "checks/assertions.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "base/text.h"
#include "checks/describe.h"
#include "ir/ip.h"
#include "ir/lower.h"
#include "load/loader.h"

namespace meshproof::checks {

const char* to_string(AssertionKind k) {
  switch (k) {
    case AssertionKind::Deny:
      return "deny";
    case AssertionKind::Allow:
      return "allow";
    case AssertionKind::Only:
      return "only";
  }
  return "?";
}

std::string Assertion::label() const {
  if (!name.empty()) return "assertion \"" + name + "\"";
  return "assertion " + std::to_string(index + 1) + " (" + to_string(kind) + ")";
}

namespace {

// Reads one assertions document; every problem is reported at its key or value and reading goes on, so
// that one run lists every error of the file.
class Reader {
 public:
  explicit Reader(std::vector<AssertionError>& errors) : errors_(errors) {}

  void error(Loc loc, std::string message) { errors_.push_back(AssertionError{loc, std::move(message)}); }

  bool known_keys(const load::Node& map, const std::vector<std::string>& allowed, const std::string& what) {
    bool ok = true;
    for (const load::MapEntry& e : map.entries) {
      if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
      std::string msg = "unknown key '" + e.key + "' in " + what;
      std::string hint = closest(e.key, allowed, 2);
      if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
      msg += " (expected one of: " + join(allowed) + ")";
      error(e.key_loc, std::move(msg));
      ok = false;
    }
    return ok;
  }

  bool expect_map(const load::Node& n, const std::string& what) {
    if (n.is_map()) return true;
    error(n.loc, what + ": expected a map, found " + n.type_name());
    return false;
  }

  std::optional<std::string> text(const load::Node& n, const std::string& what) {
    if (!n.is_scalar() || n.scalar.empty()) {
      error(n.loc,
            what + ": expected a non-empty string, found " + (n.is_scalar() ? "an empty string" : n.type_name()));
      return std::nullopt;
    }
    return n.scalar;
  }

  std::vector<std::string> texts(const load::Node& n, const std::string& what) {
    std::vector<std::string> out;
    if (!n.is_seq()) {
      error(n.loc, what + ": expected a list of strings, found " + n.type_name());
      return out;
    }
    for (const load::Node& i : n.items)
      if (auto s = text(i, what)) out.push_back(*s);
    return out;
  }

  std::optional<uint32_t> port(const load::Node& n) {
    if (n.is_scalar() && !n.scalar.empty() && n.scalar.size() <= 5 &&
        std::all_of(n.scalar.begin(), n.scalar.end(), [](unsigned char c) { return std::isdigit(c); })) {
      unsigned long v = std::stoul(n.scalar);
      if (v >= 1 && v <= 65535) return static_cast<uint32_t>(v);
    }
    error(n.loc, "port: expected a port number 1..65535, found " +
                     (n.is_scalar() ? "\"" + n.scalar + "\"" : std::string(n.type_name())));
    return std::nullopt;
  }

  void target(const load::Node& n, Assertion& a) {
    a.to_loc = n.loc;
    auto s = text(n, "to");
    if (!s) return;
    size_t slash = s->find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= s->size() ||
        s->find('/', slash + 1) != std::string::npos) {
      error(n.loc, "to: expected NAMESPACE/WORKLOAD (e.g. payments/payment-api), found \"" + *s + "\"");
      return;
    }
    a.to_ns = s->substr(0, slash);
    a.to_name = s->substr(slash + 1);
  }

  void source(const load::Node& n, AssertionSource& src) {
    src.loc = n.loc;
    if (!expect_map(n, "from")) return;
    known_keys(n, {"principal", "namespace", "plaintext", "ip"}, "from");
    if (const load::Node* v = n.find("principal"))
      if (auto s = text(*v, "from.principal")) {
        std::string p = *s;
        if (p.rfind("spiffe://", 0) == 0) p = p.substr(9);
        src.principal = p;
      }
    if (const load::Node* v = n.find("namespace"))
      if (auto s = text(*v, "from.namespace")) src.ns = *s;
    if (const load::Node* v = n.find("plaintext")) {
      if (v->is_scalar() && v->scalar_type() == load::ScalarType::Bool) {
        const std::string b = ascii_lower(v->scalar);
        src.plaintext = b == "true" || b == "yes" || b == "on" || v->scalar == "y" || v->scalar == "Y";
      } else {
        error(v->loc, "from.plaintext: expected true or false, found " + std::string(v->type_name()));
      }
    }
    if (const load::Node* v = n.find("ip"))
      if (auto s = text(*v, "from.ip")) {
        if (!ir::parse_cidr(*s))
          error(v->loc, "from.ip: \"" + *s + "\" is not an IP address or CIDR range");
        else
          src.ip = *s;
      }
    if (src.plaintext && (!src.principal.empty() || !src.ns.empty()))
      error(n.loc,
            "from: plaintext: true cannot be combined with principal or namespace (a plaintext connection "
            "has no peer identity)");
    if (!src.principal.empty() && !src.ns.empty()) error(n.loc, "from: give principal or namespace, not both");
  }

  void request(const load::Node& n, AssertionRequest& r) {
    r.loc = n.loc;
    if (!expect_map(n, "request")) return;
    known_keys(n, {"method", "path", "host", "headers", "requestPrincipal", "claims", "audiences", "token"}, "request");
    if (const load::Node* v = n.find("method"))
      if (auto s = text(*v, "request.method")) r.method = *s;
    if (const load::Node* v = n.find("path"))
      if (auto s = text(*v, "request.path")) {
        if ((*s)[0] != '/') error(v->loc, "request.path: expected a path starting with '/', found \"" + *s + "\"");
        std::string p = *s;
        size_t q = p.find('?');
        r.path = q == std::string::npos ? p : p.substr(0, q);  // paths are matched without the query (IS §5)
      }
    if (const load::Node* v = n.find("host"))
      if (auto s = text(*v, "request.host")) r.host = ascii_lower(*s);
    if (const load::Node* v = n.find("headers")) {
      if (expect_map(*v, "request.headers"))
        for (const load::MapEntry& e : v->entries)
          if (auto s = text(e.value, "request.headers." + e.key)) r.headers.emplace_back(ascii_lower(e.key), *s);
    }
    if (const load::Node* v = n.find("requestPrincipal"))
      if (auto s = text(*v, "request.requestPrincipal")) {
        if (s->find('/') == std::string::npos)
          error(v->loc, "request.requestPrincipal: expected ISSUER/SUBJECT, found \"" + *s + "\"");
        else
          r.request_principal = *s;
      }
    if (const load::Node* v = n.find("claims")) {
      if (expect_map(*v, "request.claims"))
        for (const load::MapEntry& e : v->entries) {
          if (e.value.is_seq()) {
            for (const std::string& s : texts(e.value, "request.claims." + e.key)) r.claims.emplace_back(e.key, s);
          } else if (auto s = text(e.value, "request.claims." + e.key)) {
            r.claims.emplace_back(e.key, *s);
          }
        }
    }
    if (const load::Node* v = n.find("audiences")) r.audiences = texts(*v, "request.audiences");
    if (const load::Node* v = n.find("token")) {
      auto s = text(*v, "request.token");
      if (s) {
        std::string t = ascii_lower(*s);
        if (t == "any")
          r.token = AssertionToken::Any;
        else if (t == "none")
          r.token = AssertionToken::None;
        else if (t == "valid")
          r.token = AssertionToken::Valid;
        else if (t == "invalid")
          r.token = AssertionToken::Invalid;
        else
          error(v->loc, "request.token: expected one of any, none, valid, invalid; found \"" + *s + "\"");
      }
    }
    if (r.has_jwt() && (r.token == AssertionToken::None || r.token == AssertionToken::Invalid))
      error(n.loc,
            "request: requestPrincipal, claims and audiences describe a valid token; they cannot be "
            "combined with token: none or invalid");
  }

  void item(const load::Node& n, size_t index, AssertionSet& out) {
    Assertion a;
    a.index = index;
    a.loc = n.loc;
    const std::string what = "assertion " + std::to_string(index + 1);
    if (!expect_map(n, what)) return;
    known_keys(n, {"name", "deny", "allow", "only"}, what);
    if (const load::Node* v = n.find("name"))
      if (auto s = text(*v, what + ".name")) a.name = *s;
    const load::Node* body = nullptr;
    int kinds = 0;
    for (auto [key, kind] : {std::pair{"deny", AssertionKind::Deny}, std::pair{"allow", AssertionKind::Allow},
                             std::pair{"only", AssertionKind::Only}})
      if (const load::Node* v = n.find(key)) {
        ++kinds;
        body = v;
        a.kind = kind;
      }
    if (kinds != 1) {
      error(n.loc, what + ": expected exactly one of deny, allow, only; found " + std::to_string(kinds));
      return;
    }
    const std::string bw = std::string(to_string(a.kind));
    if (!expect_map(*body, bw)) return;
    if (a.kind == AssertionKind::Only)
      known_keys(*body, {"to", "port", "principals", "namespaces"}, "only");
    else
      known_keys(*body, {"from", "to", "port", "request"}, bw);
    if (const load::Node* v = body->find("to"))
      target(*v, a);
    else
      error(body->loc, bw + ": missing 'to' (the workload, NAMESPACE/NAME)");
    if (const load::Node* v = body->find("port")) {
      a.port = port(*v);
      a.port_loc = v->loc;
    }
    if (a.kind == AssertionKind::Only) {
      bool any = false;
      if (const load::Node* v = body->find("principals")) {
        any = true;
        for (std::string p : texts(*v, "only.principals")) {
          if (p.rfind("spiffe://", 0) == 0) p = p.substr(9);
          a.principals.push_back(p);
        }
      }
      if (const load::Node* v = body->find("namespaces")) {
        any = true;
        a.namespaces = texts(*v, "only.namespaces");
      }
      if (!any)
        error(body->loc, "only: list the callers that may reach the workload under 'principals' or 'namespaces'");
    } else {
      if (const load::Node* v = body->find("from")) source(*v, a.from);
      if (const load::Node* v = body->find("request")) request(*v, a.request);
    }
    out.assertions.push_back(std::move(a));
  }

  void read(const load::Node& root, AssertionSet& out) {
    const load::Node* list = &root;
    if (root.is_map()) {
      known_keys(root, {"assertions"}, "the assertions file");
      list = root.find("assertions");
      if (!list) {
        error(root.loc, "the assertions file is missing 'assertions' (a list; see docs/assertions.md)");
        return;
      }
    }
    if (!list->is_seq()) {
      error(list->loc, std::string("assertions: expected a list, found ") + list->type_name());
      return;
    }
    for (size_t i = 0; i < list->items.size(); ++i) item(list->items[i], i, out);
  }

 private:
  std::vector<AssertionError>& errors_;
};

}  // namespace

std::optional<AssertionSet> load_assertions(const std::string& path, SourceSet& sources,
                                            std::vector<AssertionError>& errors) {
  size_t before = errors.size();
  std::error_code ec;
  if (path != "-" && std::filesystem::is_directory(path, ec)) {
    errors.push_back({Loc{}, "assertions file " + path + " is a directory; name one YAML file"});
    return std::nullopt;
  }
  load::Loader loader(sources);
  std::vector<load::LoadError> load_errors;
  std::vector<load::LoadNote> notes;
  std::vector<load::InputFile> inputs = loader.expand({path}, load_errors);
  std::vector<load::Document> docs;
  for (const load::InputFile& in : inputs)
    loader.parse(
        in, [&](load::Document&& d) { docs.push_back(std::move(d)); }, load_errors, notes);
  for (const load::LoadError& e : load_errors)
    errors.push_back({e.loc, "cannot read assertions file " + path + ": " + e.message});
  if (errors.size() != before) return std::nullopt;
  if (inputs.size() != 1) {
    errors.push_back({Loc{}, "assertions file " + path + " must be exactly one YAML file"});
    return std::nullopt;
  }
  std::vector<const load::Document*> content;
  for (const load::Document& d : docs)
    if (!d.root.is_null()) content.push_back(&d);
  Reader reader(errors);
  if (content.empty()) {
    reader.error(Loc{inputs[0].file_id, 0, 0}, "assertions file " + path + " is empty");
    return std::nullopt;
  }
  if (content.size() > 1)
    reader.error(content[1]->loc, "an assertions file is one YAML document; found a second one here");
  for (const load::DocumentProblem& p : content[0]->problems) reader.error(p.loc, p.message);
  AssertionSet set;
  set.file = path;
  reader.read(content[0]->root, set);
  if (errors.size() != before) return std::nullopt;
  return set;
}

void resolve_assertions(const AssertionSet& set, const mesh::Mesh& mesh, std::vector<AssertionError>& errors) {
  for (const Assertion& a : set.assertions) {
    if (mesh.find(a.to_ns, a.to_name)) continue;
    std::vector<std::string> names;
    for (const mesh::Workload& w : mesh.workloads) names.push_back(w.display());
    std::string msg = "to: no workload " + a.to_ns + "/" + a.to_name + " in the input";
    std::string hint = closest(a.to_ns + "/" + a.to_name, names, 3);
    if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
    errors.push_back({a.to_loc, msg});
  }
}

namespace {

ir::Match one_atom(ir::Atom atom, const std::string& field) {
  ir::Match m;
  m.field = field;
  ir::Term t;
  t.atoms.push_back(std::move(atom));
  m.terms.push_back(std::move(t));
  return m;
}

ir::Match principal_match(const std::string& principal) {
  ir::Match m;
  m.field = "principals";
  m.terms.push_back(ir::lower_principal(principal));
  return m;
}

ir::Match namespace_match(const std::string& ns) {
  ir::Match m;
  m.field = "namespaces";
  m.terms = ir::lower_namespace(ns);
  return m;
}

// The `from` of a deny/allow assertion: one principal clause of what it names.
ir::Clause source_clause(const AssertionSource& from) {
  ir::Clause c;
  c.kind = ir::ClauseKind::Principal;
  if (!from.principal.empty()) c.matches.push_back(principal_match(from.principal));
  if (!from.ns.empty()) c.matches.push_back(namespace_match(from.ns));
  if (!from.ip.empty())
    if (auto cidr = ir::parse_cidr(from.ip))
      c.matches.push_back(one_atom(ir::make_cidr_atom(ir::Attribute::SourceIp, *cidr), "ip"));
  return c;
}

// The `request` of a deny/allow assertion: one permission clause of what it names.
ir::Clause request_clause(const AssertionRequest& q) {
  using ir::Attribute;
  using ir::Op;
  ir::Clause c;
  c.kind = ir::ClauseKind::Permission;
  if (!q.method.empty()) c.matches.push_back(one_atom(ir::make_atom(Attribute::Method, Op::Exact, q.method), "method"));
  if (!q.path.empty()) c.matches.push_back(one_atom(ir::make_atom(Attribute::Path, Op::Exact, q.path), "path"));
  if (!q.host.empty()) c.matches.push_back(one_atom(ir::make_atom(Attribute::Host, Op::Exact, q.host), "host"));
  for (const auto& [k, v] : q.headers)
    c.matches.push_back(one_atom(ir::make_atom(Attribute::Header, Op::Exact, v, k), "headers"));
  if (!q.request_principal.empty()) {
    size_t slash = q.request_principal.rfind('/');
    const std::string issuer = q.request_principal.substr(0, slash);
    const std::string subject = q.request_principal.substr(slash + 1);
    c.matches.push_back(one_atom(ir::make_atom(Attribute::AuthIssuer, Op::Exact, issuer), "requestPrincipal"));
    c.matches.push_back(one_atom(ir::make_atom(Attribute::AuthSubject, Op::Exact, subject), "requestPrincipal"));
  }
  for (const auto& [k, v] : q.claims)
    c.matches.push_back(one_atom(ir::make_atom(Attribute::AuthClaim, Op::Exact, v, k), "claims"));
  for (const auto& aud : q.audiences)
    c.matches.push_back(one_atom(ir::make_atom(Attribute::AuthAudiences, Op::Exact, aud), "audiences"));
  return c;
}

}  // namespace

ir::Rule assertion_rule(const Assertion& a) {
  ir::Rule r;
  r.policy.ns = a.to_ns;
  r.policy.name = a.label();
  r.policy.action = model::Action::Audit;
  r.loc = a.loc;
  if (a.kind == AssertionKind::Only) {
    for (const std::string& p : a.principals) {
      ir::Clause c;
      c.matches.push_back(principal_match(p));
      r.principals.push_back(std::move(c));
    }
    for (const std::string& n : a.namespaces) {
      ir::Clause c;
      c.matches.push_back(namespace_match(n));
      r.principals.push_back(std::move(c));
    }
    ir::Clause any;
    any.kind = ir::ClauseKind::Permission;
    r.permissions.push_back(std::move(any));
    return r;
  }
  r.principals.push_back(source_clause(a.from));
  r.permissions.push_back(request_clause(a.request));
  return r;
}

}  // namespace meshproof::checks
