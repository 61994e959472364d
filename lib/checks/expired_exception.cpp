// expired-exception (MP1005): a profile exception whose `expires` date has passed. It no longer
// suppresses anything (run.cpp), and the lapsed approval is itself a finding: an auditor reads an
// expired exception as an unapproved deviation. Points at the exception in the profile file.
#include "checks/check.h"
#include "checks/run.h"

namespace meshproof::checks {
namespace {

class ExpiredException final : public Check {
 public:
  ExpiredException()
      : Check(CheckInfo{"expired-exception", "MP1005", Severity::Error,
                        "A compliance profile exception has passed its expiry date",
                        "Profile exceptions record approved deviations with a justification, an approver and an expiry "
                        "date. After that date the exception stops suppressing findings, and the lapsed approval is "
                        "reported here so that it is renewed or the deviation is fixed."}) {}

  // Added (report engineer): this check examines the profile's exceptions, and reports against the
  // profile (its findings' resource), so that JUnit and auditor evidence name the profile rather than
  // the default list of policies.
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    if (ctx.profile.exceptions.empty()) return {};
    return {ResourceRef{"Profile", "", ctx.profile.name, ctx.profile.exceptions.front().loc, ""}};
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const std::string today = effective_today(ctx.options);
    const profile::Profile& prof = ctx.profile;
    for (const profile::Exception& e : prof.exceptions) {
      if (!e.expired_on(today)) continue;
      std::string message = "the exception for " + e.describe() + " in profile " + prof.name + " expired on " +
                            e.expires + " (approved by " + e.approver + ": \"" + e.justification +
                            "\"); it no longer suppresses findings";
      std::string help =
          "renew the approval and move `expires` forward, or fix what it excepts and remove "
          "the exception";
      ResourceRef profile_ref{"Profile", "", prof.name, e.loc, ""};
      Finding f = make(profile_ref, e.loc, std::move(message), std::move(help), e.describe());
      f.properties["exception_check"] = e.check;
      f.properties["exception_resource"] = e.resource;
      if (e.port) f.properties["exception_port"] = std::to_string(*e.port);
      f.properties["expires"] = e.expires;
      f.properties["approver"] = e.approver;
      f.properties["profile"] = prof.name;
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_expired_exception_check() { return std::make_unique<ExpiredException>(); }

}  // namespace meshproof::checks
