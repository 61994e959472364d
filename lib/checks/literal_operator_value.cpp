// literal-operator-value (MP2007): a value written like a comparison or a range (`>100000`, `<=5`,
// `08:00-18:00`). Istio has no operators: every value is an exact, prefix, suffix or presence match on the
// string as written (IS §5), so `notValues: [">100000"]` excludes only the literal text ">100000" and the
// rule still matches every amount.
#include <cctype>
#include <string>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/policy_values.h"

namespace meshproof::checks {
namespace {

// Small hand-written scanners (RE2 belongs to the model layer). Each consumes from `i` and reports whether
// it matched.
bool digits(const std::string& v, size_t& i, size_t min = 1, size_t max = 64) {
  size_t n = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && n < max) ++i, ++n;
  return n >= min;
}
void spaces(const std::string& v, size_t& i) {
  while (i < v.size() && v[i] == ' ') ++i;
}
bool number(const std::string& v, size_t& i) {
  if (i < v.size() && v[i] == '-') ++i;
  if (!digits(v, i)) return false;
  if (i < v.size() && v[i] == '.' && i + 1 < v.size() && std::isdigit(static_cast<unsigned char>(v[i + 1]))) {
    ++i;
    digits(v, i);
  }
  return true;
}
bool clock_time(const std::string& v, size_t& i) {  // H:MM or HH:MM(:SS)
  if (!digits(v, i, 1, 2) || i >= v.size() || v[i] != ':') return false;
  ++i;
  if (!digits(v, i, 2, 2)) return false;
  if (i < v.size() && v[i] == ':') {
    ++i;
    if (!digits(v, i, 2, 2)) return false;
  }
  return true;
}
// Consumes a comparison operator (">=", "<=", "==", "!=", "=>", "=<", ">", "<", "=").
bool comparison_operator(const std::string& v, size_t& i) {
  static const char* ops[] = {">=", "<=", "==", "!=", "=>", "=<", ">", "<", "="};
  for (const char* op : ops) {
    if (v.compare(i, std::char_traits<char>::length(op), op) == 0) {
      i += std::char_traits<char>::length(op);
      return true;
    }
  }
  return false;
}

// What the value looks like, or "" when it looks like an ordinary value.
std::string operator_shape(const std::string& v) {
  size_t i = 0;
  // "08:00-18:00", "9:00 - 17:30"
  spaces(v, i);
  if (clock_time(v, i)) {
    spaces(v, i);
    if (i < v.size() && v[i] == '-') {
      ++i;
      spaces(v, i);
      if (clock_time(v, i)) {
        spaces(v, i);
        if (i == v.size()) return "a time range";
      }
    }
  }
  // ">100000", "<= 5", "!=prod": an operator in front of a value.
  i = 0;
  spaces(v, i);
  if (comparison_operator(v, i)) {
    spaces(v, i);
    if (i < v.size() && (std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '.' || v[i] == '-' || v[i] == '+'))
      return "a comparison";
  }
  // "100-200", "1..10", "5 to 9"
  i = 0;
  spaces(v, i);
  if (number(v, i)) {
    spaces(v, i);
    bool sep = false;
    if (v.compare(i, 2, "..") == 0)
      i += 2, sep = true;
    else if (v.compare(i, 2, "to") == 0)
      i += 2, sep = true;
    else if (i < v.size() && v[i] == '-')
      ++i, sep = true;
    if (sep) {
      spaces(v, i);
      if (number(v, i)) {
        spaces(v, i);
        if (i == v.size()) return "a numeric range";
      }
    }
  }
  // "amount>100", "risk_score >= 0.8": a name, an operator, a number.
  i = 0;
  if (i < v.size() && (std::isalpha(static_cast<unsigned char>(v[i])) || v[i] == '_')) {
    while (i < v.size() && (std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '_' || v[i] == '.')) ++i;
    spaces(v, i);
    size_t before = i;
    if (comparison_operator(v, i) && v[before] != '=' && v[before] != '!') {
      spaces(v, i);
      if (number(v, i) && i == v.size()) return "a comparison";
    }
  }
  return "";
}

class LiteralOperatorValue final : public Check {
 public:
  LiteralOperatorValue()
      : Check(CheckInfo{
            "literal-operator-value", "MP2007", Severity::Warning,
            "A policy value looks like a comparison or a range, but Istio matches it as a literal string",
            "Istio AuthorizationPolicy values are matched as exact, prefix (`abc*`), suffix (`*abc`) or presence "
            "(`*`) strings only. A value such as `>100000`, `<=5` or `08:00-18:00` is compared as that literal "
            "text, so the rule does not restrict what its author intended."}) {}

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const model::AuthorizationPolicy& p : ctx.resources.authorization_policies) {
      for_each_value(p, [&](const PolicyValue& pv) {
        // Paths (`/a-b`), IP blocks and ports have their own syntax and validation.
        if (pv.family == "paths" || pv.family == "ipBlocks" || pv.family == "ports") return;
        const std::string& v = pv.value->value;
        std::string shape = operator_shape(v);
        if (shape.empty()) return;
        std::string effect = pv.negated ? "it excludes only requests whose value is exactly the text \"" + v +
                                              "\", so the rule still matches every other value"
                                        : "it matches only requests whose value is exactly the text \"" + v +
                                              "\", which real values never are";
        Finding f = make(p.ref(), pv.value->loc,
                         resource_text(p) + ": " + pv.field + " value \"" + v + "\" looks like " + shape +
                             ", but Istio has no comparison or range operators and matches it as a literal "
                             "string (docs/semantics.md#value-matching): " +
                             effect,
                         "Istio cannot compare numbers or times; enforce the limit in the application or an "
                         "external authorizer (action: CUSTOM), or list the exact allowed values",
                         pv.field + "=" + v);
        f.properties["field"] = pv.field;
        f.properties["value"] = v;
        out.push_back(std::move(f));
      });
    }
  }

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return policies_with_action(ctx, {}); }
};

}  // namespace

std::unique_ptr<Check> make_literal_operator_value_check() { return std::make_unique<LiteralOperatorValue>(); }

}  // namespace meshproof::checks
