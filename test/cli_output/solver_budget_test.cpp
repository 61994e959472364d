// The solver's resource budget (`--rlimit`, docs/engine.md §7): Z3's deterministic rlimit is the limit that
// normally applies, so a proof that runs out of it is inconclusive on every run and machine alike, and is
// never taken as safe (issue #18 item 2, issue #16's "rlimit instead of wall-clock timeouts").
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

using nlohmann::json;

size_t inconclusive_mentioning(const json& result, const std::string& text) {
  size_t n = 0;
  for (const json& f : result["findings"])
    if (f.value("properties", json::object()).value("inconclusive", "") == "true" &&
        f.value("message", "").find(text) != std::string::npos)
      ++n;
  return n;
}

TEST_CASE(
    "a resource budget of 1 (--rlimit 1): every solver proof is inconclusive, never safe, and the output is the same "
    "each run",
    "[cli][solver-limits]") {
  const std::string sample = source_dir() + "/samples/hospital";
  // No wall-clock limit: only the budget can stop a check.
  const std::vector<std::string> args = {"check", sample,      "--rlimit", "1",  "--timeout-ms",
                                         "0",     "--threads", "1",        "-o", "json"};
  RunResult first = run_cli(args);
  RunResult second = run_cli(args);
  CHECK(first.out == second.out);
  json result = json::parse(first.out);
  CHECK(result["summary"].value("inconclusive", 0) > 0);
  CHECK(inconclusive_mentioning(result, "resource limit of 1 units reached") > 0);
  CHECK((first.exit_code == 4 || first.exit_code == 1));  // never 0: an unknown is not a pass
}

TEST_CASE("the default budget finishes every proof of the samples, without a wall-clock limit",
          "[cli][solver-limits]") {
  for (const char* name : {"bank", "hospital", "fintech", "payments"}) {
    INFO("sample " << name);
    RunResult run = run_cli({"check", source_dir() + "/samples/" + name, "--timeout-ms", "0", "-o", "json"});
    json result = json::parse(run.out);
    CHECK_FALSE(result["summary"].contains("inconclusive"));
  }
}

TEST_CASE("the resource budget flag --rlimit is validated like every other number flag", "[cli][solver-limits]") {
  RunResult run = run_cli({"check", source_dir() + "/samples/bank", "--rlimit", "lots"});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("--rlimit") != std::string::npos);
}

}  // namespace
}  // namespace meshproof::test
