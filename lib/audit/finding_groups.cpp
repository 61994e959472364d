// The findings section's order: grouped by control (in profile order), then by severity (error first);
// findings that no control maps come last. The report numbers findings in this order, so that numbers
// increase down the page and an auditor reads each control's findings together, worst first.
#include <algorithm>
#include <map>

#include "audit/sections.h"

namespace meshproof::audit {

std::vector<Finding> in_report_order(const profile::Profile& prof, const std::vector<Finding>& findings) {
  std::map<std::string, size_t> first_control;  // check -> index of the first control that maps it
  for (size_t i = 0; i < prof.controls.size(); ++i)
    for (const std::string& check : prof.controls[i].checks) first_control.emplace(check, i);
  auto key = [&](const Finding& f) {
    auto it = first_control.find(f.check);
    size_t control = it == first_control.end() ? prof.controls.size() : it->second;
    return std::make_pair(control, -static_cast<int>(f.severity));
  };
  std::vector<Finding> out(findings);
  std::stable_sort(out.begin(), out.end(), [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
  return out;
}

std::vector<FindingGroup> finding_groups(const profile::Profile& prof, const std::vector<AuditFinding>& findings) {
  std::vector<FindingGroup> groups;
  auto add_groups = [&](const std::string& control) {
    for (Severity sev : {Severity::Error, Severity::Warning, Severity::Note}) {
      FindingGroup g;
      g.control = control;
      g.severity = sev;
      for (size_t i = 0; i < findings.size(); ++i) {
        const AuditFinding& af = findings[i];
        if (af.finding.severity != sev) continue;
        const bool listed_here =
            control.empty() ? af.controls.empty() : !af.controls.empty() && af.controls[0] == control;
        if (listed_here)
          g.findings.push_back(i);
        else if (std::find(af.controls.begin(), af.controls.end(), control) != af.controls.end())
          g.see_also.push_back(i);
      }
      if (!g.findings.empty() || !g.see_also.empty()) groups.push_back(std::move(g));
    }
  };
  for (const profile::Control& c : prof.controls) add_groups(c.id);
  add_groups("");
  return groups;
}

}  // namespace meshproof::audit
