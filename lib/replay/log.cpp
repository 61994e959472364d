#include "replay/log.h"

#include "base/text.h"

namespace meshproof::replay {

std::optional<Format> format_named(std::string_view name) {
  if (name == "envoy-json") return Format::EnvoyJson;
  if (name == "envoy-text") return Format::EnvoyText;
  if (name == "hubble-json") return Format::HubbleJson;
  return std::nullopt;
}

const char* to_string(Format f) {
  switch (f) {
    case Format::EnvoyJson:
      return "envoy-json";
    case Format::EnvoyText:
      return "envoy-text";
    case Format::HubbleJson:
      return "hubble-json";
  }
  return "?";
}

const char* to_string(Observed o) { return o == Observed::Denied ? "denied" : "served"; }

namespace {

LineOutcome parse_line(std::string_view line, const ParseOptions& options) {
  switch (options.format) {
    case Format::EnvoyJson:
      return parse_envoy_json_line(line, options);
    case Format::EnvoyText:
      return parse_envoy_text_line(line, options);
    case Format::HubbleJson:
      return parse_hubble_line(line, options);
  }
  return {};
}

}  // namespace

ParsedLog parse_log(std::string_view text, const ParseOptions& options) {
  ParsedLog out;
  size_t number = 0;
  for (const std::string& raw : split(text, '\n')) {
    ++number;
    const std::string line = trim(raw);
    if (line.empty()) continue;
    LineOutcome o = parse_line(line, options);
    if (o.kind == LineOutcome::Request) {
      o.request.line = number;
      out.requests.push_back(std::move(o.request));
    } else if (o.kind == LineOutcome::Ignored) {
      ++out.ignored[o.reason];
    } else {
      out.unread.push_back({number, o.reason, line.size() > 200 ? line.substr(0, 200) + "..." : line});
    }
  }
  return out;
}

}  // namespace meshproof::replay
