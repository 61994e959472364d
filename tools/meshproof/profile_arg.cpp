#include "profile_arg.h"

#include <iostream>

#include "base/text.h"
#include "profile/lookup.h"

namespace meshproof::cli {

std::optional<std::string> resolve_profile_arg(const std::string& spec) {
  if (spec.empty()) return spec;
  const profile::ProfileLookup found = profile::find_profile(spec, profile::executable_dir());
  if (!found.path.empty()) return found.path;
  std::vector<std::string> dirs;
  for (const auto& d : found.searched_dirs) dirs.push_back(d.string());
  const std::vector<std::string> names = profile::profile_names(found.searched_dirs);
  std::cerr << "meshproof: error: no profile '" << spec << "': not a file, and not found in "
            << (dirs.empty() ? std::string("any profile directory") : join(dirs, ", ")) << "\n"
            << "  help: "
            << (names.empty() ? std::string("give the path of a profile file (docs/profiles.md)")
                              : "the profiles shipped with meshproof are " + join(names, ", ") +
                                    "; or give the path of a profile file")
            << "\n";
  return std::nullopt;
}

}  // namespace meshproof::cli
