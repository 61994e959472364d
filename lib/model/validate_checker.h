// The diagnostics of one resource's validation: errors and warnings with the field they concern, located
// at the field's line when known and at the resource otherwise. Shared by validate.cpp (the security kinds)
// and validate_gateway.cpp. PRIVATE to lib/model.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model/validate.h"

namespace meshproof::model::detail {

class Checker {
 public:
  Checker(std::vector<Diagnostic>& out, const ResourceBase& r) : out_(out), resource_(r) {}

  void error(Loc loc, std::string field, std::string message, std::string help = {}) {
    add(Severity::Error, loc, std::move(field), std::move(message), std::move(help));
  }
  void warning(Loc loc, std::string field, std::string message, std::string help = {}) {
    add(Severity::Warning, loc, std::move(field), std::move(message), std::move(help));
  }

 private:
  void add(Severity s, Loc loc, std::string field, std::string message, std::string help) {
    Diagnostic d;
    d.severity = s;
    d.message = std::move(message);
    d.help = std::move(help);
    d.resource = resource_.ref();
    d.loc = loc.known() ? loc : resource_.loc;
    d.field = std::move(field);
    out_.push_back(std::move(d));
  }
  std::vector<Diagnostic>& out_;
  const ResourceBase& resource_;  // its ResourceRef is built only when a diagnostic is reported
};

// A DNS-1123 label as Istio's agent.IsDNS1123Label / labels.IsDNS1123Label read it (letters of either case,
// digits, inner '-'; at most 63 characters). Defined in validate_gateway.cpp.
bool dns_label(const std::string& l);
// agent.ValidateWildcardDomain's reason, or "" when `host` is a valid (wildcard) domain.
std::string wildcard_domain_problem(const std::string& host);

}  // namespace meshproof::model::detail
