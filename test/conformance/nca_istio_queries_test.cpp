// NCA's counted Istio queries (semanticDiff, equivalence, containment, twoWayContainment, redundancy,
// emptiness, vacuity) asked of `meshproof diff` / `check` by scripts/nca_istio_queries.py (docs/peers.md,
// "NCA's counted queries"): the cases that agree stay agreed, and no query ends in an error.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// "scheme query" of every case that agrees on this branch (docs/peers.md lists each with the reason of
// every case that does not).
const std::set<std::string> kAgreed = {
    "example_policies/bookinfo-demo/bookinfo-test-equiv-scheme.yaml equiv-diff-methods",
    "example_policies/bookinfo-demo/bookinfo-test-equiv-scheme.yaml equiv-diff-methods-1",
    "example_policies/bookinfo-demo/bookinfo-test-equiv-scheme.yaml equiv-diff-methods-2",
    "example_policies/bookinfo-demo/bookinfo-test-equiv-scheme.yaml equiv-diff-methods-3",
    "example_policies/bookinfo-demo/bookinfo-test-equiv-scheme.yaml equiv-diff-methods-4",
    "example_policies/bookinfo-demo/bookinfo-test-equiv-scheme.yaml istio-test-operation-regex-equiv2",
    "example_policies/bookinfo-demo/bookinfo-test-equiv-scheme.yaml equiv-test-properties-cubes",
    "example_policies/bookinfo-demo/bookinfo-test-principals-scheme.yaml equiv-test-1",
    "example_policies/bookinfo-demo/bookinfo-test-principals-scheme.yaml equiv-test-3",
    "example_policies/testcase1/testcase1-istio-scheme.yaml allow-all-vacuity",
    "example_policies/testcase1/testcase1-istio-scheme.yaml equiv-test-1",
    "example_policies/testcase1/testcase1-istio-scheme.yaml equiv-test-2",
    "example_policies/testcase1/testcase1-istio-scheme.yaml two-way-containment",
};

}  // namespace

TEST_CASE("NCA's counted Istio queries: the agreed cases stay agreed", "[conformance][nca]") {
  const std::string shared = std::string(MESHPROOF_SHARED_DIR);
  if (!fs::exists(shared + "/corpus/nca") || !fs::exists(shared + "/docs/semantics/nca-istio-queries.csv")) {
    WARN("skipped: ../shared/corpus/nca or ../shared/docs/semantics/nca-istio-queries.csv is not present");
    return;
  }
  const fs::path out = fs::temp_directory_path() / ("meshproof-nca-" + std::to_string(::getpid()) + ".json");
  const std::string cmd = "python3 '" + meshproof::test::source_dir() + "/scripts/nca_istio_queries.py' '" +
                          MESHPROOF_BINARY + "' '" + shared + "' --json '" + out.string() + "' >/dev/null";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 77) {
    WARN("skipped: the script could not run here (python3 yaml missing?)");
    return;
  }
  REQUIRE(code == 0);
  std::ifstream in(out);
  const json rows = json::parse(in);
  fs::remove(out);
  std::set<std::string> agreed;
  for (const json& r : rows) {
    const std::string key = r["scheme"].get<std::string>() + " " + r["query"].get<std::string>();
    INFO(key << ": " << r["status"].get<std::string>() << " " << r["note"].get<std::string>());
    CHECK(r["status"].get<std::string>() != "error");
    if (r["status"].get<std::string>() == "agree") agreed.insert(key);
  }
  for (const std::string& k : kAgreed) {
    INFO(k);
    CHECK(agreed.count(k) == 1);
  }
  std::cout << "NCA counted queries: " << agreed.size() << " of " << rows.size() << " agree\n";
}
