// Why meshproof restarts itself once (docs/performance.md, "Page faults and the allocator"). A run touches a
// few hundred MB of fresh memory in small allocations, freed and made again class after class, on both
// threads:
// - Page faults cost about 11 µs each on a virtual machine. With glibc.malloc.hugetlb=1 malloc asks for
//   transparent huge pages for its heaps, but a 2 MiB page is only faulted in where the whole 2 MiB range
//   lies inside the heap, and glibc grows a heap by top_pad (128 KiB) beyond each request: the growing edge
//   still faults 4 KiB pages, thousands of mprotect calls apart. With top_pad at 64 MiB the heaps grow in
//   huge-page-sized steps (mixed 10k: 8,819 → 833 minor faults).
// - tcache_count: each thread caches 7 freed chunks per size by default; the rest go back to the arena's
//   bins, where glibc consolidates them and takes them out again for the next class. 2,000 keep that churn
//   in the thread.
// glibc reads its tunables only when a process starts, hence the restart.
#include "malloc_tuning.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace meshproof::cli {

namespace {

constexpr const char* kTunables = "GLIBC_TUNABLES";
constexpr const char* kRestarted = "MESHPROOF_MALLOC_TUNING_RESTART";

// "always [madvise] never": huge pages only where a program asks for them, which is what the hugetlb tunable
// does. With "always" the kernel uses them already; with "never" asking is useless.
bool kernel_wants_madvise() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(in, mode);
  return mode.find("[madvise]") != std::string::npos;
}

// MESHPROOF_MALLOC_TUNING=0, or its earlier name MESHPROOF_HUGEPAGES=0.
bool turned_off() {
  for (const char* name : {"MESHPROOF_MALLOC_TUNING", "MESHPROOF_HUGEPAGES"})
    if (const char* v = std::getenv(name); v && std::strcmp(v, "0") == 0) return true;
  return false;
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

void tune_malloc(int argc, char** argv) {
  if (std::getenv(kRestarted)) {  // the second start: give the user's environment back
    unsetenv(kRestarted);
    unsetenv(kTunables);
    return;
  }
  if (turned_off() || reads_no_manifests(argc, argv) || std::getenv(kTunables)) return;
  const std::string tunables = (kernel_wants_madvise() ? "glibc.malloc.hugetlb=1:" : "") + std::string(kMallocTunables);
  if (setenv(kTunables, tunables.c_str(), 1) != 0 || setenv(kRestarted, "1", 1) != 0) return;
  if (const std::string self = own_path(); !self.empty()) execv(self.c_str(), argv);
  execv("/proc/self/exe", argv);  // the file was replaced or removed since it started
  // No restart (no /proc, or exec refused): carry on as started.
  unsetenv(kRestarted);
  unsetenv(kTunables);
}

}  // namespace meshproof::cli
