// Walks every written value of an AuthorizationPolicy with the field it belongs to, for the checks that
// look at values as written (literal-operator-value, literal-wildcard).
#pragma once

#include <functional>
#include <string>

#include "model/resources.h"

namespace meshproof::checks {

struct PolicyValue {
  const model::Str* value = nullptr;
  std::string field;   // "rules[0].from[1].source.principals", "rules[0].when[2] request.headers[x].notValues"
  std::string family;  // the Istio field family: "principals", "namespaces", "paths", "when:request.headers", ...
  bool negated = false;
};

// Calls `fn` for every value of every rule, in document order.
void for_each_value(const model::AuthorizationPolicy& p, const std::function<void(const PolicyValue&)>& fn);

}  // namespace meshproof::checks
