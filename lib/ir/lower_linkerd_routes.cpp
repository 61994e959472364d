// Linkerd's inbound HTTPRoutes lowered into permission clauses (ir/lower_linkerd.h, docs/semantics.md#linkerd-routes).
// Sources: linkerd2 policy-controller k8s/index/src/inbound/routes.rs (from_parent_ref: which parentRefs attach),
// k8s/index/src/routes/http.rs (path_match, header_match); linkerd2-proxy linkerd/http/route/src/lib.rs (find:
// the best match over all routes, the first of equal matches), src/http/match.rs (RequestMatch order) and
// src/http/match/path.rs (match_length: Exact and Regex match the whole path, PathPrefix whole segments after
// trailing slashes are trimmed; the length compared is the path's for Exact and Regex, the trimmed prefix's for
// PathPrefix, 1 for "/").
#include <algorithm>
#include <tuple>

#include "base/text.h"
#include "ir/lower_linkerd.h"

namespace meshproof::ir {

namespace {

constexpr const char* kNoRouteMarker = ": no HTTPRoute matches (404)";

enum class LinkerdPathKind { Exact, Prefix, Regex };

// One match of a route as the proxy compares it. `length` is fixed for Exact and Prefix; a Regex match's length
// is the request path's.
struct RouteMatchFacts {
  size_t route = 0;  // position in the Server's route order
  LinkerdPathKind kind = LinkerdPathKind::Prefix;
  std::string path;  // Exact: the value; Prefix: trimmed of trailing '/' ("" for "/"); Regex: the pattern
  size_t length = 1;
  bool method = false;
  size_t headers = 0, query_params = 0;
  std::vector<Term> terms;  // the requests it matches: OR of these
};

std::string trim_trailing_slashes(const std::string& s) {
  size_t n = s.size();
  while (n > 0 && s[n - 1] == '/') --n;
  return s.substr(0, n);
}

Term match_term(std::vector<Atom> path_atoms, const model::gwapi::RouteMatch& m) {
  Term t;
  t.atoms = std::move(path_atoms);
  if (!m.method.empty()) t.atoms.push_back(make_atom(Attribute::Method, Op::Exact, m.method));
  for (size_t h = 0; h < m.headers.size(); ++h)
    t.atoms.push_back(make_atom(Attribute::Header, m.header_types[h] == "RegularExpression" ? Op::Regex : Op::Exact,
                                m.headers[h].second, ascii_lower(m.headers[h].first)));
  t.source_value = m.path_type + " " + m.path_value;
  t.loc = m.loc;
  return t;
}

RouteMatchFacts match_facts(size_t route, const model::gwapi::RouteMatch& m) {
  RouteMatchFacts f;
  f.route = route;
  f.method = !m.method.empty();
  f.headers = m.headers.size();
  if (m.path_present && m.path_type == "Exact") {
    f.kind = LinkerdPathKind::Exact;
    f.path = m.path_value;
    f.length = m.path_value.size();
    f.terms.push_back(match_term({make_atom(Attribute::Path, Op::Exact, f.path)}, m));
  } else if (m.path_present && m.path_type == "RegularExpression") {
    f.kind = LinkerdPathKind::Regex;
    f.path = m.path_value;
    f.terms.push_back(match_term({make_atom(Attribute::Path, Op::Regex, f.path)}, m));
  } else {
    // path.rs: "/" matches every path (length 1); else the trimmed prefix is the path or a whole-segment prefix
    // of it once trailing slashes are trimmed: the path equals it or starts with it and a '/'.
    f.path = trim_trailing_slashes(m.path_present ? m.path_value : "/");
    f.length = f.path.empty() ? 1 : f.path.size();
    if (f.path.empty()) {
      f.terms.push_back(match_term({}, m));
    } else {
      f.terms.push_back(match_term({make_atom(Attribute::Path, Op::Exact, f.path)}, m));
      f.terms.push_back(match_term({make_atom(Attribute::Path, Op::Prefix, f.path + "/")}, m));
    }
  }
  return f;
}

// A rule without matches has the implicit match PathPrefix "/" (lib.rs find; RequestMatch::default).
std::vector<RouteMatchFacts> route_matches(size_t position, const model::LinkerdHTTPRoute& route) {
  std::vector<RouteMatchFacts> out;
  for (const model::gwapi::RouteRule& rule : route.rules) {
    if (rule.matches.empty()) out.push_back(match_facts(position, model::gwapi::RouteMatch{}));
    for (const model::gwapi::RouteMatch& m : rule.matches) out.push_back(match_facts(position, m));
  }
  if (route.rules.empty()) out.push_back(match_facts(position, model::gwapi::RouteMatch{}));
  return out;
}

// When `other` (of another route) wins over `mine` for a request both match. Lengths tie only where the text
// says; then method, header and query parameter counts decide, then the earlier route.
enum class Wins { Never, Always, WhenPathIs, UnlessPathIs };

bool wins_tie(const RouteMatchFacts& other, const RouteMatchFacts& mine) {
  return std::tie(other.method, other.headers, other.query_params) >
             std::tie(mine.method, mine.headers, mine.query_params) ||
         (std::tie(other.method, other.headers, other.query_params) ==
              std::tie(mine.method, mine.headers, mine.query_params) &&
          other.route < mine.route);
}

Wins wins_over(const RouteMatchFacts& other, const RouteMatchFacts& mine) {
  const bool other_regex = other.kind == LinkerdPathKind::Regex, mine_regex = mine.kind == LinkerdPathKind::Regex;
  const bool tie = wins_tie(other, mine);
  if (!other_regex && !mine_regex) {
    if (other.length != mine.length) return other.length > mine.length ? Wins::Always : Wins::Never;
    return tie ? Wins::Always : Wins::Never;
  }
  if (other_regex && mine_regex) return tie ? Wins::Always : Wins::Never;
  if (mine_regex) {  // other is Exact (same length as the path) or Prefix (shorter unless the path is the prefix)
    if (other.kind == LinkerdPathKind::Exact) return tie ? Wins::Always : Wins::Never;
    return tie ? Wins::WhenPathIs : Wins::Never;
  }
  // other is a Regex (the path's length), mine Exact (same) or Prefix (shorter unless the path is the prefix).
  if (mine.kind == LinkerdPathKind::Exact) return tie ? Wins::Always : Wins::Never;
  return tie ? Wins::Always : Wins::UnlessPathIs;
}

std::string prefix_path(const RouteMatchFacts& f) { return f.path.empty() ? "/" : f.path; }

Match terms_match(std::vector<Term> terms, bool negated, const std::string& field, Loc loc) {
  Match m;
  m.field = field;
  m.negated = negated;
  m.terms = std::move(terms);
  m.loc = loc;
  return m;
}

Match path_is(const std::string& path, bool negated) {
  Term t;
  t.atoms.push_back(make_atom(Attribute::Path, Op::Exact, path));
  t.source_value = path;
  return terms_match({t}, negated, "path", Loc{});
}

std::vector<Term> with_atom(std::vector<Term> terms, const Atom& a) {
  for (Term& t : terms) t.atoms.push_back(a);
  return terms;
}

// The clauses of one match of route k: it matches, and no match of another route wins.
void add_match_clauses(const RouteMatchFacts& mine, const std::vector<RouteMatchFacts>& all, const std::string& field,
                       Loc loc, std::vector<Clause>& out) {
  std::vector<Term> always, unless;
  for (const RouteMatchFacts& other : all) {
    if (other.route == mine.route) continue;
    switch (wins_over(other, mine)) {
      case Wins::Never:
        break;
      case Wins::Always:
        always.insert(always.end(), other.terms.begin(), other.terms.end());
        break;
      case Wins::WhenPathIs: {
        const std::vector<Term> t = with_atom(other.terms, make_atom(Attribute::Path, Op::Exact, prefix_path(other)));
        always.insert(always.end(), t.begin(), t.end());
        break;
      }
      case Wins::UnlessPathIs:
        unless.insert(unless.end(), other.terms.begin(), other.terms.end());
        break;
    }
  }
  Clause base;
  base.kind = ClauseKind::Permission;
  base.loc = loc;
  base.matches.push_back(terms_match(mine.terms, false, field, loc));
  if (!always.empty()) base.matches.push_back(terms_match(always, true, field + " (a better match of another route)", loc));
  if (unless.empty()) {
    out.push_back(std::move(base));
    return;
  }
  // A regex of another route wins over this prefix except on the prefix's own path (equal lengths).
  Clause on_prefix = base;
  on_prefix.matches.push_back(path_is(prefix_path(mine), false));
  Clause below = std::move(base);
  below.matches.push_back(path_is(prefix_path(mine), true));
  below.matches.push_back(terms_match(unless, true, field + " (a longer regex match of another route)", loc));
  out.push_back(std::move(on_prefix));
  out.push_back(std::move(below));
}

std::vector<RouteMatchFacts> all_matches(const std::vector<const model::LinkerdHTTPRoute*>& routes) {
  std::vector<RouteMatchFacts> all;
  for (size_t k = 0; k < routes.size(); ++k) {
    std::vector<RouteMatchFacts> m = route_matches(k, *routes[k]);
    all.insert(all.end(), m.begin(), m.end());
  }
  return all;
}

}  // namespace

std::vector<const model::LinkerdHTTPRoute*> linkerd_server_routes(const model::LinkerdServer& s,
                                                                  const model::LinkerdPolicySet& policies) {
  std::vector<const model::LinkerdHTTPRoute*> out;
  for (const model::LinkerdHTTPRoute& r : policies.http_routes) {
    if (r.meta.ns != s.meta.ns) continue;
    const bool attached = std::any_of(r.parent_refs.begin(), r.parent_refs.end(), [&](const model::gwapi::ParentReference& p) {
      return model::is_linkerd_server_parent(p) && p.name == s.meta.name && (p.ns.empty() || p.ns == r.meta.ns) &&
             !p.port_present && !p.section_name_present;
    });
    if (attached) out.push_back(&r);
  }
  std::sort(out.begin(), out.end(), [](const model::LinkerdHTTPRoute* a, const model::LinkerdHTTPRoute* b) {
    return std::tie(a->meta.creation_timestamp, a->meta.name) < std::tie(b->meta.creation_timestamp, b->meta.name);
  });
  return out;
}

std::vector<Clause> linkerd_route_permissions(const std::vector<const model::LinkerdHTTPRoute*>& routes, size_t k) {
  const std::vector<RouteMatchFacts> all = all_matches(routes);
  std::vector<Clause> out;
  const std::string field = "HTTPRoute " + routes[k]->meta.name + " matches";
  for (const RouteMatchFacts& mine : all)
    if (mine.route == k) add_match_clauses(mine, all, field, routes[k]->loc, out);
  return out;
}

Rule linkerd_no_route_rule(const model::LinkerdServer& s, const std::vector<const model::LinkerdHTTPRoute*>& routes) {
  Rule r;
  r.policy.ns = s.meta.ns;
  r.policy.name = "Server " + s.meta.name + kNoRouteMarker;
  r.policy.action = model::Action::Deny;
  r.policy.loc = s.loc;
  r.loc = s.loc;
  Clause anyone;
  anyone.kind = ClauseKind::Principal;
  anyone.loc = s.loc;
  r.principals.push_back(std::move(anyone));
  std::vector<Term> every;
  for (const RouteMatchFacts& f : all_matches(routes)) every.insert(every.end(), f.terms.begin(), f.terms.end());
  Clause unmatched;
  unmatched.kind = ClauseKind::Permission;
  unmatched.loc = s.loc;
  unmatched.matches.push_back(terms_match(std::move(every), true, "HTTPRoutes of Server " + s.meta.name, s.loc));
  r.permissions.push_back(std::move(unmatched));
  return r;
}

bool is_linkerd_no_route_rule(const Rule& r) {
  return r.policy.action == model::Action::Deny && r.policy.name.ends_with(kNoRouteMarker);
}

}  // namespace meshproof::ir
