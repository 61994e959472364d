#include "engine/symbolic_z3.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "base/failpoint.h"

namespace meshproof::engine::detail {

z3::context& thread_context() { return SolverContext::for_this_thread().impl().ctx; }

void set_global_params() {
  static std::once_flag once;
  std::call_once(once, [] { z3::set_param("model.compact", false); });
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

void configure(z3::solver& solver, unsigned timeout_ms, unsigned resource_limit) {
  z3::params p(solver.ctx());
  // "random_seed" is the solver's own seed (the module-qualified smt./sat. names are rejected here).
  p.set("random_seed", 0u);
  p.set("timeout", timeout_ms == 0 ? 4294967295u : timeout_ms);  // Z3 reads UINT_MAX as "no limit"
  p.set("rlimit", resource_limit);                               // 0: none
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
  std::atomic<int64_t> deadline_ns{0};  // steady_clock; 0: not armed
  std::atomic<uint64_t> generation{0};  // bumped by every check, so a stale deadline is recognized
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
        uint64_t gen = s->generation.load();
        int64_t d = s->deadline_ns.load();
        // Interrupt only the check that armed this deadline (the generation is unchanged). Z3_interrupt
        // does nothing when no check is running on the context.
        if (d != 0 && now > d && s->generation.load() == gen) Z3_interrupt(s->ctx);
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
  if (timeout_ms == 0) return assumptions.empty() ? solver.check() : solver.check(assumptions);
  if (!registered_) registered_ = Watchdog::instance().add(slot_);
  if (!registered_) return check_with_z3_timer(solver, assumptions, timeout_ms);
  const int64_t start = now_ns(), limit = static_cast<int64_t>(timeout_ms) * 1000000;
  for (;;) {
    slot_->generation.fetch_add(1);
    slot_->deadline_ns.store(start + limit);
    z3::check_result r = assumptions.empty() ? solver.check() : solver.check(assumptions);
    slot_->deadline_ns.store(0);
    slot_->generation.fetch_add(1);
    // An interrupt that arrived before the limit was meant for an earlier check: run again.
    if (r == z3::unknown && now_ns() - start < limit && solver.reason_unknown() == "canceled") continue;
    return r;
  }
}

z3::expr clause_expr(z3::context& c, const StrClause& clause, const std::vector<z3::expr>& vars) {
  z3::expr_vector lits(c);
  for (const StrLit& l : clause) lits.push_back(l.positive ? vars[l.var] : !vars[l.var]);
  if (lits.size() == 1) return lits[0];
  return z3::mk_or(lits);
}

}  // namespace meshproof::engine::detail
