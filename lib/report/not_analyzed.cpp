// What every format says about the policy objects meshproof read past without modelling them
// (model/not_analyzed.h): counts per system and the closing error of a run that analyzed none of the
// input's policies.
#include <utility>

#include "report/report.h"

namespace meshproof::report {

bool only_unanalyzed_policies(const RunSummary& summary) {
  return !summary.not_analyzed.empty() && summary.policies == 0;
}

std::string not_analyzed_counts(const std::vector<model::NotAnalyzed>& items) {
  std::vector<std::pair<std::string, size_t>> counts;
  for (const model::NotAnalyzed& n : items) {
    auto it = counts.begin();
    while (it != counts.end() && it->first != n.system) ++it;
    if (it == counts.end())
      counts.emplace_back(n.system, 1);
    else
      ++it->second;
  }
  std::string out;
  for (const auto& [system, n] : counts) out += (out.empty() ? "" : ", ") + system + " " + std::to_string(n);
  return out;
}

std::string not_analyzed_failure(const RunSummary& summary) {
  if (!only_unanalyzed_policies(summary)) return "";
  const size_t n = summary.not_analyzed.size();
  return "nothing was analyzed: the input holds no Istio PeerAuthentication, AuthorizationPolicy or "
         "RequestAuthentication and no Linkerd Server, ServerAuthorization, AuthorizationPolicy, "
         "MeshTLSAuthentication or NetworkAuthentication, only " +
         std::to_string(n) + (n == 1 ? " object" : " objects") + " whose policy meshproof does not model (" +
         not_analyzed_counts(summary.not_analyzed) +
         "); a clean result would say nothing about them, so the exit code is 2. Check them with their own "
         "mesh's tools, or point meshproof at the Istio policies (docs/output.md#not-analyzed)";
}

}  // namespace meshproof::report
