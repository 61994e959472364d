// `--profile`: a path, or the name of a profile shipped with meshproof (profile/lookup.h).
#pragma once

#include <optional>
#include <string>

namespace meshproof::cli {

// The profile file to load for `--profile SPEC` ("" stays "": the built-in default). nullopt, with the
// places searched and the names found printed to stderr, when SPEC is a bare name no directory holds.
std::optional<std::string> resolve_profile_arg(const std::string& spec);

}  // namespace meshproof::cli
