#include "ir/program_signature.h"

namespace meshproof::ir {

namespace {

void append_signature_rule(std::string& out, const Rule& rule) {
  out += rule.policy.dry_run ? "R~" : "R ";
  out += rule.policy.provider + "|";
  for (const auto* clauses : {&rule.principals, &rule.permissions}) {
    out += "(";
    for (const auto& clause : *clauses) {
      out += "[";
      for (const auto& match : clause.matches) {
        out += match.negated ? "!{" : "{";
        for (const auto& term : match.terms) {
          if (term.is_false) {
            out += "F;";
            continue;
          }
          for (const auto& atom : term.atoms) out += to_string(atom) + "&";
          out += ";";
        }
        out += "}";
      }
      out += "]";
    }
    out += ")";
  }
  out += "\n";
}

}  // namespace

std::string decision_signature(const Program& p) {
  std::string out = std::to_string(p.port) + "/" + to_string(p.protocol) + " mtls " + model::to_string(p.mtls) +
                    " custom " + to_string(p.custom_mode) + " allow-policy " + (p.has_allow_policy ? "1" : "0") +
                    " enforced " + (p.enforced ? "1" : "0") + " norm " +
                    std::to_string(static_cast<int>(p.path_normalization)) + " request-authn " +
                    (p.has_request_authentication ? "1" : "0") + "\n";
  for (const auto& j : p.jwt_issuers) {
    out += "jwt " + j.issuer;
    for (const auto& a : j.audiences) out += " " + a;
    out += "\n";
  }
  const char* names[] = {"custom", "deny", "allow", "audit"};
  int i = 0;
  for (const auto* rules : {&p.custom, &p.deny, &p.allow, &p.audit}) {
    out += std::string(names[i++]) + ":\n";
    for (const auto& rule : *rules) append_signature_rule(out, rule);
  }
  return out;
}

}  // namespace meshproof::ir
