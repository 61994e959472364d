#include "engine/symbolic_z3.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "base/failpoint.h"

namespace meshproof::engine::detail {

z3::context& thread_context() { return SolverContext::for_this_thread().impl().ctx; }

namespace {

// Half the physical memory, between 1 and 8 GiB; MESHPROOF_Z3_MEMORY_MB overrides it.
unsigned default_memory_limit_mb() {
  if (const char* env = std::getenv("MESHPROOF_Z3_MEMORY_MB")) {
    char* end = nullptr;
    unsigned long v = std::strtoul(env, &end, 10);
    if (end != env && *end == '\0' && v > 0 && v <= 1u << 20) return static_cast<unsigned>(v);
  }
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 4096;
  const uint64_t half_mb = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2 / (1024 * 1024);
  return static_cast<unsigned>(std::clamp<uint64_t>(half_mb, 1024, 8192));
}

}  // namespace

std::atomic<unsigned> g_memory_limit_mb{0};  // MiB; 0 until set_global_params ran
std::atomic<unsigned> g_resource_limit{kDefaultSolverResourceLimit};

void set_global_params() {
  static std::once_flag once;
  std::call_once(once, [] {
    z3::set_param("model.compact", false);
    // Every solver of the process (Z3's allocator is global): a check that would grow past it stops with
    // an exception, which the engine answers as Unknown (issue #18, D6: 9 GB at --timeout-ms 1).
    unsigned mb = g_memory_limit_mb.load();
    if (mb == 0) g_memory_limit_mb.store(mb = default_memory_limit_mb());
    z3::set_param("memory_max_size", static_cast<int>(mb));
  });
}

z3::context& sequence_context() {
  struct Context {
    GlobalParams params;
    z3::context ctx;
  };
  thread_local Context context;
  return context.ctx;
}

bool model_bool(const z3::model& m, const z3::expr& e) {
  if (e.is_app() && e.num_args() == 0 && e.decl().decl_kind() == Z3_OP_UNINTERPRETED) {
    Z3_ast v = Z3_model_get_const_interp(m.ctx(), m, e.decl());
    m.check_error();
    return v != nullptr && Z3_get_bool_value(m.ctx(), v) == Z3_L_TRUE;
  }
  return m.eval(e, true).is_true();
}

void configure(z3::solver& solver, unsigned timeout_ms, std::optional<unsigned> resource_limit) {
  z3::params p(solver.ctx());
  // "random_seed" is the solver's own seed (the module-qualified smt./sat. names are rejected here).
  p.set("random_seed", 0u);
  p.set("timeout", timeout_ms == 0 ? 4294967295u : timeout_ms);       // Z3 reads UINT_MAX as "no limit"
  p.set("rlimit", resource_limit.value_or(g_resource_limit.load()));  // 0: none
  // Z3 installs and removes its own SIGINT handler around every check by default (two rt_sigaction calls
  // per check; about half the cost of a trivial check, measured with Z3 4.8.12: 30 -> 13 us). meshproof
  // never relies on Ctrl-C interrupting a check: the watchdog interrupts overdue checks, and Ctrl-C ends
  // the process as usual (issue #16).
  p.set("ctrl_c", false);
  solver.set(p);
}

// ---- reading an assignment ----

namespace {
bool is_bool_constant(const z3::expr& e) {
  return e.is_app() && e.num_args() == 0 && e.decl().decl_kind() == Z3_OP_UNINTERPRETED;
}
}  // namespace

unsigned NegationIds::of(z3::context& c, Z3_ast constant) {
  unsigned id = Z3_get_ast_id(c, constant);
  auto it = ids_.find(id);
  if (it != ids_.end()) return it->second;
  z3::expr neg = !z3::expr(c, constant);
  unsigned nid = Z3_get_ast_id(c, neg);
  keep_alive_.push_back(z3::expr(c, constant));
  keep_alive_.push_back(neg);
  ids_.emplace(id, nid);
  return nid;
}

ModelReader::ModelReader(z3::solver& solver, NegationIds& negations, bool use_trail)
    : solver_(solver), negations_(negations) {
  if (!use_trail) return;
  // Raw C API on purpose: this loop runs over every assigned literal after every Sat check.
  Z3_context c = solver.ctx();
  Z3_ast_vector trail = Z3_solver_get_trail(c, solver);
  if (Z3_get_error_code(c) != Z3_OK || trail == nullptr) return;  // no trail: the model answers
  Z3_ast_vector_inc_ref(c, trail);
  const unsigned n = Z3_ast_vector_size(c, trail);
  trail_.resize(n);
  for (unsigned i = 0; i < n; ++i) trail_[i] = Z3_get_ast_id(c, Z3_ast_vector_get(c, trail, i));
  Z3_ast_vector_dec_ref(c, trail);
  std::sort(trail_.begin(), trail_.end());
}

const z3::model& ModelReader::model() {
  if (!model_) model_.emplace(solver_.get_model());
  return *model_;
}

std::optional<bool> ModelReader::boolean_if_known(const z3::expr& e) {
  if (!trail_.empty() && is_bool_constant(e)) {
    if (std::binary_search(trail_.begin(), trail_.end(), Z3_get_ast_id(e.ctx(), e))) return true;
    if (std::binary_search(trail_.begin(), trail_.end(), negations_.of(e.ctx(), e))) return false;
  }
  return std::nullopt;
}

bool ModelReader::boolean(const z3::expr& e) {
  if (!trail_.empty() && is_bool_constant(e)) {
    if (std::binary_search(trail_.begin(), trail_.end(), Z3_get_ast_id(e.ctx(), e))) return true;
    if (std::binary_search(trail_.begin(), trail_.end(), negations_.of(e.ctx(), e))) return false;
  }
  return model_bool(model(), e);
}

uint64_t ModelReader::u64(const z3::expr& bv) {
  uint64_t v = 0;
  if (!model().eval(bv, true).is_numeral_u64(v)) throw InternalError("solver model has no value for " + bv.to_string());
  return v;
}

// ---- the watchdog ----

struct CheckDeadline::Slot {
  Z3_context ctx = nullptr;
  // Taken by the watchdog around "armed and overdue? interrupt", and by the checking thread to arm and
  // disarm: an interrupt therefore lands only between arming and disarming, and `interrupted` says so.
  std::mutex mu;
  int64_t deadline_ns = 0;  // steady_clock; 0: not armed
  bool interrupted = false;
};

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog w;
    return w;
  }
  // Registers a slot, starting the thread on first use. False when the thread cannot be created (a process
  // or container thread limit): the slot is not registered and its checks use Z3's own timer instead; a
  // later registration tries to start the thread again.
  bool add(CheckDeadline::Slot* s) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) {
      try {
        thread_failpoint();
        thread_ = std::thread([this] { run(); });
      } catch (const std::system_error&) {
        return false;
      }
    }
    slots_.push_back(s);
    return true;
  }
  void remove(CheckDeadline::Slot* s) {
    std::lock_guard<std::mutex> lock(mu_);
    slots_.erase(std::remove(slots_.begin(), slots_.end(), s), slots_.end());
  }
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(2));
      const int64_t now = now_ns();
      for (CheckDeadline::Slot* s : slots_) {
        std::lock_guard<std::mutex> slot_lock(s->mu);
        if (s->deadline_ns == 0 || now <= s->deadline_ns) continue;
        // Again on every poll while the check runs: Z3 clears a cancel that arrives before its check has
        // started searching (smt::context resets it on entry), so one interrupt can be lost.
        Z3_interrupt(s->ctx);
        s->interrupted = true;
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<CheckDeadline::Slot*> slots_;
  std::thread thread_;
  bool stop_ = false;
};

// The slower way to bound a check, for when the watchdog thread cannot be created: Z3's `timeout`
// parameter for this one check (Z3 then times it with a thread of its own; if the system refuses that one
// too, Z3's std::system_error reaches the CLI, which says so and exits 2).
z3::check_result check_with_z3_timer(z3::solver& solver, const z3::expr_vector& assumptions, unsigned timeout_ms) {
  auto set_timeout = [&](unsigned ms) {
    z3::params p(solver.ctx());
    p.set("timeout", ms);
    solver.set(p);
  };
  set_timeout(timeout_ms);
  z3::check_result r = z3::unknown;
  try {
    r = assumptions.empty() ? solver.check() : solver.check(assumptions);
  } catch (...) {
    set_timeout(4294967295u);
    throw;
  }
  set_timeout(4294967295u);  // Z3 reads UINT_MAX as "no limit": the watchdog's checks expect none
  return r;
}

// Z3_interrupt also cancels the context's resource limit, and that cancel stays until some check clears
// it on entry. An interrupt that lands as a check ends therefore leaves the context cancelled, and what the
// thread does next in that context fails silently: the assertions of the next engine built on it (the
// thread's context serves every engine of the thread) were partly dropped, and that engine answered Sat
// with witnesses that break its own axioms (docs/robustness.md, F1). A trivial check clears the cancel at
// once, before anything else uses the context.
void clear_cancel(z3::context& c) { z3::solver(c, z3::solver::simple()).check(); }

// The failpoint late-interrupt: every third time-limited check is interrupted after it returned, before it
// is disarmed, as the watchdog does when a deadline expires just as the check ends.
bool late_interrupt_failpoint() {
  static std::atomic<unsigned> checks{0};
  return failpoint_armed("late-interrupt") && ++checks % 3 == 0;
}

}  // namespace

CheckDeadline::CheckDeadline(z3::context& c) : slot_(new Slot) { slot_->ctx = c; }

CheckDeadline::~CheckDeadline() {
  Watchdog::instance().remove(slot_);
  delete slot_;
}

z3::check_result CheckDeadline::check(z3::solver& solver, unsigned timeout_ms) {
  z3::expr_vector none(solver.ctx());
  return check(solver, none, timeout_ms);
}

z3::check_result CheckDeadline::check(z3::solver& solver, const z3::expr_vector& assumptions, unsigned timeout_ms) {
  interrupted_ = timed_out_ = false;
  if (timeout_ms == 0) return assumptions.empty() ? solver.check() : solver.check(assumptions);
  if (!registered_) registered_ = Watchdog::instance().add(slot_);
  if (!registered_) {
    const int64_t start = now_ns();
    z3::check_result r = check_with_z3_timer(solver, assumptions, timeout_ms);
    timed_out_ = r == z3::unknown && now_ns() - start >= static_cast<int64_t>(timeout_ms) * 1000000;
    return r;
  }
  {
    std::lock_guard<std::mutex> lock(slot_->mu);
    slot_->deadline_ns = now_ns() + static_cast<int64_t>(timeout_ms) * 1000000;
    slot_->interrupted = false;
  }
  z3::check_result r = assumptions.empty() ? solver.check() : solver.check(assumptions);
  {
    std::lock_guard<std::mutex> lock(slot_->mu);
    if (late_interrupt_failpoint()) {
      Z3_interrupt(slot_->ctx);
      slot_->interrupted = true;
    }
    slot_->deadline_ns = 0;
    interrupted_ = slot_->interrupted;
  }
  // An interrupted check is never an answer, even when it returned Sat or Unsat (the interrupt may have
  // landed after the search, during model construction). The caller renews its solver (engine.cpp).
  if (interrupted_) clear_cancel(solver.ctx());
  timed_out_ = interrupted_;
  return interrupted_ ? z3::unknown : r;
}

std::string reason_unknown(z3::solver& solver) {
  std::string r = solver.reason_unknown();
  if (r == "canceled") return "the time limit or the resource budget (--rlimit) was reached";
  return r;
}

z3::expr clause_expr(z3::context& c, const StrClause& clause, const std::vector<z3::expr>& vars) {
  z3::expr_vector lits(c);
  for (const StrLit& l : clause) lits.push_back(l.positive ? vars[l.var] : !vars[l.var]);
  if (lits.size() == 1) return lits[0];
  return z3::mk_or(lits);
}

}  // namespace meshproof::engine::detail

namespace meshproof::engine {

void set_solver_memory_limit_mb(unsigned mb) {
  detail::set_global_params();
  detail::g_memory_limit_mb.store(mb);
  z3::set_param("memory_max_size", static_cast<int>(mb));
}

void set_solver_resource_limit(unsigned units) { detail::g_resource_limit.store(units); }
unsigned solver_resource_limit() { return detail::g_resource_limit.load(); }

unsigned solver_memory_limit_mb() {
  detail::set_global_params();
  return detail::g_memory_limit_mb.load();
}

}  // namespace meshproof::engine
