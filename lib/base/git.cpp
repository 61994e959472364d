#include "base/git.h"

#include <filesystem>
#include <fstream>

#include "base/text.h"

namespace meshproof {

namespace fs = std::filesystem;

namespace {

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

bool is_commit_id(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The git directory of a work tree root: `.git` itself, or where a `.git` file's "gitdir:" points.
std::optional<fs::path> git_dir_of(const fs::path& root) {
  const fs::path dot_git = root / ".git";
  std::error_code ec;
  if (fs::is_directory(dot_git, ec)) return dot_git;
  if (!fs::is_regular_file(dot_git, ec)) return std::nullopt;
  const std::string line = first_line(dot_git);
  if (line.rfind("gitdir: ", 0) != 0) return std::nullopt;
  fs::path dir = line.substr(8);
  return dir.is_absolute() ? dir : (root / dir).lexically_normal();
}

// Where refs, packed-refs and config live: a worktree's git directory names it in `commondir`.
fs::path common_dir_of(const fs::path& git_dir) {
  const std::string common = first_line(git_dir / "commondir");
  if (common.empty()) return git_dir;
  fs::path p = common;
  return p.is_absolute() ? p : (git_dir / p).lexically_normal();
}

std::string resolve_ref(const fs::path& git_dir, const fs::path& common, const std::string& ref) {
  for (const fs::path& dir : {git_dir, common}) {
    const std::string id = first_line(dir / ref);
    if (is_commit_id(id)) return id;
  }
  std::ifstream packed(common / "packed-refs");
  std::string line;
  while (std::getline(packed, line))
    if (line.size() > 41 && line.compare(41, std::string::npos, ref) == 0 && is_commit_id(line.substr(0, 40)))
      return line.substr(0, 40);
  return "";
}

// url of [remote "origin"] in the git config.
std::string origin_url(const fs::path& common) {
  std::ifstream in(common / "config");
  std::string line;
  bool in_origin = false;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (!t.empty() && t.front() == '[') {
      in_origin = t == "[remote \"origin\"]";
    } else if (in_origin && t.rfind("url", 0) == 0) {
      const size_t eq = t.find('=');
      if (eq != std::string::npos) return trim(t.substr(eq + 1));
    }
  }
  return "";
}

}  // namespace

std::optional<GitCheckout> find_git_checkout(const std::string& dir) {
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty(); p = p.parent_path()) {
    if (auto git_dir = git_dir_of(p)) {
      const fs::path common = common_dir_of(*git_dir);
      GitCheckout out;
      out.root = p.string();
      while (out.root.size() > 1 && out.root.back() == '/') out.root.pop_back();
      const std::string head = first_line(*git_dir / "HEAD");
      if (head.rfind("ref: ", 0) == 0) {
        const std::string ref = head.substr(5);
        if (ref.rfind("refs/heads/", 0) == 0) out.branch = ref.substr(11);
        out.commit = resolve_ref(*git_dir, common, ref);
      } else if (is_commit_id(head)) {
        out.commit = head;
      }
      out.remote_url = origin_url(common);
      return out;
    }
    if (p == p.root_path()) break;
  }
  return std::nullopt;
}

}  // namespace meshproof
