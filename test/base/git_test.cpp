// The git checkout is read from the .git directory: branches (loose and packed refs), detached HEADs,
// worktrees (a .git file with commondir) and the origin remote.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/git.h"

namespace fs = std::filesystem;
using meshproof::find_git_checkout;

namespace {

const std::string kCommit1 = "0123456789abcdef0123456789abcdef01234567";
const std::string kCommit2 = "89abcdef0123456789abcdef0123456789abcdef";

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("meshproof-git-" + std::to_string(getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST_CASE("git: a branch in packed-refs, found from a subdirectory, with the origin url", "[base][git]") {
  fs::path repo = fresh_dir("packed");
  put(repo / ".git/HEAD", "ref: refs/heads/feature/x\n");
  put(repo / ".git/packed-refs", "# pack-refs with: peeled fully-peeled sorted\n" + kCommit2 + " refs/heads/main\n" +
                                     kCommit1 + " refs/heads/feature/x\n");
  put(repo / ".git/config",
      "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://example.com/up.git\n"
      "[remote \"origin\"]\n\turl = git@github.com:org/mesh.git\n");
  fs::create_directories(repo / "a/b");
  auto co = find_git_checkout((repo / "a/b").string());
  REQUIRE(co);
  CHECK(co->root == repo.string());
  CHECK(co->branch == "feature/x");
  CHECK(co->commit == kCommit1);
  CHECK(co->remote_url == "git@github.com:org/mesh.git");
}

TEST_CASE("git: a worktree's .git file and commondir, a loose ref, a detached HEAD", "[base][git]") {
  fs::path top = fresh_dir("worktree");
  fs::path main = top / "main", wt = top / "wt";
  put(main / ".git/HEAD", kCommit2 + "\n");  // detached
  put(main / ".git/refs/heads/wt-b", kCommit1 + "\n");
  put(main / ".git/worktrees/wt/HEAD", "ref: refs/heads/wt-b\n");
  put(main / ".git/worktrees/wt/commondir", "../..\n");
  put(wt / ".git", "gitdir: " + (main / ".git/worktrees/wt").string() + "\n");

  auto w = find_git_checkout(wt.string());
  REQUIRE(w);
  CHECK(w->root == wt.string());
  CHECK(w->branch == "wt-b");
  CHECK(w->commit == kCommit1);
  CHECK(w->remote_url.empty());

  auto m = find_git_checkout(main.string());
  REQUIRE(m);
  CHECK(m->branch.empty());
  CHECK(m->commit == kCommit2);
}

TEST_CASE("git: no checkout above a directory gives nothing", "[base][git]") {
  fs::path d = fresh_dir("none");
  // /tmp is not inside a checkout on any machine the tests run on; if it were, the root would not be `d`.
  auto co = find_git_checkout(d.string());
  CHECK((!co || co->root != d.string()));
}
