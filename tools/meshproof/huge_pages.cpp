// Why meshproof restarts itself once (docs/performance.md, "Page faults and huge pages"): a run touches a
// few hundred MB of fresh memory, and on a virtual machine each 4 KiB page fault is expensive; creating one
// Z3 context alone faults about 4,400 pages. With glibc.malloc.hugetlb=1, malloc asks for transparent huge
// pages (madvise) for its heaps, which cut those faults by about 5x and a `check` by 10-15 % on the
// reference machine. glibc reads its tunables only when a process starts, hence the restart.
#include "huge_pages.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace meshproof::cli {

namespace {

constexpr const char* kTunables = "GLIBC_TUNABLES";
constexpr const char* kRestarted = "MESHPROOF_HUGE_PAGES_RESTART";

// "always [madvise] never": huge pages only where a program asks for them, which is what the tunable does.
// With "always" the kernel uses them already; with "never" asking is useless.
bool kernel_wants_madvise() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(in, mode);
  return mode.find("[madvise]") != std::string::npos;
}

bool turned_off() {
  const char* v = std::getenv("MESHPROOF_HUGEPAGES");
  return v && std::strcmp(v, "0") == 0;
}

// Commands that read no manifests allocate little: the restart (about 8 ms of loading the libraries again)
// would cost more than it saves.
bool reads_no_manifests(int argc, char** argv) {
  if (argc < 2) return true;
  for (const char* word : {"version", "checks", "help", "--help", "-h", "--version"})
    if (std::strcmp(argv[1], word) == 0) return true;
  return false;
}

// The binary's own path: an exec names the process after the file it runs (ps, top, pgrep show that name), and
// through /proc/self/exe the name would be "exe". Empty when the link cannot be read.
std::string own_path() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

void use_huge_pages(int argc, char** argv) {
  if (std::getenv(kRestarted)) {  // the second start: give the user's environment back
    unsetenv(kRestarted);
    unsetenv(kTunables);
    return;
  }
  if (turned_off() || reads_no_manifests(argc, argv) || std::getenv(kTunables) || !kernel_wants_madvise()) return;
  if (setenv(kTunables, "glibc.malloc.hugetlb=1", 1) != 0 || setenv(kRestarted, "1", 1) != 0) return;
  if (const std::string self = own_path(); !self.empty()) execv(self.c_str(), argv);
  execv("/proc/self/exe", argv);  // the file was replaced or removed since it started
  // No restart (no /proc, or exec refused): carry on as started.
  unsetenv(kRestarted);
  unsetenv(kTunables);
}

}  // namespace meshproof::cli
