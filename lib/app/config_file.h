// `.meshproof.yaml`: a repository's defaults for `check` and `report` (profile, regulated namespaces,
// fail-on, baseline, exclude globs, the assumed data plane, Linkerd's default inbound policy), found by walking up from the current
// directory, or named with --config. Flags given on the command line win (docs/output.md, "Config file").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/location.h"
#include "load/loader.h"

namespace meshproof::app {

inline constexpr const char* kConfigFileName = ".meshproof.yaml";

struct ConfigFile {
  std::string path;
  std::string profile;  // a profile name ("hipaa") or a path, made relative to the config file's directory
  std::string fail_on;  // "error", "warning", "note", "never" or "" (not set)
  std::string baseline;
  std::string data_plane;  // "sidecar", "ambient", "none" or ""
  std::string linkerd_default_policy;  // Linkerd's install value proxy.defaultInboundPolicy, or ""
  std::vector<std::string> regulated, regulated_selectors, exclude;
};

// The nearest .meshproof.yaml in `start_dir` or a directory above it; "" when there is none.
std::string find_config_file(const std::string& start_dir);

// Reads and checks a config file. On a problem (unreadable, not a map, an unknown key, a wrong type or
// value) returns nullopt with errors at file:line:column; `sources` receives the file for the carets.
std::optional<ConfigFile> read_config_file(const std::string& path, SourceSet& sources,
                                           std::vector<load::LoadError>& errors);

}  // namespace meshproof::app
