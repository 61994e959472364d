// Small vector helpers that several layers need, one definition each.
#pragma once

#include <iterator>
#include <utility>
#include <vector>

namespace meshproof {

// Moves every element of `from` to the end of `to`, in order. Merges run once per input file: no exact reserve
// here, which would defeat the vector's geometric growth and move every element again on every file.
template <class T>
void append(std::vector<T>& to, std::vector<T>&& from) {
  if (to.empty()) {
    to = std::move(from);
    return;
  }
  std::move(from.begin(), from.end(), std::back_inserter(to));
}

}  // namespace meshproof
