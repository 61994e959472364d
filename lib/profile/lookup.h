// Where `--profile NAME` finds a compliance profile: a path as given, else a profile shipped with meshproof
// looked up by name in the checkout's rules/ or the installed share/meshproof/profiles (docs/profiles.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace meshproof::profile {

struct ProfileLookup {
  std::string path;                                  // the file to load; "" when a bare name was not found
  std::vector<std::filesystem::path> searched_dirs;  // where a bare name was looked for, in order
};

// The directories a bare profile name is looked up in, in order, for a binary in `exe_dir`:
//   <exe_dir>/../rules                     a build tree beside the checkout's rules/ (checkout/build/meshproof)
//   <exe_dir>/../share/meshproof/profiles  an installed binary (/usr/bin/meshproof, /usr/local/bin/meshproof)
std::vector<std::filesystem::path> profile_dirs(const std::filesystem::path& exe_dir);

// The file `--profile SPEC` means. SPEC itself when it names an existing file (a path as given, relative to
// the current directory); else, when SPEC is a bare name (no '/': `hipaa` or `hipaa.yaml`), the first
// NAME.yaml in profile_dirs(exe_dir); else SPEC unchanged, so that loading reports the unreadable path.
ProfileLookup find_profile(const std::string& spec, const std::filesystem::path& exe_dir);

// Whether SPEC is a name to look up rather than a path: no directory separator.
bool is_profile_name(const std::string& spec);

// The names (file stems) of the profiles in `dirs`, sorted and without repeats, for help text.
std::vector<std::string> profile_names(const std::vector<std::filesystem::path>& dirs);

// The directory of the running executable (/proc/self/exe, else the path it was executed by); "" when
// neither can be read.
std::filesystem::path executable_dir();

}  // namespace meshproof::profile
