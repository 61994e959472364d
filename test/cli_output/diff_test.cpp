// Issue #14: `meshproof diff` on the change-review sample (expected output), its witnesses replayed through
// `meshproof query` on the tree each side names, --expect claims, exit codes and --git-base.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "witness_replay.h"

namespace meshproof::test {

namespace {

using nlohmann::json;

const std::string kBefore = "samples/change-review/before";
const std::string kAfter = "samples/change-review/after";

// An ALLOW policy in namespace shop with the given rules (YAML list items, indented 4).
std::string allow_policy(const std::string& rules) {
  return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: allow-cart\n"
         "  namespace: shop\nspec:\n  selector:\n    matchLabels:\n      app: cart\n  rules:\n" +
         rules;
}

const std::string kCartDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec: {containers: [{name: a, image: x, ports: [{containerPort: 8080, name: http}]}]}
)";

// Two trees of the cart workload whose policies are given.
std::pair<std::string, std::string> cart_trees(const std::string& name, const std::string& before,
                                               const std::string& after) {
  auto dir = temp_dir("diff-" + name);
  std::filesystem::create_directories(dir / "before");
  std::filesystem::create_directories(dir / "after");
  write_file(dir / "before" / "cart.yaml", kCartDeployment + "---\n" + before);
  write_file(dir / "after" / "cart.yaml", kCartDeployment + "---\n" + after);
  return {(dir / "before").string(), (dir / "after").string()};
}

// Runs one side's reproduce command and requires the stated decision and deciding rule.
void replay_side(const json& side, const std::string& tree, int& replayed) {
  const std::string cmd = replay::text_of(side, "reproduce");
  REQUIRE_FALSE(cmd.empty());
  std::vector<std::string> args = replay::shell_split(cmd);
  REQUIRE(args.at(0) == "meshproof");
  CHECK(args.at(2) == tree);  // the command is stated for this side's tree
  args.erase(args.begin());
  args.insert(args.end(), {"-o", "json"});
  RunResult q = run_cli(args);
  INFO(cmd << "\n" << q.err);
  REQUIRE(q.exit_code == 0);
  const json answer = json::parse(q.out);
  CHECK(replay::text_of(answer, "decision") == replay::text_of(side, "verdict"));
  CHECK(replay::decided_by_text(answer) == replay::text_of(side, "decided_by"));  // "" when no rule decided
  ++replayed;
}

}  // namespace

TEST_CASE("diff: the change-review sample prints the expected text", "[cli][diff]") {
  RunResult r = run_cli({"diff", kBefore, kAfter});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out == read_file(source_dir() + "/samples/change-review/expected.txt"));
}

TEST_CASE("diff: every witness replays through query on the tree each side names", "[cli][diff]") {
  RunResult r = run_cli({"diff", kBefore, kAfter, "-o", "json", "--max-classes", "100"});
  REQUIRE(r.exit_code == 1);
  const json out = json::parse(r.out);
  CHECK(out["schema"] == "meshproof.diff/v1");
  int replayed = 0, allowed = 0, denied = 0;
  for (const json& change : out["changes"])
    for (const json& cls : change["classes"]) {
      const bool newly_allowed = cls["direction"] == "newly-allowed";
      (newly_allowed ? allowed : denied)++;
      CHECK((cls["after"]["verdict"] == "ALLOW") == newly_allowed);
      CHECK((cls["before"]["verdict"] == "ALLOW") == !newly_allowed);
      replay_side(cls["before"], kBefore, replayed);
      replay_side(cls["after"], kAfter, replayed);
    }
  CHECK(allowed > 0);
  CHECK(denied > 0);
  CHECK(replayed == 2 * (allowed + denied));
  CHECK(out["summary"]["newly_allowed"] == allowed);
}

TEST_CASE("diff: --expect equivalent proves a refactoring that splits one rule in two", "[cli][diff]") {
  const std::string one = allow_policy(
      "    - from:\n        - source:\n            principals: [cluster.local/ns/shop/sa/web, "
      "cluster.local/ns/shop/sa/api]\n");
  const std::string two = allow_policy(
      "    - from:\n        - source:\n            principals: [cluster.local/ns/shop/sa/web]\n"
      "    - from:\n        - source:\n            principals: [cluster.local/ns/shop/sa/api]\n");
  auto [before, after] = cart_trees("refactor", one, two);
  RunResult r = run_cli({"diff", before, after, "--expect", "equivalent", "-o", "json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const json out = json::parse(r.out);
  CHECK(out["expect"]["proven"] == true);
  CHECK(out["summary"]["views_solved"].get<int>() > 0);  // the solver compared them: the programs differ
  RunResult text = run_cli({"diff", before, after, "--expect", "equivalent"});
  CHECK(text.out.find("proven: equivalent") != std::string::npos);
}

TEST_CASE("diff: --expect prints counterexamples and exits 1 when the claim is false", "[cli][diff]") {
  RunResult narrower = run_cli({"diff", kBefore, kAfter, "--expect", "narrower"});
  CHECK(narrower.exit_code == 1);
  CHECK(narrower.out.find("not proven: ") != std::string::npos);
  CHECK(narrower.out.find("  !+ NEWLY ALLOWED") != std::string::npos);
  RunResult wider = run_cli({"diff", kBefore, kAfter, "--expect", "wider", "-o", "json"});
  CHECK(wider.exit_code == 1);
  CHECK(json::parse(wider.out)["expect"]["proven"] == false);
  // Dropping a principal only narrows: proven.
  auto [before, after] = cart_trees(
      "narrow",
      allow_policy("    - from:\n        - source:\n            principals: [cluster.local/ns/shop/sa/web, "
                   "cluster.local/ns/shop/sa/api]\n"),
      allow_policy("    - from:\n        - source:\n            principals: [cluster.local/ns/shop/sa/web]\n"));
  RunResult proven = run_cli({"diff", before, after, "--expect", "narrower"});
  INFO(proven.out);
  CHECK(proven.exit_code == 0);
  CHECK(proven.out.find("proven: narrower") != std::string::npos);
  CHECK(run_cli({"diff", before, after, "--expect", "wider"}).exit_code == 1);
}

TEST_CASE("diff: exit codes for no change, --fail-on wider and bad input", "[cli][diff]") {
  CHECK(run_cli({"diff", kBefore, kBefore}).exit_code == 0);
  auto [before, after] =
      cart_trees("narrow-only", allow_policy("    - from:\n        - source:\n            namespaces: [shop, web]\n"),
                 allow_policy("    - from:\n        - source:\n            namespaces: [shop]\n"));
  CHECK(run_cli({"diff", before, after}).exit_code == 1);                        // any change fails
  CHECK(run_cli({"diff", before, after, "--fail-on", "wider"}).exit_code == 0);  // nothing newly allowed
  CHECK(run_cli({"diff", after, before, "--fail-on", "wider"}).exit_code == 1);  // the reverse widens
  CHECK(run_cli({"diff", kBefore, "samples/change-review/no-such-dir"}).exit_code == 2);
  // --no-findings: the same decisions, no findings compared.
  RunResult quick = run_cli({"diff", kBefore, kAfter, "--no-findings", "-o", "json"});
  CHECK(quick.exit_code == 1);
  CHECK(json::parse(quick.out)["findings"].empty());
  CHECK(json::parse(quick.out)["summary"] ==
        json::parse(run_cli({"diff", kBefore, kAfter, "-o", "json"}).out)["summary"]);
  RunResult one = run_cli({"diff", kBefore});
  CHECK(one.exit_code == 2);
  CHECK(one.err.find("two paths") != std::string::npos);
}

TEST_CASE("diff: the solver's unknown is inconclusive, never no change", "[cli][diff]") {
  RunResult r = run_cli({"diff", kBefore, kAfter, "--rlimit", "1", "-o", "json"});  // every check runs out
  CHECK(r.exit_code == 4);
  const json out = json::parse(r.out);
  CHECK(out["summary"]["inconclusive"].get<int>() > 0);
  CHECK(out["complete"] == false);
  RunResult claim = run_cli({"diff", kBefore, kAfter, "--rlimit", "1", "--expect", "equivalent"});
  CHECK(claim.exit_code == 4);
  CHECK(claim.out.find("INCONCLUSIVE") != std::string::npos);
  CHECK(claim.out.find("not proven: inconclusive") != std::string::npos);
}

TEST_CASE("diff: Markdown and SARIF outputs", "[cli][diff]") {
  auto dir = temp_dir("diff-outputs");
  const std::string md = (dir / "diff.md").string(), sarif = (dir / "diff.sarif").string();
  RunResult r = run_cli({"diff", kBefore, kAfter, "-o", "md=" + md, "-o", "sarif=" + sarif});
  CHECK(r.exit_code == 1);
  const std::string comment = read_file(md);
  CHECK(comment.rfind("### meshproof diff: ", 0) == 0);
  CHECK(comment.find("| payments/payment-service | 8080 HTTP | ➕ allowed |") != std::string::npos);
  const json s = json::parse(read_file(sarif));
  CHECK(s["version"] == "2.1.0");
  bool error_at_rule = false;
  for (const json& res : s["runs"][0]["results"])
    if (res["ruleId"] == "newly-allowed" && res.contains("locations"))
      error_at_rule = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
                      "samples/change-review/after/payments/authorization.yaml";
  CHECK(error_at_rule);
}

TEST_CASE("diff: --git-base compares a revision with the working tree", "[cli][diff]") {
  if (std::system("git --version >/dev/null 2>&1") != 0) {
    WARN("skipped: git is not installed");
    return;
  }
  auto repo = temp_dir("diff-git");
  const std::string src = source_dir() + "/samples/change-review/";
  const std::string q = "'" + repo.string() + "'";
  const std::string setup = "cd " + q + " && git init -q . && cp -r '" + src + "before' manifests && git add . && " +
                            "git -c user.email=t@t -c user.name=t commit -qm base && rm -rf manifests && cp -r '" +
                            src + "after' manifests";
  REQUIRE(std::system(setup.c_str()) == 0);
  const std::string out = (repo / "out.json").string();
  const std::string cmd = "cd " + q + " && " MESHPROOF_BINARY " diff --git-base HEAD manifests -o json >'" + out + "'";
  int status = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(status) == 1);
  const json j = json::parse(read_file(out));
  CHECK(j["before"] == "HEAD");
  CHECK(j["summary"]["newly_allowed"].get<int>() > 0);
  CHECK(j["summary"]["newly_denied"].get<int>() > 0);
  const std::string bad = "cd " + q + " && " MESHPROOF_BINARY " diff --git-base no-such-rev manifests 2>/dev/null";
  CHECK(WEXITSTATUS(std::system(bad.c_str())) == 2);
}

TEST_CASE("diff: reusing the old tree's solver answers changes no byte of the output", "[cli][diff]") {
  // samples/hospital and a copy whose patients policy allows PUT on /messages too: findings change.
  auto dir = temp_dir("diff-reuse");
  const std::string src = source_dir() + "/samples/hospital";
  std::filesystem::copy(src, dir / "old", std::filesystem::copy_options::recursive);
  std::filesystem::copy(src, dir / "new", std::filesystem::copy_options::recursive);
  const auto changed = dir / "new" / "patients" / "authorization.yaml";
  std::string text = read_file(changed);
  const std::string from = "methods: [\"POST\"]";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "methods: [\"POST\", \"PUT\"]");
  write_file(changed, text);
  const std::string o = (dir / "old").string(), n = (dir / "new").string();
  RunResult reused = run_cli({"diff", o, n, "-o", "json", "--stats"});
  RunResult alone = run_cli({"diff", o, n, "-o", "json", "--no-reuse"});
  REQUIRE(reused.exit_code == 1);
  CHECK(alone.exit_code == reused.exit_code);
  CHECK(reused.out == alone.out);
  INFO(reused.err);
  const size_t at = reused.err.find("solver answers reused ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoul(reused.err.substr(at + 22)) > 0);
}

}  // namespace meshproof::test
