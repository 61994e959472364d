// Which findings bear on each row and cell of the access matrix, so that the report can link a cell to the
// findings behind it: a cell that an ALLOW rule fills links the findings about that policy; a cell filled
// because nothing is enforced (no ALLOW policy, no proxy) links the findings about the workload; the
// plaintext column also links the workload's transport findings.
#include <map>
#include <set>

#include "audit/sections.h"
#include "base/text.h"

namespace meshproof::audit {

namespace {

const char* kPlaintextColumn = "plaintext (no peer identity)";

std::string property(const Finding& f, const char* key) {
  auto it = f.properties.find(key);
  return it == f.properties.end() ? std::string() : it->second;
}

// The workloads a finding is about, as "ns/name" ("ns/*" for a namespace's other workloads): its `workload`
// or `server` property and the entries of its `workloads` list ("Deployment ns/name; any other workload in
// namespace ns").
std::set<std::string> workloads_of(const Finding& f) {
  std::set<std::string> out;
  for (const char* key : {"workload", "server"})
    if (std::string w = property(f, key); !w.empty()) out.insert(w);
  const std::string list = property(f, "workloads");
  if (list.empty()) return out;
  const std::string others = "any other workload in namespace ";
  for (const std::string& entry : split(list, ';')) {
    const std::string e = trim(entry);
    if (e.rfind(others, 0) == 0)
      out.insert(e.substr(others.size()) + "/*");
    else if (size_t space = e.rfind(' '); space != std::string::npos)
      out.insert(e.substr(space + 1));
  }
  return out;
}

bool about_transport(const Finding& f) {
  return f.check == "mtls-not-strict" || f.check == "plaintext-hop" || f.check == "plaintext-deny-bypass";
}

using Index = std::map<std::string, std::vector<size_t>>;

}  // namespace

void link_access_findings(AccessMatrix& m, const std::vector<AuditFinding>& findings) {
  Index by_workload, by_policy;
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i].finding;
    for (const std::string& w : workloads_of(f)) by_workload[w].push_back(i);
    if (f.resource.kind == "AuthorizationPolicy") by_policy[f.resource.ns + "/" + f.resource.name].push_back(i);
  }
  for (AccessRow& row : m.rows) {
    if (auto it = by_workload.find(row.workload); it != by_workload.end()) row.findings = it->second;
    for (size_t c = 0; c < row.cells.size() && c < m.columns.size(); ++c) {
      AccessCell& cell = row.cells[c];
      if (cell.kind == AccessKind::None) continue;
      std::set<size_t> linked;
      for (const std::string& p : cell.policies)
        if (auto it = by_policy.find(p); it != by_policy.end()) linked.insert(it->second.begin(), it->second.end());
      for (size_t i : row.findings) {
        const bool unenforced = cell.basis != AccessBasis::AllowRule;
        if (unenforced || (m.columns[c] == kPlaintextColumn && about_transport(findings[i].finding))) linked.insert(i);
      }
      cell.findings.assign(linked.begin(), linked.end());
    }
  }
}

}  // namespace meshproof::audit
