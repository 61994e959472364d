#include "checks/gap_pass.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "base/failpoint.h"
#include "base/parallel.h"

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

// A set of analyzers that one worker runs over every class, with its own Shared, views and engines.
struct AnalyzerGroup {
  std::unique_ptr<Shared> shared;
  std::vector<std::pair<std::string, std::unique_ptr<Analyzer>>> analyzers;  // check name, analyzer
  std::vector<double> spent;                                                 // ms per analyzer
  size_t engines = 0;
  uint64_t queries = 0;
};

// Runs one group's analyzers over every class, in class order. Engines live only while their class is
// visited, so memory stays bounded by the largest class.
void run_group(const Context& ctx, AnalyzerGroup& g) {
  g.spent.assign(g.analyzers.size(), 0.0);
  for (const mesh::WorkloadClass& wc : ctx.mesh.classes) {
    if (wc.members.empty()) continue;
    ClassView cls = class_view(ctx, *g.shared, wc);
    for (size_t i = 0; i < g.analyzers.size(); ++i) {
      auto t0 = std::chrono::steady_clock::now();
      g.analyzers[i].second->visit(cls);
      g.spent[i] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }
    for (View& v : cls.views)
      if (v.has_engine()) {
        ++g.engines;
        g.queries += v.engine().stats().queries;
      }
  }
}

// The symbolic checks of the registry, in registry order.
std::vector<const SymbolicCheck*> symbolic_checks() {
  std::vector<const SymbolicCheck*> out;
  for (const auto& c : all_checks())
    if (const auto* s = dynamic_cast<const SymbolicCheck*>(c.get())) out.push_back(s);
  return out;
}

// The worker groups: at most one per worker (ctx.options.threads), balanced greedily by weight, heaviest
// first; ties keep the registry order, so the grouping is fixed for a given worker count. Within a group
// the analyzers keep the registry order.
std::vector<AnalyzerGroup> make_groups(const Context& ctx, const std::vector<const SymbolicCheck*>& checks) {
  const size_t n = checks.size();
  if (n == 0) return {};
  const unsigned workers = worker_count(ctx.options.threads, n);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return checks[a]->weight() > checks[b]->weight(); });
  std::vector<std::vector<size_t>> members(workers);
  std::vector<unsigned> load(workers, 0);
  for (size_t i : order) {
    size_t w = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    members[w].push_back(i);
    load[w] += checks[i]->weight();
  }
  std::vector<AnalyzerGroup> groups(workers);
  for (unsigned w = 0; w < workers; ++w) {
    groups[w].shared = std::make_unique<Shared>(ctx);
    std::sort(members[w].begin(), members[w].end());
    for (size_t i : members[w])
      groups[w].analyzers.emplace_back(checks[i]->info().name, checks[i]->analyzer(*groups[w].shared));
  }
  return groups;
}

// MESHPROOF_GAP_STATS=1: where the shared pass spent its time (for performance work; not an interface).
void print_stats(const Context& ctx, const std::vector<AnalyzerGroup>& groups) {
  const char* e = std::getenv("MESHPROOF_GAP_STATS");
  if (!e || *e != '1') return;
  for (size_t w = 0; w < groups.size(); ++w) {
    const AnalyzerGroup& g = groups[w];
    std::fprintf(stderr, "gap pass worker %zu: %zu classes, %zu program engines, %llu queries\n", w,
                 ctx.mesh.classes.size(), g.engines, static_cast<unsigned long long>(g.queries));
    for (size_t i = 0; i < g.analyzers.size(); ++i)
      std::fprintf(stderr, "  %-28s %9.1f ms\n", g.analyzers[i].first.c_str(), g.spent[i]);
  }
}

// The analyzers run in worker groups (parallel_for), each group with its own Shared, views and engines on
// its own thread's Z3 context: analyzers share nothing but the read-only mesh, so no locks are needed.
// What an analyzer finds does not depend on the grouping: Sat/Unsat answers and canonical witnesses
// depend only on the program and the query, not on which engine or context answered
// (EngineOptions::canonical_witnesses); witnesses that are not canonical (Query::existence_only) are never
// shown. The price is that two groups may build an engine for the same program.
std::shared_ptr<Results> run_pass(const Context& ctx) {
  std::vector<AnalyzerGroup> groups = make_groups(ctx, symbolic_checks());
  parallel_for(groups.size(), static_cast<unsigned>(groups.size()), [&](size_t w) {
    failpoint("symbolic-worker");
    run_group(ctx, groups[w]);
  });
  print_stats(ctx, groups);
  auto results = std::make_shared<Results>();
  for (auto& g : groups)
    for (auto& [name, a] : g.analyzers) a->finish(results->by_check[name]);
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
