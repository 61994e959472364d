// `--profile NAME` finds a shipped profile by name (profile/lookup.h): here the checkout's rules/, since the
// tests run build/meshproof; the installed share/meshproof/profiles is tested by scripts/package_test.sh.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The lookup goes from the binary's directory: only a build directory directly in the checkout sees rules/.
bool binary_beside_rules() {
  namespace fs = std::filesystem;
  std::error_code ec;
  return fs::equivalent(fs::path(MESHPROOF_BINARY).parent_path() / ".." / "rules", source_dir() + "/rules", ec);
}

TEST_CASE("profile by name: --profile hipaa is rules/hipaa.yaml, an unknown name lists the shipped ones",
          "[cli][profile]") {
  if (!binary_beside_rules()) {
    WARN("skipped: the meshproof binary is not in a build directory directly inside the checkout");
    return;
  }
  const std::string sample = source_dir() + "/samples/hospital";
  const RunResult by_name = run_cli({"report", sample, "--profile", "hipaa", "-o", "json"});
  const RunResult by_path = run_cli({"report", sample, "--profile", source_dir() + "/rules/hipaa.yaml", "-o", "json"});
  CHECK(by_name.exit_code == by_path.exit_code);
  const nlohmann::json named = nlohmann::json::parse(by_name.out)["scope"]["profile"];
  const nlohmann::json given = nlohmann::json::parse(by_path.out)["scope"]["profile"];
  CHECK(named["name"] == "hipaa");
  CHECK(named["sha256"] == given["sha256"]);
  CHECK(named["file"] == (std::filesystem::path(source_dir()) / "rules/hipaa.yaml").lexically_normal().string());
  const RunResult typo = run_cli({"check", sample, "--profile", "hipa"});
  CHECK(typo.exit_code == 2);
  CHECK(has(typo.err, "no profile 'hipa'"));
  CHECK(has(typo.err, "default, hipaa, nist-800-207, pci-dss-4, soc2"));
  // A path that does not exist is still reported by the loader, as before.
  const RunResult missing = run_cli({"check", sample, "--profile", "nowhere/hipaa.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK(has(missing.err, "cannot read profile nowhere/hipaa.yaml"));
}

}  // namespace
}  // namespace meshproof::test
