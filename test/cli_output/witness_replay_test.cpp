// Every witness of the samples and the check fixtures reproduces through `meshproof query` (issue #11);
// the realworld corpus has its own test in test/realworld (left out of the sanitizer run for its time).
#include "witness_replay.h"

namespace meshproof::test {
using namespace replay;

TEST_CASE("shell_split reads engine::shell_quote's quoting", "[replay]") {
  CHECK(shell_split("meshproof query a 'b c' 'it'\\''s' --x=1") ==
        std::vector<std::string>{"meshproof", "query", "a", "b c", "it's", "--x=1"});
}

TEST_CASE("every witness of the samples and the check fixtures replays through query", "[replay]") {
  std::set<std::string> seen;
  ReplayCount count;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() + "/samples"))
    if (entry.is_directory()) replay_witnesses(check_repository(entry.path().string()), seen, count);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(fixture("checks")))
    if (entry.path().filename() == "positive.yaml")
      replay_witnesses(check_repository(entry.path().string()), seen, count);
  WARN(count.replayed << " witnesses replayed from the samples and fixtures");
  CHECK(count.replayed >= 20);  // the samples alone print more than 20: none may be lost silently
  require_all_replay(count);
}

}  // namespace meshproof::test
