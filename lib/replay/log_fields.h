// Field conversions the access-log parsers share (docs/replay.md#field-mapping): Envoy's "-" for an
// unset value, "IP:PORT" addresses, SPIFFE URIs, request paths without their query, and the observed
// decision of an Envoy line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "replay/log.h"

namespace meshproof::replay {

// Envoy writes "-" for an unset value; both it and "" are unset.
bool log_unset(std::string_view value);

struct LogAddress {
  std::string ip;
  uint32_t port = 0;  // 0: no port
};
// "10.1.4.7:8080" or "[fd00::1]:8080"; nullopt when it is not an address.
std::optional<LogAddress> parse_log_address(std::string_view text);

// "spiffe://cluster.local/ns/a/sa/b" → "cluster.local/ns/a/sa/b"; several URI SANs (comma-separated) or
// another URI → nullopt.
std::optional<std::string> principal_of_uri_san(std::string_view san);

// The path Istio's authorization matches: without "?query" and "#fragment".
std::string path_without_query(std::string_view path);

// Whether an Envoy line is a destination's inbound request (R1 of docs/replay.md): an empty reason when it
// is, else why it is ignored ("client-side line (outbound|...)").
std::string envoy_direction_ignored(std::string_view upstream_cluster);

// Fills `out` (observed, observed_detail) from Envoy's response code and details; false when the line
// records no response a decision can be read from.
bool envoy_observed(std::string_view code, std::string_view details, std::string_view termination, LogRequest& out);

// Sets the destination: `ns`/`name` from the line, else --to. False when neither names one.
bool set_destination(const std::string& ns, const std::string& name, const ParseOptions& options, LogRequest& out);

}  // namespace meshproof::replay
