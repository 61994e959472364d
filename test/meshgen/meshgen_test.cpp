// meshgen's shapes (docs/meshgen.md): each is deterministic, writes what its options promise, and gives a tree
// that meshproof reads without an input problem; the default shape writes exactly what meshgen wrote before
// shapes existed, so the benchmark numbers of docs/performance.md stay comparable.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("meshproof-meshgen-test-" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  return dir;
}

// Runs build/meshgen with `args` (no shell metacharacters in them) into `out`; returns its exit code.
int run_meshgen(const fs::path& out, const std::string& args) {
  std::string cmd = std::string("'") + MESHGEN_BINARY + "' -q --out '" + out.string() + "' " + args;
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// FNV-1a (64 bit) over every regular file of the tree, the marker included, in path order: relative path,
// a NUL, the content, a NUL. The reference constant below was computed the same way (in Python) from the
// output of the reference meshgen (main 7880305, before shapes existed).
uint64_t tree_hash(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), root).generic_string());
  std::sort(files.begin(), files.end());
  uint64_t h = 0xcbf29ce484222325ull;
  auto feed = [&h](const std::string& bytes) {
    for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0) * 0x100000001b3ull;
  };
  for (const auto& f : files) {
    feed(f);
    feed(slurp(root / f));
  }
  return h;
}

// Every file's text of the tree, concatenated (the trees here are small).
std::string all_text(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string text;
  for (const auto& f : files) text += slurp(f);
  return text;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("meshgen: the default shape writes the tree meshgen wrote before shapes existed") {
  // `meshgen --policies 300 --seed 7` of the reference binary /work/baseline/bin/meshgen (main 7880305).
  const uint64_t kReference = 0x73a7e70e9cedd0b2ull;
  const fs::path implicit = scratch("default-implicit"), named = scratch("default-named");
  REQUIRE(run_meshgen(implicit, "--policies 300 --seed 7") == 0);
  REQUIRE(run_meshgen(named, "--policies 300 --seed 7 --shape default") == 0);
  CHECK(tree_hash(implicit) == kReference);
  CHECK(tree_hash(named) == kReference);
  CHECK(slurp(implicit / ".meshgen") ==
        "meshgen --policies 300 --seed 7 --workloads-per-namespace 8 --policies-per-workload 5 "
        "--regulated-percent 30\n");
}

TEST_CASE("meshgen: every shape is deterministic and meshproof reads it without an input problem") {
  for (const std::string shape : {"default", "unique", "mixed", "ambient"}) {
    INFO("shape " << shape);
    const fs::path first = scratch(shape + "-1"), second = scratch(shape + "-2");
    REQUIRE(run_meshgen(first, "--policies 400 --seed 3 --shape " + shape) == 0);
    REQUIRE(run_meshgen(second, "--policies 400 --seed 3 --shape " + shape) == 0);
    CHECK(tree_hash(first) == tree_hash(second));
    CHECK(count(all_text(first), "kind: AuthorizationPolicy\n") == 400);

    // Exit 1: the trees hold findings at error severity on purpose; 2 would be an input problem, 3 a bug.
    auto r = meshproof::test::run_cli({"check", first.string(), "-o", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 1);
    auto findings = nlohmann::json::parse(r.out).at("findings");
    for (const auto& f : findings) CHECK(f.at("check") != "invalid-resource");
    CHECK(r.err.find("error") == std::string::npos);
  }
}

TEST_CASE("meshgen: the shapes write the configurations they promise") {
  const fs::path unique = scratch("unique"), mixed = scratch("mixed"), seeded = scratch("mixed-seed");
  REQUIRE(run_meshgen(unique, "--policies 1000 --shape unique") == 0);
  REQUIRE(run_meshgen(mixed, "--policies 1000 --shape mixed") == 0);
  REQUIRE(run_meshgen(seeded, "--policies 1000 --shape mixed --seed 2") == 0);
  const std::string u = all_text(unique), m = all_text(mixed);

  // unique: five policies per workload, every namespace one deny-all and one namespace-wide
  // RequestAuthentication, header and claim conditions on rules.
  const size_t namespaces = count(u, "kind: Namespace\n") - 1;  // istio-system has neither
  CHECK(count(u, "name: deny-all\n") == namespaces);
  CHECK(count(u, "kind: RequestAuthentication\nmetadata:\n  name: jwt\n") == namespaces);
  CHECK(count(u, "kind: ServiceAccount\n") - 1 == (1000 - namespaces) / 5);
  CHECK(count(u, "request.headers[x-client-region]") > 0);
  CHECK(count(u, "request.auth.claims[groups]") > 0);
  CHECK(count(u, "notPrincipals") == 0);

  // mixed: negated sources and paths, port-level mTLS, more DENY than the default shape.
  CHECK(count(m, "notPrincipals") > 0);
  CHECK(count(m, "notPaths") > 0);
  CHECK(count(m, "portLevelMtls") > 0);
  CHECK(count(m, "action: DENY") > 1000 / 5);
  CHECK(tree_hash(mixed) != tree_hash(seeded));  // the seed decides
}

TEST_CASE("meshgen: the ambient shape writes ambient namespaces, waypoints with targetRefs policies and gateway routes") {
  const fs::path dir = scratch("ambient");
  REQUIRE(run_meshgen(dir, "--policies 2000 --shape ambient") == 0);
  const std::string a = all_text(dir);
  const size_t namespaces = count(a, "kind: Namespace\n") - 1;  // istio-system is neither
  const size_t ambient = count(a, "istio.io/dataplane-mode: ambient\n");
  const size_t waypoints = count(a, "gatewayClassName: istio-waypoint\n");
  CHECK(ambient == (namespaces + 1) / 2);  // 50 %, spread evenly from the first namespace
  CHECK(waypoints == (ambient + 1) / 2);
  CHECK(count(a, "istio-injection: enabled\n") == namespaces - ambient);
  CHECK(count(a, "istio.io/use-waypoint: waypoint\n") > 0);
  CHECK(count(a, "  targetRefs:\n    - kind: Service\n") > 0);
  CHECK(count(a, "kind: VirtualService\n") > 0);

  // meshproof sees what was written: the waypoints enforce the targetRefs policies (never "enforced nowhere"),
  // and ztunnel the selector policies of the ambient namespaces without one.
  auto r = meshproof::test::run_cli({"check", dir.string(), "-o", "json"});
  REQUIRE(r.exit_code == 1);
  size_t at_ztunnel = 0;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  for (const auto& f : report.at("findings")) {
    const std::string check = f.at("check").get<std::string>();
    CHECK(check != "policy-not-enforced");
    CHECK(check != "waypoint-bypass");
    CHECK(check != "invalid-resource");
    if (check == "l7-rule-at-ztunnel") ++at_ztunnel;
  }
  CHECK(at_ztunnel > 0);
}

TEST_CASE("meshgen: an explicit option wins over the shape, and a policy mix above 100 % is refused") {
  const fs::path dir = scratch("override");
  REQUIRE(run_meshgen(dir, "--policies 200 --shape unique --deny-all none") == 0);
  const std::string text = all_text(dir);
  CHECK(count(text, "name: deny-all\n") == 0);
  CHECK(slurp(dir / ".meshgen").find("--shape unique") != std::string::npos);
  CHECK(slurp(dir / ".meshgen").find("--deny-all none") != std::string::npos);
  CHECK(run_meshgen(scratch("refused"), "--policies 10 --deny-percent 60 --jwt-percent 30 --header-percent 20") == 2);
}

// The symbolic pass cuts the workload classes into chunks, visits them on --threads workers and merges
// each check's analyzers chunk by chunk (checks/gap_pass.h). The merge must give what one visit of every
// class in order gives: same findings, same workload lists, same (first) witnesses. Trees where a rule
// applies to many classes (root and namespace-wide policies, shared policy sets) are where chunks split a
// rule's facts; the samples add every check's finding kinds. The other checks run in parallel on the
// --threads workers (checks/run.cpp) and are joined in registry order; the ambient tree gives the waypoint
// checks, the costliest of them, work on many Services.
TEST_CASE("meshgen: the symbolic pass finds the same in one chunk as in many") {
  std::vector<std::string> trees;
  for (const std::string shape : {"default", "mixed", "ambient"}) {
    fs::path dir = scratch("chunks-" + shape);
    REQUIRE(run_meshgen(dir, "--policies 400 --seed 3 --shape " + shape) == 0);
    trees.push_back(dir.string());
  }
  for (const auto& e : fs::directory_iterator(fs::path(meshproof::test::source_dir()) / "samples"))
    if (e.is_directory()) trees.push_back(e.path().string());
  std::sort(trees.begin(), trees.end());
  for (const std::string& tree : trees) {
    INFO(tree);
    ::setenv("MESHPROOF_GAP_CHUNKS", "1", 1);
    auto one = meshproof::test::run_cli({"check", tree, "-o", "json", "--threads", "1"});
    ::setenv("MESHPROOF_GAP_CHUNKS", "5", 1);
    auto five = meshproof::test::run_cli({"check", tree, "-o", "json", "--threads", "2"});
    ::unsetenv("MESHPROOF_GAP_CHUNKS");
    auto many = meshproof::test::run_cli({"check", tree, "-o", "json", "--threads", "2"});
    // A sample whose expected.json says exit 2 (a tree of policy meshproof does not model)
    // still writes its findings; any other tree must run cleanly.
    const fs::path expected = fs::path(tree) / "expected.json";
    const int expected_exit =
        fs::exists(expected) ? nlohmann::json::parse(std::ifstream(expected)).value("exit_code", 1) : 1;
    if (expected_exit != 2) REQUIRE(one.exit_code != 2);
    CHECK(nlohmann::json::parse(one.out).at("findings").size() > 0);
    CHECK(five.out == one.out);
    CHECK(many.out == one.out);
  }
}
