#include "base/failpoint.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace meshproof {

void failpoint(const char* name) {
  static const char* const armed = std::getenv("MESHPROOF_FAILPOINT");
  if (armed && std::strcmp(armed, name) == 0) throw std::runtime_error(std::string("failpoint ") + name);
}

}  // namespace meshproof
