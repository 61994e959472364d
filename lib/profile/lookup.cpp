#include "profile/lookup.h"

#include <sys/auxv.h>

#include <algorithm>
#include <system_error>

namespace meshproof::profile {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool has_yaml_extension(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

}  // namespace

std::vector<fs::path> profile_dirs(const fs::path& exe_dir) {
  if (exe_dir.empty()) return {};
  return {(exe_dir / ".." / "rules").lexically_normal(),
          (exe_dir / ".." / "share" / "meshproof" / "profiles").lexically_normal()};
}

bool is_profile_name(const std::string& spec) {
  return !spec.empty() && spec != "." && spec != ".." && spec.find('/') == std::string::npos;
}

ProfileLookup find_profile(const std::string& spec, const fs::path& exe_dir) {
  ProfileLookup out;
  if (is_file(spec) || !is_profile_name(spec)) {
    out.path = spec;
    return out;
  }
  const std::string file = has_yaml_extension(spec) ? spec : spec + ".yaml";
  out.searched_dirs = profile_dirs(exe_dir);
  for (const fs::path& dir : out.searched_dirs) {
    if (!is_file(dir / file)) continue;
    out.path = (dir / file).string();
    break;
  }
  return out;
}

std::vector<std::string> profile_names(const std::vector<fs::path>& dirs) {
  std::vector<std::string> names;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (has_yaml_extension(it->path()) && is_file(it->path())) names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

fs::path executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    // Without /proc (a chroot, some containers): the path the program was executed by, symbolic links
    // resolved. The kernel keeps it for the process (AT_EXECFN); relative paths are from the start directory.
    const char* execfn = reinterpret_cast<const char*>(getauxval(AT_EXECFN));
    if (!execfn) return {};
    exe = fs::weakly_canonical(fs::absolute(execfn, ec), ec);
    if (ec) return {};
  }
  return exe.parent_path();
}

}  // namespace meshproof::profile
