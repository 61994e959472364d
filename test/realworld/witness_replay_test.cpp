// Every witness of the realworld corpus reproduces through `meshproof query` (issue #11), when ../shared is
// present.
#include "../cli_output/witness_replay.h"

namespace meshproof::test {
using namespace replay;

TEST_CASE("every witness of the realworld corpus replays through query", "[replay][shared]") {
  MESHPROOF_REQUIRE_SHARED();
  std::set<std::string> seen;
  ReplayCount count;
  std::vector<std::filesystem::path> repos;
  for (const auto& entry : std::filesystem::directory_iterator(shared_path("corpus/realworld")))
    if (entry.is_directory()) repos.push_back(entry.path());
  std::sort(repos.begin(), repos.end());
  for (const auto& repo : repos) replay_witnesses(check_repository(repo.string()), seen, count);
  WARN(count.replayed << " witnesses replayed from " << repos.size() << " realworld repositories");
  CHECK(count.replayed >= 50);
  require_all_replay(count);
}

}  // namespace meshproof::test
