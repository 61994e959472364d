// `--profile NAME`: a path as given, else NAME.yaml in the checkout's rules/ beside the build directory,
// else in the installed share/meshproof/profiles (profile/lookup.h, docs/profiles.md).
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "profile/lookup.h"

using namespace meshproof;
namespace fs = std::filesystem;

namespace {

// prefix/bin (the binary's directory), prefix/rules and prefix/share/meshproof/profiles, with the profiles named.
fs::path make_prefix(const std::vector<std::string>& in_rules, const std::vector<std::string>& in_share) {
  static int counter = 0;
  const fs::path root =
      fs::temp_directory_path() / ("meshproof-lookup-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(root);
  fs::create_directories(root / "bin");
  fs::create_directories(root / "rules");
  fs::create_directories(root / "share/meshproof/profiles");
  for (const std::string& n : in_rules) std::ofstream(root / "rules" / n) << "name: x\n";
  for (const std::string& n : in_share) std::ofstream(root / "share/meshproof/profiles" / n) << "name: x\n";
  return root;
}

}  // namespace

TEST_CASE("profile lookup: a bare name is found installed, beside the build, with or without .yaml", "[profile]") {
  const fs::path p = make_prefix({"soc2.yaml"}, {"hipaa.yaml", "soc2.yaml"});
  CHECK(profile::find_profile("hipaa", p / "bin").path == (p / "share/meshproof/profiles/hipaa.yaml").string());
  CHECK(profile::find_profile("hipaa.yaml", p / "bin").path == (p / "share/meshproof/profiles/hipaa.yaml").string());
  // The checkout's rules/ come first: a build tree uses the profiles of its own sources.
  CHECK(profile::find_profile("soc2", p / "bin").path == (p / "rules/soc2.yaml").string());
  CHECK(profile::profile_names(profile::profile_dirs(p / "bin")) == std::vector<std::string>{"hipaa", "soc2"});
}

TEST_CASE("profile lookup: a path as given wins, a path is never looked up by name", "[profile]") {
  const fs::path p = make_prefix({}, {"hipaa.yaml"});
  const fs::path given = p / "my-hipaa.yaml";
  std::ofstream(given) << "name: mine\n";
  CHECK(profile::find_profile(given.string(), p / "bin").path == given.string());
  // A path that does not exist stays as it is, so that loading reports it.
  CHECK(profile::find_profile("missing/hipaa.yaml", p / "bin").path == "missing/hipaa.yaml");
  CHECK(profile::find_profile("missing/hipaa.yaml", p / "bin").searched_dirs.empty());
  CHECK_FALSE(profile::is_profile_name("./hipaa"));
  CHECK(profile::is_profile_name("hipaa"));
}

TEST_CASE("profile lookup: an unknown name is not found and says where it was looked for", "[profile]") {
  const fs::path p = make_prefix({}, {"hipaa.yaml"});
  const profile::ProfileLookup found = profile::find_profile("hipa", p / "bin");
  CHECK(found.path.empty());
  REQUIRE(found.searched_dirs.size() == 2);
  CHECK(found.searched_dirs[0] == (p / "rules").lexically_normal());
  CHECK(found.searched_dirs[1] == (p / "share/meshproof/profiles").lexically_normal());
}
