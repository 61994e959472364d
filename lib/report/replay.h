// Renderers of `meshproof replay` (replay/replay.h, docs/replay.md): text for people, JSON (schema
// meshproof.replay/v1) for scripts, Markdown for a pull-request comment. They read the result only.
#pragma once

#include <string>

#include "replay/replay.h"

namespace meshproof::report {

struct ReplayHeader {
  std::string paths;   // the policies replayed against, as given
  std::string log;     // the log file
  std::string format;  // "envoy-json", ...
  size_t max_unread_shown = 20;
};

std::string format_replay_text(const replay::Result& r, const ReplayHeader& h);
std::string format_replay_json(const replay::Result& r, const ReplayHeader& h);
std::string format_replay_markdown(const replay::Result& r, const ReplayHeader& h);
// SARIF 2.1.0: one result per class (would-break: error, would-allow: warning), at the deciding rule or,
// without one, at the class's first line of the log.
std::string format_replay_sarif(const replay::Result& r, const ReplayHeader& h);

// "GET /v1/refunds from cluster.local/ns/a/sa/b to ns/w port 8080" for one logged request.
std::string replay_request_text(const replay::LogRequest& r);

}  // namespace meshproof::report
