// The profile's exceptions as the report lists them: status on the report's exception date and how many
// findings of this run each one covers.
#include <optional>

#include "audit/sections.h"

namespace meshproof::audit {

namespace {

// The port a finding is about (its "port" property), for matching port-scoped exceptions.
std::optional<uint32_t> finding_port(const Finding& f) {
  auto it = f.properties.find("port");
  if (it == f.properties.end() || it->second.empty()) return std::nullopt;
  uint32_t port = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
    if (port > 65535) return std::nullopt;
  }
  return port;
}

}  // namespace

// checks/run.cpp marks findings that an approved exception covers with a suppression starting "exception".
bool excepted_by_profile(const Finding& f) { return f.suppression.rfind("exception", 0) == 0; }

std::vector<ExceptionRow> exception_rows(const checks::Context& ctx, const std::vector<Finding>& findings,
                                         const std::string& today) {
  std::vector<ExceptionRow> rows;
  for (const profile::Exception& e : ctx.profile.exceptions) {
    ExceptionRow row;
    row.check = e.check;
    row.resource = e.resource;
    row.port = e.port ? std::to_string(*e.port) : "";
    row.justification = e.justification;
    row.approver = e.approver;
    row.expires = e.expires;
    row.status = e.expired_on(today) ? "expired" : (e.expires.empty() ? "no expiry" : "active");
    row.location = e.loc.known() ? ctx.sources.describe(e.loc) : "";
    for (const Finding& f : findings)
      if (excepted_by_profile(f) && e.matches(f.check, f.resource, finding_port(f))) ++row.covered;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace meshproof::audit
