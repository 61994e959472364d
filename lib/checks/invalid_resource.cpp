// invalid-resource (MP1001): every validation diagnostic of the model layer (what Istio's admission
// webhook and CRD schema reject or warn about, IS §9) becomes a finding, so that one run reports both
// "Istio would not accept this" and the semantic problems. An object defined twice is not invalid (the last
// copy is in force): duplicate-resource reports it.
#include "checks/check.h"

namespace meshproof::checks {
namespace {

class InvalidResource final : public Check {
 public:
  InvalidResource()
      : Check(CheckInfo{
            "invalid-resource", "MP1001", Severity::Error,
            "A resource that Istio's validation rejects (error) or warns about (warning)",
            "Reports what Istio's admission webhook and CRD schema would reject or warn about: wrong types, "
            "empty values, fields that cannot be combined, bad ports, IPs and wildcards, and keys written twice. "
            "A rejected object never reaches the proxies, so the policy it expresses is not in force; a "
            "warning marks configuration that is accepted but probably does not do what it says."}) {}

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const model::Diagnostic& d : ctx.resources.diagnostics) {
      std::string subject = d.resource.kind.empty() ? std::string("a document") : d.resource.display();
      std::string where = d.field.empty() ? std::string() : d.field + ": ";
      bool rejected = d.severity == Severity::Error;
      std::string message =
          rejected ? subject + " is invalid: " + where + d.message : subject + ": Istio warns: " + where + d.message;
      std::string help = d.help;
      if (help.empty()) {
        std::string field = d.field.empty() ? std::string("the object") : d.field;
        help = rejected ? "fix " + field +
                              " so that Istio's validation accepts the object; until then "
                              "applying it fails and the configuration it expresses is not in force"
                        : "review " + field + ": Istio accepts it but warns that it may not do what you intend";
      }
      Finding f = make(d.resource, d.loc, std::move(message), std::move(help), d.field + '\x1f' + d.message);
      f.severity = d.severity;
      f.properties["field"] = d.field;
      f.properties["validation"] = to_string(d.severity);
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_invalid_resource_check() { return std::make_unique<InvalidResource>(); }

}  // namespace meshproof::checks
