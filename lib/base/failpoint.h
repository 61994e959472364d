// Failpoints: named places where a test can make meshproof fail on purpose, to prove that the failure is
// handled (a worker's exception reaches the CLI as exit code 3 with its message, never std::terminate).
// Set MESHPROOF_FAILPOINT=NAME in the environment; the failpoint of that name then throws
// std::runtime_error("failpoint NAME"). Unset (always, outside tests), a failpoint costs one comparison.
//
// Failpoints in the code: load-worker (parsing one input file), symbolic-worker (one chunk of classes of the
// symbolic pass), compile-worker (one table proof of `compile`); late-interrupt (every third time-limited solver
// check is interrupted just after it returned, as a watchdog that fires late does); thread-create (every std::thread
// meshproof starts: the pool's helpers and the solver's watchdog), which throws std::system_error as a process or
// container thread limit does (see thread_failpoint).
#pragma once

namespace meshproof {

void failpoint(const char* name);

// Just before a std::thread is created: throws std::system_error (resource_unavailable_try_again), as
// std::thread's constructor does when the system refuses a thread, when MESHPROOF_FAILPOINT=thread-create.
void thread_failpoint();

// Whether MESHPROOF_FAILPOINT names this failpoint, for failpoints that do something other than throw
// (late-interrupt: see engine/symbolic_z3.cpp).
bool failpoint_armed(const char* name);

}  // namespace meshproof
