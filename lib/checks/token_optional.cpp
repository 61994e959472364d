// token-optional (MP2009): a RequestAuthentication whose workload still allows a request that carries no
// JWT at all. Istio's jwt_authn filter requires "provider OR allow_missing": an invalid token is rejected
// with 401, a missing token passes, and `presence: REQUIRED` is not read by pilot (IS §9, §12). Requiring a
// token takes an ALLOW rule with `requestPrincipals` (or a DENY with `notRequestPrincipals: ["*"]`); a
// RequestAuthentication on its own makes the token optional.
//
// Per HTTP view of every workload the RequestAuthentication applies to: "token == none ∧ verdict ==
// ALLOW" sat → the witness is that request. TCP views carry no JWT at all (no jwt_authn filter on a TCP
// chain, IS §1) and are not considered.
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_support.h"

namespace meshproof::checks {
namespace {

const CheckInfo& info() {
  static const CheckInfo i{
      "token-optional", "MP2009", Severity::Warning,
      "A RequestAuthentication validates tokens, but requests without any token are still allowed",
      "A RequestAuthentication only rejects invalid tokens: a request without a token passes authentication "
      "(presence: REQUIRED is not enforced by Istio). Unless an ALLOW rule requires requestPrincipals (or a DENY "
      "rule denies notRequestPrincipals: [\"*\"]), the token is optional. Reported with a request without a "
      "token that Istio allows."};
  return i;
}

struct Facts {
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string allowed_because;
  std::string unknown;
};

class TokenAnalyzer final : public gaps::Analyzer {
 public:
  explicit TokenAnalyzer(const gaps::Shared& s) : s_(s) {}

  void visit(gaps::ClassView& cls) override {
    if (cls.views.empty()) return;
    for (const model::RequestAuthentication* ra : cls.rep->request_authentications) {
      if (s_.rejected(*ra) || ra->jwt_rules.empty()) continue;
      Facts& f = facts_[ra];
      for (gaps::View& v : cls.views) {
        const ir::Program& prog = v.program();
        if (prog.protocol != ir::Protocol::Http || !prog.has_request_authentication) continue;
        auto r = v.find(engine::Query().token(ir::TokenState::None).verdict(engine::Verdict::Allow));
        if (r.answer == engine::SatAnswer::Unknown) {
          if (f.unknown.empty()) f.unknown = r.reason + " on " + v.describe() + " of " + prog.workload;
          continue;
        }
        if (r.answer != engine::SatAnswer::Sat) continue;
        for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
        if (!f.example) {
          f.example = gaps::witness_of(s_, prog, r);
          f.allowed_because = r.decision->explanation;
        }
        break;
      }
    }
  }

  void finish(std::vector<Finding>& out) override {
    for (const auto& ra : s_.ctx.resources.request_authentications) {
      auto it = facts_.find(&ra);
      if (it == facts_.end()) continue;
      const Facts& f = it->second;
      const std::string subject = "RequestAuthentication " + namespace_of(ra) + "/" + ra.meta.name;
      if (!f.example) {
        if (!f.unknown.empty()) {
          Finding n = gaps::inconclusive_finding(info(), ra.ref(), ra.loc, subject,
                                                 "a request without a token is allowed", f.unknown, "token");
          out.push_back(std::move(n));
        }
        continue;
      }
      std::string msg = subject + " validates tokens for " + gaps::list_text(f.workloads, 3) +
                        ", but a request without any token is still allowed there: a RequestAuthentication only "
                        "rejects invalid tokens, and no ALLOW rule that admits this request requires "
                        "requestPrincipals (IS §12); e.g. " +
                        gaps::witness_summary(*f.example) + " without a token is " + f.example->decision + " (" +
                        f.allowed_because + ")";
      Finding fnd = gaps::make_finding(
          info(), ra.ref(), ra.loc, std::move(msg),
          "require a token where it is needed: add `requestPrincipals: [\"*\"]` (or ISSUER/*) to the `from` of the "
          "ALLOW rules for those requests, or add a DENY rule with `notRequestPrincipals: [\"*\"]` for the paths "
          "that must not be reached without one",
          "token");
      fnd.witness = f.example;
      fnd.properties["workloads"] = join(f.workloads, "; ");
      out.push_back(std::move(fnd));
    }
  }

 private:
  const gaps::Shared& s_;
  std::map<const model::RequestAuthentication*, Facts> facts_;
};

class TokenOptional final : public Check {
 public:
  const CheckInfo& info() const override { return checks::info(); }
  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const auto& f = gaps::findings_of(ctx, info().name);
    out.insert(out.end(), f.begin(), f.end());
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> s;
    for (const auto& ra : ctx.resources.request_authentications) s.push_back(ra.ref());
    return s;
  }
};

}  // namespace

namespace gaps {
std::unique_ptr<Analyzer> make_token_optional_analyzer(const Shared& s) {
  return std::make_unique<TokenAnalyzer>(s);
}
}  // namespace gaps

std::unique_ptr<Check> make_token_optional_check() { return std::make_unique<TokenOptional>(); }

}  // namespace meshproof::checks
