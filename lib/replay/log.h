// Access-log lines read back into requests for `meshproof replay` (docs/replay.md). One parser per log
// format turns a line into the `meshproof query` request it records, with what the proxy did with it; a
// line that lacks a field the request needs is kept with the reason, never completed by a guess.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/query.h"

namespace meshproof::replay {

enum class Format { EnvoyJson, EnvoyText, HubbleJson };
std::optional<Format> format_named(std::string_view name);  // "envoy-json", "envoy-text", "hubble-json"
const char* to_string(Format f);

// What the log shows the proxy did with the request.
enum class Observed {
  Served,  // it passed authorization (any response that is not an authorization denial)
  Denied,  // refused by the RBAC filter (403 rbac_access_denied_matched_policy[...], or the TCP connection
           // terminated with it), by JWT authentication (401 jwt_authn_*), or a policy drop (Hubble)
};
const char* to_string(Observed o);  // "served", "denied"

// One request rebuilt from one line: the `meshproof query` flags that describe it.
struct LogRequest {
  size_t line = 0;
  analysis::QuerySpec spec;
  Observed observed = Observed::Served;
  std::string observed_detail;  // "200", "403 rbac_access_denied_matched_policy[none]", "FORWARDED"
};

// A line that could not be rebuilt, with why (and what to log so that it can be).
struct UnreadLine {
  size_t line = 0;
  std::string reason;
  std::string text;  // the line, cut to 200 characters
};

struct ParsedLog {
  std::vector<LogRequest> requests;
  std::vector<UnreadLine> unread;
  // Lines that record no authorization decision of a destination (client-side lines, egress flows,
  // replies, blank lines): how many per reason.
  std::map<std::string, size_t> ignored;
};

struct ParseOptions {
  Format format = Format::EnvoyJson;
  std::string to;  // --to NAMESPACE/NAME: the workload whose proxy wrote the lines that do not name one
};

// Reads every line of `text`.
ParsedLog parse_log(std::string_view text, const ParseOptions& options);

// One line's outcome, for the parsers (parse_*.cpp) and their tests.
struct LineOutcome {
  enum Kind { Request, Ignored, Unread } kind = Unread;
  LogRequest request;
  std::string reason;  // Ignored and Unread
};
LineOutcome parse_envoy_json_line(std::string_view line, const ParseOptions& options);
LineOutcome parse_envoy_text_line(std::string_view line, const ParseOptions& options);
LineOutcome parse_hubble_line(std::string_view line, const ParseOptions& options);

}  // namespace meshproof::replay
