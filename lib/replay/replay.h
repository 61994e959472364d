// `meshproof replay` as a library call (docs/replay.md): every request rebuilt from an access log is
// decided under the analyzed policies with `meshproof query`'s own answer (analysis::answer_query), and
// compared with what the log shows the proxy did. Requests the policies would deny but the log shows
// served would break; requests they would allow but the log shows denied would be newly allowed. Both are
// grouped into classes: destination workload × port × decision × deciding rule, with a count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "replay/log.h"

namespace meshproof::replay {

// One logged request and the decision under the analyzed policies.
struct Decided {
  LogRequest request;
  std::string verdict;        // "ALLOW", "DENY", "DELEGATED", "REJECTED"
  std::string reason;         // engine::Reason, kebab-case
  std::string rule;           // "NS/NAME rules[i]" of the deciding rule; "" when no rule decided
  std::string rule_location;  // "file:line:col"
  std::string rule_file;      // the rule's file as the user named it, and its line (SARIF); "" / 0 when none
  uint32_t rule_line = 0;
  std::string explanation;    // one sentence, as `meshproof query` prints it
};

enum class Outcome {
  WouldBreak,  // served in the log, denied (or rejected) under the policies
  WouldAllow,  // denied in the log, allowed under the policies
};
const char* to_string(Outcome o);  // "would-break", "would-allow"

// Requests with one outcome, destination, port, decision and deciding rule.
struct ReplayClass {
  Outcome outcome = Outcome::WouldBreak;
  std::string to;
  uint32_t port = 0;
  size_t count = 0;
  std::vector<size_t> lines;  // the first kMaxLinesPerClass line numbers
  Decided example;            // the first request of the class
};
inline constexpr size_t kMaxLinesPerClass = 20;

struct Result {
  std::vector<ReplayClass> would_break, would_allow;
  size_t replayed = 0;                    // requests decided
  size_t agreeing = 0;                    // served and allowed, or denied and denied
  size_t delegated = 0;                   // a CUSTOM policy sends it to an external authorizer: no comparison
  std::vector<UnreadLine> unread;         // lines not rebuilt, and requests `query` refuses (unknown workload...)
  std::map<std::string, size_t> ignored;  // lines that record no destination's decision, per reason
};

Result replay(const analysis::Analysis& analysis, const ParsedLog& log);

// The `meshproof query` flags (without PATHS) that ask the same question: "--to ns/w --port 8080 ...".
std::string query_flags(const analysis::QuerySpec& spec);

}  // namespace meshproof::replay
