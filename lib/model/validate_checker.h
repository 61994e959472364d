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

}  // namespace meshproof::model::detail
