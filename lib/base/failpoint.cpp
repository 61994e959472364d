#include "base/failpoint.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace meshproof {

namespace {

bool armed(const char* name) {
  static const char* const value = std::getenv("MESHPROOF_FAILPOINT");
  return value && std::strcmp(value, name) == 0;
}

}  // namespace

void failpoint(const char* name) {
  if (armed(name)) throw std::runtime_error(std::string("failpoint ") + name);
}

bool failpoint_armed(const char* name) { return armed(name); }

void thread_failpoint() {
  if (armed("thread-create"))
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again), "failpoint thread-create");
}

}  // namespace meshproof
