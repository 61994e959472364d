// Failpoints: named places where a test can make meshproof fail on purpose, to prove that the failure is
// handled (a worker's exception reaches the CLI as exit code 3 with its message, never std::terminate).
// Set MESHPROOF_FAILPOINT=NAME in the environment; the failpoint of that name then throws
// std::runtime_error("failpoint NAME"). Unset (always, outside tests), a failpoint costs one comparison.
//
// Failpoints in the code: load-worker (parsing one input file), symbolic-worker (one worker group of the
// symbolic pass), compile-worker (one table proof of `compile`).
#pragma once

namespace meshproof {

void failpoint(const char* name);

}  // namespace meshproof
