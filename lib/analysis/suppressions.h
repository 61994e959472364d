// In-source suppressions: the annotation `meshproof.dev/ignore` on a resource's metadata.annotations
// suppresses findings of the named checks about that resource (docs/output.md, "Suppressions").
//
//   metadata:
//     annotations:
//       meshproof.dev/ignore: "mtls-not-strict: legacy scraper, migrating in Q3; no-default-deny: batch job"
//
// Entries are `check-name: reason`, separated by `;` or newlines. Every entry needs a reason, and the
// check must exist: a malformed entry suppresses nothing and becomes an `invalid-suppression` warning at
// the annotation, so that a typo never silently stops (or fails to stop) a finding.
//
// Which resource an annotation covers: the object that carries it. A finding about a declared workload
// names the Deployment (StatefulSet, ...) itself, so that object's annotation applies; a finding about a
// pseudo-workload ("Workload ns/*", any other workload of a namespace, or a selector no declared
// workload satisfies) is covered by the annotation on the Namespace object. A Namespace annotation does
// not cover the other resources in the namespace: suppressions stay next to what they excuse.
#pragma once

#include <string>
#include <vector>

#include "base/finding.h"
#include "checks/check.h"
#include "model/resources.h"

namespace meshproof::analysis {

inline constexpr const char* kIgnoreAnnotation = "meshproof.dev/ignore";
inline constexpr const char* kInvalidSuppression = "invalid-suppression";

// The pseudo-check that reports malformed annotations (not in the check registry: it runs after the
// checks, in this layer). SARIF lists it as a rule when one of its findings is present.
const checks::CheckInfo& invalid_suppression_info();

struct IgnoreEntry {
  std::string check;
  std::string reason;
};

struct ParsedIgnore {
  std::vector<IgnoreEntry> entries;   // well-formed entries whose check exists
  std::vector<std::string> problems;  // one message per malformed entry
};

// Parses an annotation value. A name is a check when the registry has it (or it is invalid-suppression).
ParsedIgnore parse_ignore_annotation(const std::string& value);

struct SuppressionStats {
  size_t suppressed = 0;  // findings newly marked "annotation: <reason>"
  size_t invalid = 0;     // invalid-suppression findings added
};

// The post-pass: marks findings covered by an annotation (Finding::suppression = "annotation: <reason>";
// findings already suppressed by a profile exception keep that), appends an invalid-suppression warning
// per malformed entry, and re-sorts with finding_less. Call right after checks::run_checks and before
// baselines are applied.
// `resources`: the sets whose objects' annotations count (the admitted objects and the rejected ones, whose
// own invalid-resource findings their annotations may suppress).
SuppressionStats apply_annotation_suppressions(std::vector<Finding>& findings,
                                               const std::vector<const model::ResourceSet*>& resources,
                                               const SourceSet& sources);

}  // namespace meshproof::analysis
