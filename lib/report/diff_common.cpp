// What every diff renderer shares: the claim line and a witness in words.
#include "checks/gap_findings.h"
#include "report/diff.h"

namespace meshproof::report {

std::string expectation_line(const diff::Result& r, diff::Expectation e) {
  if (e == diff::Expectation::None) return "";
  if (diff::expectation_holds(r, e)) {
    switch (e) {
      case diff::Expectation::Equivalent:
        return "proven: equivalent (no request is decided differently after the change)";
      case diff::Expectation::Narrower:
        return "proven: narrower (no request is newly allowed)";
      case diff::Expectation::Wider:
        return "proven: wider (no request is newly denied)";
      case diff::Expectation::None:
        break;
    }
  }
  if (r.inconclusive()) return "not proven: inconclusive (the solver could not compare every port; see above)";
  size_t n = 0;
  for (const auto& p : r.ports)
    for (const auto& c : p.classes) n += diff::contradicts(c, e);
  for (const auto& c : r.network) n += diff::contradicts(c, e);
  return "not proven: " + std::to_string(n) + " counterexample class" + (n == 1 ? "" : "es") + " (marked !)";
}

std::string diff_witness_text(const diff::ClassChange& c) { return checks::gaps::witness_summary(c.after.witness); }

}  // namespace meshproof::report
