#include "checks/gap_pass.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>

#include "base/failpoint.h"
#include "base/parallel.h"
#include "checks/gap_waypoints.h"

namespace meshproof::checks::gaps {

// ---------------------------------------------------------------------------------------------------
// Shared

Shared::Shared(const Context& c) : ctx(c), lower(ir::LowerContext::from(c.mesh.config)) {}

std::vector<const model::AuthorizationPolicy*> Shared::policies_of(const ClassView& cls) const {
  std::vector<const model::AuthorizationPolicy*> out;
  if (!cls.rep || cls.views.empty()) return out;
  out = cls.rep->authorization_policies;
  return out;
}

size_t Shared::order_of(const model::AuthorizationPolicy* p) const {
  const auto& all = ctx.resources.authorization_policies;
  if (all.empty() || p < all.data() || p >= all.data() + all.size()) return all.size();
  return static_cast<size_t>(p - all.data());
}

const ir::LoweredPolicy& Shared::lowered(const model::AuthorizationPolicy& p, ir::Protocol protocol) const {
  auto key = std::make_pair(&p, protocol);
  auto it = lowered_.find(key);
  if (it == lowered_.end()) it = lowered_.emplace(key, ir::lower_policy(p, protocol, lower)).first;
  return it->second;
}

// ---------------------------------------------------------------------------------------------------
// The pass

namespace {

// The views of one workload class: the programs ir::build_all_programs builds for it, built here class by
// class so that the pass never holds every class's programs at once.
ClassView class_view(const Context& ctx, const Shared& shared, const mesh::WorkloadClass& wc) {
  ClassView cls;
  cls.class_id = wc.id;
  cls.rep = &ctx.mesh.workloads[wc.members.front()];
  for (size_t m : wc.members) cls.members.push_back(&ctx.mesh.workloads[m]);
  ir::WorkloadPrograms wp = ir::build_programs(*cls.rep, shared.lower);
  std::vector<uint32_t> declared;
  for (const auto& pp : wp.ports)
    if (pp.port != 0) declared.push_back(pp.port);
  for (auto& pp : wp.ports)
    for (auto& prog : pp.views) {
      auto& dest = prog.enforced && cls.rep->has_proxy() ? cls.views : cls.unenforced;
      dest.emplace_back(std::move(prog), declared, ctx.options.query_timeout_ms);
    }
  return cls;
}

// The classes of one chunk, [begin, end) in class order, and every symbolic check's analyzer for them,
// with their own Shared, views and engines.
struct Chunk {
  size_t begin = 0, end = 0;
  std::unique_ptr<Shared> shared;
  std::vector<std::unique_ptr<Analyzer>> analyzers;  // one per symbolic check, in registry order
  std::vector<double> spent;                         // ms per analyzer
  std::vector<double> class_ms;                      // ms per visited class (views, lowering, analyzers)
  size_t engines = 0;
  uint64_t queries = 0;
};

// At most this many chunks: enough for the workers to balance classes of very different cost, few enough
// that the per-chunk set-up (Shared, analyzers) stays negligible. The chunking depends only on the number
// of classes, never on --threads, so the findings do not either. MESHPROOF_GAP_CHUNKS=N sets another
// maximum, for the test that proves the merge gives what one chunk gives (not an interface).
constexpr size_t kMaxChunks = 64;

size_t max_chunks() {
  const char* e = std::getenv("MESHPROOF_GAP_CHUNKS");
  if (!e || !*e) return kMaxChunks;
  const long n = std::strtol(e, nullptr, 10);
  return n > 0 ? static_cast<size_t>(n) : kMaxChunks;
}

std::vector<Chunk> make_chunks(size_t classes) {
  const size_t count = std::min(classes, max_chunks());
  std::vector<Chunk> chunks(count);
  for (size_t c = 0; c < count; ++c) {
    chunks[c].begin = classes * c / count;
    chunks[c].end = classes * (c + 1) / count;
  }
  return chunks;
}

// The symbolic checks of the registry, in registry order.
std::vector<const SymbolicCheck*> symbolic_checks() {
  std::vector<const SymbolicCheck*> out;
  for (const auto& c : all_checks())
    if (const auto* s = dynamic_cast<const SymbolicCheck*>(c.get())) out.push_back(s);
  return out;
}

// Counts the classes visited by all workers for Options::class_progress, one call at a time.
class ClassProgress {
 public:
  explicit ClassProgress(const Context& ctx) : report_(ctx.options.class_progress), total_(ctx.mesh.classes.size()) {}
  void visited() {
    if (!report_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    report_(++done_, total_);
  }

 private:
  const std::function<void(size_t, size_t)>& report_;
  const size_t total_;
  std::mutex mutex_;
  size_t done_ = 0;
};

// Runs every analyzer over the chunk's classes, in class order. Engines live only while their class is
// visited, so memory stays bounded by the largest class.
// Units past the workload classes are the waypoint units (checks/gap_waypoints.h), visited after them.
void run_chunk(const Context& ctx, const std::vector<const SymbolicCheck*>& checks, const WaypointUnits& waypoints,
               Chunk& chunk, ClassProgress& progress) {
  chunk.shared = std::make_unique<Shared>(ctx);
  chunk.shared->waypoints = &waypoints.model;
  for (const SymbolicCheck* c : checks) chunk.analyzers.push_back(c->analyzer(*chunk.shared));
  chunk.spent.assign(checks.size(), 0.0);
  const size_t classes = ctx.mesh.classes.size();
  for (size_t k = chunk.begin; k < chunk.end; ++k) {
    if (k < classes && ctx.mesh.classes[k].members.empty()) {
      progress.visited();
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    ClassView cls = k < classes ? class_view(ctx, *chunk.shared, ctx.mesh.classes[k])
                                : waypoint_class_view(ctx, *chunk.shared, waypoints, k - classes);
    for (size_t i = 0; i < chunk.analyzers.size(); ++i) {
      auto t0 = std::chrono::steady_clock::now();
      chunk.analyzers[i]->visit(cls);
      chunk.spent[i] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }
    for (View& v : cls.views)
      if (v.has_engine()) {
        ++chunk.engines;
        chunk.queries += v.engine().stats().queries;
      }
    chunk.class_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (k < classes) progress.visited();
  }
}

// "median 1.20 ms, p90 3.40 ms, max 56.7 ms" of the per-class times.
std::string class_cost_text(std::vector<double> ms) {
  if (ms.empty()) return "no class visited";
  std::sort(ms.begin(), ms.end());
  char buf[128];
  std::snprintf(buf, sizeof buf, "median %.2f ms, p90 %.2f ms, max %.1f ms", ms[ms.size() / 2], ms[ms.size() * 9 / 10],
                ms.back());
  return buf;
}

// MESHPROOF_GAP_STATS=1: where the shared pass spent its time, summed over the chunks (CPU time of all
// workers; for performance work, not an interface).
void print_stats(const Context& ctx, const std::vector<const SymbolicCheck*>& checks,
                 const std::vector<Chunk>& chunks) {
  const char* e = std::getenv("MESHPROOF_GAP_STATS");
  if (!e || *e != '1') return;
  size_t engines = 0;
  uint64_t queries = 0;
  std::vector<double> spent(checks.size(), 0.0), class_ms;
  for (const Chunk& c : chunks) {
    engines += c.engines;
    queries += c.queries;
    for (size_t i = 0; i < spent.size(); ++i) spent[i] += c.spent[i];
    class_ms.insert(class_ms.end(), c.class_ms.begin(), c.class_ms.end());
  }
  std::fprintf(stderr, "gap pass: %zu classes in %zu chunks, %zu program engines, %llu queries\n",
               ctx.mesh.classes.size(), chunks.size(), engines, static_cast<unsigned long long>(queries));
  std::fprintf(stderr, "gap pass cost per class: %s\n", class_cost_text(std::move(class_ms)).c_str());
  for (size_t i = 0; i < checks.size(); ++i)
    std::fprintf(stderr, "  %-28s %9.1f ms\n", checks[i]->info().name.c_str(), spent[i]);
}

// The classes are cut into chunks (make_chunks) that the workers take in order (parallel_for); each chunk
// has its own Shared, analyzers, views and engines on its worker's Z3 context, so workers share nothing
// but the read-only mesh and need no locks. The analyzers of later chunks are then merged into the first
// chunk's, in chunk order (Analyzer::merge), which gives what one visit of every class in order gives.
// What an analyzer finds does not depend on which worker visited a class: Sat/Unsat answers and canonical
// witnesses depend only on the program and the query (EngineOptions::canonical_witnesses); witnesses that
// are not canonical (Query::existence_only) are never shown.
std::shared_ptr<Results> run_pass(const Context& ctx) {
  const std::vector<const SymbolicCheck*> checks = symbolic_checks();
  const std::shared_ptr<const WaypointUnits> waypoints = waypoint_units(ctx);
  std::vector<Chunk> chunks = make_chunks(ctx.mesh.classes.size() + waypoints->units.size());
  ClassProgress progress(ctx);
  parallel_for(chunks.size(), ctx.options.threads, [&](size_t c) {
    failpoint("symbolic-worker");
    run_chunk(ctx, checks, *waypoints, chunks[c], progress);
  });
  print_stats(ctx, checks, chunks);
  auto results = std::make_shared<Results>();
  for (size_t i = 0; i < checks.size(); ++i) {
    std::vector<Finding>& out = results->by_check[checks[i]->info().name];
    if (chunks.empty()) {
      Shared shared(ctx);
      checks[i]->analyzer(shared)->finish(out);
      continue;
    }
    for (size_t c = 1; c < chunks.size(); ++c) chunks[0].analyzers[i]->merge(*chunks[c].analyzers[i]);
    chunks[0].analyzers[i]->finish(out);
  }
  return results;
}

}  // namespace

const std::vector<Finding>& findings_of(const Context& ctx, const std::string& check) {
  if (!ctx.gap_results) ctx.gap_results = run_pass(ctx);
  static const std::vector<Finding> none;
  auto it = ctx.gap_results->by_check.find(check);
  return it == ctx.gap_results->by_check.end() ? none : it->second;
}

void SymbolicCheck::run(const Context& ctx, std::vector<Finding>& out) const {
  const auto& f = findings_of(ctx, info().name);
  out.insert(out.end(), f.begin(), f.end());
}

}  // namespace meshproof::checks::gaps
