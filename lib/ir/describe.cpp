#include "ir/describe.h"

namespace meshproof::ir {

std::string describe(const Term& t) {
  if (t.is_false) return "false";
  if (t.atoms.empty()) return "true";
  std::string out;
  for (size_t i = 0; i < t.atoms.size(); ++i) out += (i ? " and " : "") + to_string(t.atoms[i]);
  return out;
}

std::string describe(const Match& m) {
  std::string body;
  if (m.terms.empty()) {
    body = "false";
  } else {
    for (size_t i = 0; i < m.terms.size(); ++i) {
      std::string d = describe(m.terms[i]);
      bool wrap = m.terms.size() > 1 && m.terms[i].atoms.size() > 1;
      body += (i ? " or " : "") + (wrap ? "(" + d + ")" : d);
    }
  }
  return (m.negated ? "not " : "") + m.field + ": " + (m.negated ? "(" + body + ")" : body);
}

std::string describe(const Clause& c) {
  if (c.matches.empty()) return c.widened_to_any ? "any request (every item was dropped)" : "any request";
  std::string out;
  for (size_t i = 0; i < c.matches.size(); ++i) out += (i ? " and " : "") + describe(c.matches[i]);
  return out;
}

RuleDescription describe(const Rule& r) {
  RuleDescription d;
  d.title = r.display() + " (" + model::to_string(r.policy.action) + (r.policy.dry_run ? ", dry-run" : "") + ")";
  auto split = [](const Clause& c) {
    std::vector<std::string> out;
    for (const auto& m : c.matches) out.push_back(describe(m));
    if (out.empty()) out.push_back(describe(c));
    return out;
  };
  for (const auto& c : r.principals) {
    d.principals.push_back(describe(c));
    d.principal_matches.push_back(split(c));
  }
  for (const auto& c : r.permissions) {
    d.permissions.push_back(describe(c));
    d.permission_matches.push_back(split(c));
  }
  d.drops = r.drops;
  d.never_matches = r.principals.empty() || r.permissions.empty();
  return d;
}

}  // namespace meshproof::ir
