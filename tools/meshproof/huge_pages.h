// Transparent huge pages for malloc's heaps, set up before anything is allocated (huge_pages.cpp).
#pragma once

namespace meshproof::cli {

// On a kernel whose transparent-huge-page mode is "madvise", starts meshproof again, once, with glibc's
// tunable glibc.malloc.hugetlb=1 (read only at process start), unless GLIBC_TUNABLES is already set or
// MESHPROOF_HUGEPAGES=0. In the second start it removes what it added from the environment, so that the
// programs meshproof runs (git) see the user's. Returns when nothing is to be done or the restart failed.
void use_huge_pages(char** argv);

}  // namespace meshproof::cli
