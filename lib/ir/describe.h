// Human-readable renderings of lowered rules, as structured data, for `meshproof explain` and for
// messages of the checks. The final text/JSON layout is the caller's.
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"

namespace meshproof::ir {

// "peer.namespace == \"foo\" and peer.service_account == \"bar\""; "true" / "false" for constants.
std::string describe(const Term& t);
// "principals: (A) or (B)"; a negated match reads "not notPrincipals: (...)".
std::string describe(const Match& m);
// The matches joined with " and "; "any request" when empty.
std::string describe(const Clause& c);

struct RuleDescription {
  std::string title;                     // "foo/allow-web rules[0] (ALLOW)", "+ dry-run"
  std::vector<std::string> principals;   // one line per principal clause (OR); empty: never matches
  std::vector<std::string> permissions;  // one line per permission clause (OR)
  // The same clauses with one string per match (AND-ed), for layouts that put each field on a line.
  std::vector<std::vector<std::string>> principal_matches, permission_matches;
  std::vector<Drop> drops;     // what Istio removed or widened, with reasons
  bool never_matches = false;  // no principal or no permission clause
};
RuleDescription describe(const Rule& r);

}  // namespace meshproof::ir
