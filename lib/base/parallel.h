// The one worker pool of the project. Every parallel loop (loading files, the symbolic pass's chunks of
// classes, compiling tables) goes through it, so that they share one contract:
//   * work items are handed out in index order; the caller merges results by index, so output never
//     depends on the number of threads or on scheduling;
//   * an exception thrown by a work item stops the hand-out of further items, every worker finishes its
//     current item, and the exception of the lowest failing index is rethrown on the calling thread (the CLI
//     turns it into exit code 3 with its message; nothing ends in std::terminate);
//   * a thread that cannot be created (std::system_error from std::thread) is not fatal: the items run on
//     the threads that could be created, at worst on the calling thread alone.
#pragma once

#include <cstddef>
#include <functional>

namespace meshproof {

// The number of workers for `requested` threads (0: one per core) and `items` work items: at least 1, at
// most `items` (and at most `cap` when it is not 0).
unsigned worker_count(unsigned requested, size_t items, unsigned cap = 0);

// Calls `item(i)` for every i in [0, n) on up to `threads` workers (0: one per core), the calling thread
// being one of them. Returns when every started item has finished; rethrows as described above.
void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& item);

}  // namespace meshproof
