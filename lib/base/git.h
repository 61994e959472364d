// The git checkout a run happens in, read from the .git directory (no git binary needed): its root, the
// commit checked out, the branch and the origin remote. For SARIF's versionControlProvenance and the
// auditor report's scope.
#pragma once

#include <optional>
#include <string>

namespace meshproof {

struct GitCheckout {
  std::string root;        // absolute path of the work tree, no trailing '/'
  std::string commit;      // 40 hex digits; "" when HEAD names a branch without a commit yet
  std::string branch;      // "main" for refs/heads/main; "" when HEAD is detached
  std::string remote_url;  // remote "origin"'s url, "" when there is none
};

// The checkout containing `dir` (an absolute path), walking up; nullopt outside one. Handles `.git`
// directories and `.git` files (worktrees, submodules) and packed refs.
std::optional<GitCheckout> find_git_checkout(const std::string& dir);

}  // namespace meshproof
