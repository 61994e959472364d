// A worker that throws, in any of the three pools (loading files, the symbolic pass's chunks of classes,
// compile's proofs), ends the run with exit code 3 and its message, never std::terminate (issue #10).
// The failure is injected with a failpoint (base/failpoint.h).
#include <catch2/catch.hpp>

#include <cstdlib>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

RunResult run_with_failpoint(const char* failpoint, const std::vector<std::string>& args) {
  setenv("MESHPROOF_FAILPOINT", failpoint, 1);
  RunResult r = run_cli(args);
  unsetenv("MESHPROOF_FAILPOINT");
  return r;
}

TEST_CASE("a worker's exception in any pool is exit code 3 with its message") {
  const std::string sample = source_dir() + "/samples/payments";
  const std::string out = (temp_dir("worker-failure") / "rbac").string();
  struct Case {
    const char* failpoint;
    std::vector<std::string> args;
  };
  const Case cases[] = {
      {"load-worker", {"check", sample, "--threads", "2"}},
      {"symbolic-worker", {"check", sample, "--threads", "2"}},
      {"compile-worker", {"compile", sample, "--out", out, "--proof-threads", "2"}},
  };
  for (const Case& c : cases) {
    INFO("failpoint " << c.failpoint);
    RunResult r = run_with_failpoint(c.failpoint, c.args);
    CHECK(r.exit_code == 3);
    CHECK(r.err.find(std::string("internal error: failpoint ") + c.failpoint) != std::string::npos);
    CHECK(r.err.find("please report it") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(out));  // compile wrote nothing
  // Unarmed, the same runs succeed (1: the sample has findings).
  CHECK(run_cli({"check", sample, "--threads", "2"}).exit_code == 1);
}

}  // namespace
}  // namespace meshproof::test
