#include "base/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "base/failpoint.h"

namespace meshproof {

unsigned worker_count(unsigned requested, size_t items, unsigned cap) {
  unsigned n = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  if (cap) n = std::min(n, cap);
  return static_cast<unsigned>(std::max<size_t>(1, std::min<size_t>(n, items)));
}

namespace {

// What the workers share: the next index to hand out and the first failure (by index).
struct Pool {
  Pool(const std::function<void(size_t)>& f, size_t count) : item(f), n(count) {}
  const std::function<void(size_t)>& item;
  size_t n;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  size_t failed_index = 0;
  std::exception_ptr error;

  void work() {
    while (!failed.load(std::memory_order_relaxed)) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        item(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error || i < failed_index) {
          error = std::current_exception();
          failed_index = i;
        }
        failed = true;
      }
    }
  }
};

}  // namespace

void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& item) {
  if (n == 0) return;
  Pool pool(item, n);
  const unsigned workers = worker_count(threads, n);
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < workers; ++t) {
    try {
      thread_failpoint();
      helpers.emplace_back([&pool] { pool.work(); });
    } catch (const std::system_error&) {
      break;  // no more threads: the ones we have (and this one) take the rest
    }
  }
  pool.work();
  for (auto& h : helpers) h.join();
  if (pool.error) std::rethrow_exception(pool.error);
}

}  // namespace meshproof
