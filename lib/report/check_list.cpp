// `meshproof checks`: the registered checks as a table or JSON.
#include <algorithm>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "report/run.h"

namespace meshproof::report {

namespace {

std::string check_list_text() {
  size_t width = 5;
  for (const auto& c : checks::all_checks()) width = std::max(width, c->info().name.size());
  std::ostringstream o;
  o << std::left << std::setw(static_cast<int>(width)) << "check"
    << "  id      severity  summary\n";
  for (const auto& c : checks::all_checks()) {
    const checks::CheckInfo& i = c->info();
    o << std::left << std::setw(static_cast<int>(width)) << i.name << "  " << std::setw(6) << i.id << "  "
      << std::setw(8) << to_string(i.severity) << "  " << i.summary << "\n";
  }
  o << "\nEach check is described in docs/checks/<check>.md; --check, profiles and suppressions take the names.\n";
  return o.str();
}

std::string check_list_json() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : checks::all_checks()) {
    const checks::CheckInfo& i = c->info();
    list.push_back({{"name", i.name},
                    {"id", i.id},
                    {"severity", to_string(i.severity)},
                    {"summary", i.summary},
                    {"doc", i.doc()}});
  }
  return list.dump(2) + "\n";
}

}  // namespace

std::string format_check_list(const std::string& format) {
  return format == "json" ? check_list_json() : check_list_text();
}

}  // namespace meshproof::report
