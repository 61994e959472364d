// glibc malloc's tunables for a run that reads manifests, set before anything is allocated (malloc_tuning.cpp).
#pragma once

namespace meshproof::cli {

// Starts meshproof again, once, with the GLIBC_TUNABLES of kMallocTunables (after glibc.malloc.hugetlb=1 where
// the kernel's transparent-huge-page mode is "madvise"), which glibc reads only at process start; unless the
// user set GLIBC_TUNABLES, MESHPROOF_MALLOC_TUNING=0, or the command reads no manifests (version, checks,
// help). In the second start it removes what it added from the environment, which is the user's again.
// Returns when nothing is to be done or the restart failed.
void tune_malloc(int argc, char** argv);

// The tunables every restart sets (docs/performance.md "Page faults and the allocator"): the heaps grow in
// 64 MiB steps instead of 128 KiB ones, and each thread keeps up to 2,000 freed chunks of a size.
inline constexpr const char* kMallocTunables = "glibc.malloc.top_pad=67108864:glibc.malloc.tcache_count=2000";

}  // namespace meshproof::cli
