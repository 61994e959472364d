#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/parallel.h"

using meshproof::parallel_for;
using meshproof::worker_count;

TEST_CASE("parallel_for runs every item exactly once, whatever the thread count") {
  for (unsigned threads : {0u, 1u, 2u, 7u}) {
    std::vector<std::atomic<int>> seen(1000);
    parallel_for(seen.size(), threads, [&](size_t i) { seen[i]++; });
    for (const auto& s : seen) REQUIRE(s.load() == 1);
  }
}

TEST_CASE("parallel_for passes a worker's exception to the caller") {
  for (unsigned threads : {1u, 2u, 4u}) {
    std::atomic<size_t> ran{0};
    try {
      parallel_for(100, threads, [&](size_t i) {
        ++ran;
        if (i == 37 || i == 80) throw std::runtime_error("item " + std::to_string(i) + " failed");
      });
      FAIL("no exception reached the caller");
    } catch (const std::runtime_error& e) {
      // The lowest failing index wins when both ran; with one thread, 80 is never reached.
      REQUIRE(std::string(e.what()) == "item 37 failed");
    }
    // Hand-out stops after a failure: far fewer than all items run on one thread.
    if (threads == 1) REQUIRE(ran.load() == 38);
  }
}

TEST_CASE("parallel_for with no items calls nothing") {
  bool called = false;
  parallel_for(0, 4, [&](size_t) { called = true; });
  REQUIRE_FALSE(called);
}

TEST_CASE("worker_count is at least one and at most the items and the cap") {
  REQUIRE(worker_count(8, 3) == 3);
  REQUIRE(worker_count(8, 0) == 1);
  REQUIRE(worker_count(8, 100, 4) == 4);
  REQUIRE(worker_count(1, 100) == 1);
  REQUIRE(worker_count(0, 100) >= 1);
}
