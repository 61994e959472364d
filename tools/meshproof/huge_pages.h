// Transparent huge pages for malloc's heaps, set up before anything is allocated (huge_pages.cpp).
#pragma once

namespace meshproof::cli {

// On a kernel whose transparent-huge-page mode is "madvise", starts meshproof again, once, with glibc's
// tunable glibc.malloc.hugetlb=1 (read only at process start), unless GLIBC_TUNABLES is already set,
// MESHPROOF_HUGEPAGES=0, or the command reads no manifests (version, checks, help). In the second start it
// removes what it added from the environment, which is the user's again. Returns when nothing is to be done
// or the restart failed.
void use_huge_pages(int argc, char** argv);

}  // namespace meshproof::cli
