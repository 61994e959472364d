// meshproof restarts itself once with glibc's malloc tunables, glibc.malloc.hugetlb=1 among them where the
// kernel's transparent-huge-page mode is "madvise" (tools/meshproof/malloc_tuning.cpp, docs/performance.md
// "Page faults and the allocator"), and the allocator changes nothing but speed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "test_support.h"

using namespace meshproof;

namespace {

bool thp_madvise() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(in, mode);
  return mode.find("[madvise]") != std::string::npos;
}

std::string proc_file(pid_t pid, const char* name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What a running `check` shows of itself: the environment it was (re)started with, and its process name
// (what ps, top and pgrep show).
struct RunningCheck {
  std::string environment;
  std::string name;
};

// Starts `meshproof check -` on a FIFO it waits on, reads its environment and name once it waits, then feeds
// it a document.
RunningCheck running_check(bool tuned) {
  namespace fs = std::filesystem;
  const fs::path fifo = fs::temp_directory_path() / ("meshproof-malloc-" + std::to_string(getpid()));
  fs::remove(fifo);
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const int writer = open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // Linux: does not wait for a reader
  REQUIRE(writer >= 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int in = open(fifo.c_str(), O_RDONLY);
    const int null = open("/dev/null", O_WRONLY);
    if (in < 0 || null < 0) _exit(99);
    dup2(in, 0);
    dup2(null, 1);
    dup2(null, 2);
    unsetenv("GLIBC_TUNABLES");
    if (tuned)
      unsetenv("MESHPROOF_MALLOC_TUNING");
    else
      setenv("MESHPROOF_MALLOC_TUNING", "0", 1);
    execl(MESHPROOF_BINARY, "meshproof", "check", "-", static_cast<char*>(nullptr));
    _exit(98);
  }
  // The process waits on the FIFO in its final image: `check -` reads standard input before anything else.
  RunningCheck seen;
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    seen.environment = proc_file(pid, "environ");
    seen.name = proc_file(pid, "comm");
    std::ifstream stat("/proc/" + std::to_string(pid) + "/wchan");
    std::string wchan;
    std::getline(stat, wchan);
    if (wchan.find("pipe") != std::string::npos) break;
  }
  const std::string doc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n";
  REQUIRE(write(writer, doc.data(), doc.size()) == static_cast<ssize_t>(doc.size()));
  close(writer);
  int status = 0;
  waitpid(pid, &status, 0);
  fs::remove(fifo);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return seen;
}

}  // namespace

TEST_CASE("malloc tuning: meshproof restarts itself with glibc's tunables, unless told not to",
          "[cli][malloc-tuning]") {
  const RunningCheck restarted = running_check(true);
  // glibc ends each tunable's value with a NUL in the environment block it was given (the one /proc shows),
  // so only the first tunable can be read there: huge pages where the kernel gives them on request, else the
  // heap's growth step.
  const std::string first = thp_madvise() ? "glibc.malloc.hugetlb=1" : "glibc.malloc.top_pad=67108864";
  CHECK(restarted.environment.find("GLIBC_TUNABLES=" + first + std::string(1, '\0')) != std::string::npos);
  const RunningCheck as_started = running_check(false);
  CHECK(as_started.environment.find("GLIBC_TUNABLES") == std::string::npos);
  // The restart keeps the process's name: ps, top and pgrep still show the binary's file name.
  CHECK(as_started.name == "meshproof\n");
  CHECK(restarted.name == as_started.name);
}

TEST_CASE("malloc tuning: the allocator changes no byte of the output", "[cli][malloc-tuning]") {
  const std::string sample = test::source_dir() + "/samples/hospital";
  const test::RunResult with = test::run_cli({"check", sample, "-o", "json", "--threads", "2"});
  setenv("MESHPROOF_MALLOC_TUNING", "0", 1);
  const test::RunResult without = test::run_cli({"check", sample, "-o", "json", "--threads", "2"});
  unsetenv("MESHPROOF_MALLOC_TUNING");
  CHECK(with.exit_code == without.exit_code);
  CHECK(with.out.size() > 1000);
  CHECK(with.out == without.out);
}
