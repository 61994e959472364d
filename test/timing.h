// Wall-time bounds in tests are set for the optimized build. Under ASan+UBSan (scripts/test.sh, phase 2)
// the same code runs several times slower, so the bounds are scaled by kTimeScale: still far below what a
// quadratic algorithm would need, which is what these bounds guard against.
#pragma once

namespace meshproof::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr double kTimeScale = 10.0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr double kTimeScale = 10.0;
#else
inline constexpr double kTimeScale = 1.0;
#endif
#else
inline constexpr double kTimeScale = 1.0;
#endif

}  // namespace meshproof::test
