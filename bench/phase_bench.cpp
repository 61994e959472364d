// Each phase of `meshproof check`, timed alone on a meshgen tree (docs/performance.md):
//
//   Load      read + parse YAML + type resources (lib/app load_files; one parser thread per core)
//   Validate  model::validate_all
//   Resolve   mesh::resolve: workloads, applicable policies, effective mTLS, classes
//   Lower     ir::build_all_programs: one program set per workload class (in `check` this happens
//             inside Analyze, class by class; here it is timed on its own)
//   Analyze   checks::run_checks (every check, lowering and the symbolic gap pass included) + annotation
//             suppressions, as `check` does
//   Report    report::format_json of the findings
//   Query     single symbolic queries (engine::Engine::find) on the programs of the first 100 classes:
//             the gap checks' typical questions; counter `median_us` is the issue #7 target (also:
//             `p90_us`, and the medians of Sat answers, which build and replay a witness, and of Unsat)
//
// The argument is the policy count. The trees are written by the `meshgen` binary at start (it links
// nothing of meshproof, so the input never depends on the code under test) into a temporary directory that
// is removed at exit, or into $MESHPROOF_BENCH_CACHE/mg-N (kept and reused, as scripts/bench-scale.sh does).
//
//   build-perf/bench/phase_bench --benchmark_min_time=1
//   build-perf/bench/phase_bench --benchmark_filter='/1000$'
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "app/pipeline.h"
#include "checks/check.h"
#include "engine/query.h"
#include "ir/lower.h"
#include "report/report.h"
#include "report/run.h"

#ifndef MESHPROOF_MESHGEN
#error "MESHPROOF_MESHGEN (the meshgen binary) is defined by bench/CMakeLists.txt"
#endif

namespace fs = std::filesystem;
using namespace meshproof;

namespace {

// ---- Inputs ----------------------------------------------------------------------------------------

std::string g_temp_dir;  // removed at exit; empty when $MESHPROOF_BENCH_CACHE is used

std::string tree_for(int policies) {
  std::string base;
  if (const char* c = std::getenv("MESHPROOF_BENCH_CACHE"); c && *c) {
    base = c;
    fs::create_directories(base);
  } else {
    if (g_temp_dir.empty()) {
      std::string tmpl = (fs::temp_directory_path() / "meshproof-phase-bench-XXXXXX").string();
      if (!mkdtemp(tmpl.data())) {
        std::perror("phase_bench: mkdtemp");
        std::exit(2);
      }
      g_temp_dir = tmpl;
    }
    base = g_temp_dir;
  }
  std::string dir = base + "/mg-" + std::to_string(policies);
  if (fs::exists(dir + "/.meshgen")) return dir;  // an earlier meshgen tree of this size (same default seed)
  std::string cmd = std::string("'") + MESHPROOF_MESHGEN + "' --policies " + std::to_string(policies) + " --out '" +
                    dir + "' --force -q";
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "phase_bench: '%s' failed\n", cmd.c_str());
    std::exit(2);
  }
  return dir;
}

app::InputOptions input_options(const std::string& dir) {
  app::InputOptions o;
  o.paths = {dir};
  return o;
}

analysis::Options analysis_options(const std::string& dir) {
  analysis::Options o;
  o.input = input_options(dir);
  o.today = "2026-01-01";  // fixed, so that exception expiry does not depend on the date
  o.run_checks = false;
  return o;
}

// The world of each size, built once (analysis::run without the checks) and shared by the benchmarks of
// that size; the analysis phase runs the checks on it again and again (analysis::analyze).
struct Prepared {
  std::string dir;
  std::unique_ptr<analysis::Analysis> analysis;
  app::Input* input = nullptr;
  bool analyzed = false;
};

Prepared& prepared(int policies) {
  static std::map<int, std::unique_ptr<Prepared>> cache;
  auto& p = cache[policies];
  if (!p) {
    p = std::make_unique<Prepared>();
    p->dir = tree_for(policies);
    p->analysis = analysis::run(analysis_options(p->dir));
    if (p->analysis->failed()) {
      std::fprintf(stderr, "phase_bench: %s could not be read\n", p->dir.c_str());
      std::exit(2);
    }
    p->input = p->analysis->input.get();
  }
  return *p;
}

// The checks, the profile and the suppressions on the prepared world, with a fresh check context (nothing
// cached between iterations).
const std::vector<Finding>& analyze(Prepared& p) {
  analysis::analyze(analysis_options(p.dir), *p.analysis);
  return p.analysis->findings;
}

Prepared& analyzed(int policies) {
  Prepared& p = prepared(policies);
  if (!p.analyzed) {
    analyze(p);
    p.analyzed = true;
  }
  return p;
}

void size_counters(benchmark::State& state, const Prepared& p) {
  state.counters["files"] = static_cast<double>(p.input->stats.files);
  state.counters["workloads"] = static_cast<double>(p.input->stats.workloads);
  state.counters["classes"] = static_cast<double>(p.input->stats.classes);
}

// ---- Phases ----------------------------------------------------------------------------------------

void BM_Load(benchmark::State& state) {
  Prepared& p = prepared(static_cast<int>(state.range(0)));
  app::InputOptions o = input_options(p.dir);
  for (auto _ : state) {
    auto input = std::make_unique<app::Input>();
    app::load_files(o, *input);
    benchmark::DoNotOptimize(input->resources.authorization_policies.data());
    state.PauseTiming();  // freeing the resources is not loading them
    input.reset();
    state.ResumeTiming();
  }
  size_counters(state, p);
  state.counters["documents"] = static_cast<double>(p.input->stats.documents);
}

void BM_Validate(benchmark::State& state) {
  Prepared& p = prepared(static_cast<int>(state.range(0)));
  const size_t before = p.input->resources.diagnostics.size();
  for (auto _ : state) {
    app::validate_input(*p.input);
    state.PauseTiming();  // validation appends its diagnostics: drop this iteration's copy
    auto& d = p.input->resources.diagnostics;
    d.erase(d.begin() + static_cast<long>(before), d.end());
    state.ResumeTiming();
  }
  size_counters(state, p);
}

void BM_Resolve(benchmark::State& state) {
  Prepared& p = prepared(static_cast<int>(state.range(0)));
  mesh::ResolveOptions ro;
  for (auto _ : state) {
    auto m = std::make_unique<mesh::Mesh>(mesh::resolve(p.input->resources, ro));
    benchmark::DoNotOptimize(m->classes.data());
    state.PauseTiming();
    m.reset();
    state.ResumeTiming();
  }
  size_counters(state, p);
}

void BM_Lower(benchmark::State& state) {
  Prepared& p = prepared(static_cast<int>(state.range(0)));
  size_t programs = 0;
  for (auto _ : state) {
    auto all = std::make_unique<std::vector<ir::WorkloadPrograms>>(ir::build_all_programs(p.input->mesh));
    state.PauseTiming();
    programs = 0;
    for (const auto& wp : *all)
      for (const auto& pp : wp.ports) programs += pp.views.size();
    all.reset();
    state.ResumeTiming();
  }
  size_counters(state, p);
  state.counters["programs"] = static_cast<double>(programs);
}

void BM_Analyze(benchmark::State& state) {
  Prepared& p = prepared(static_cast<int>(state.range(0)));
  size_t findings = 0;
  for (auto _ : state) {
    findings = analyze(p).size();
  }
  size_counters(state, p);
  state.counters["findings"] = static_cast<double>(findings);
}

void BM_Report(benchmark::State& state) {
  Prepared& p = analyzed(static_cast<int>(state.range(0)));
  const report::RunSummary summary = report::summarize(*p.analysis, "error");
  const std::vector<Finding>& findings = p.analysis->findings;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = report::format_json(findings, p.input->sources, summary);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  size_counters(state, p);
  state.counters["findings"] = static_cast<double>(findings.size());
  state.counters["json_bytes"] = static_cast<double>(bytes);
}

// ---- Single symbolic queries on the mesh's own programs --------------------------------------------

// The questions the gap checks ask most (checks/gap_pass.h): is each ALLOW rule reachable (decides
// some request)? can a DENY rule override it? can a plaintext request be allowed / denied?
std::vector<engine::Query> gap_queries(const ir::Program& prog) {
  using engine::Query;
  using engine::Verdict;
  std::vector<Query> qs;
  for (size_t i = 0; i < prog.allow.size(); ++i) {
    qs.push_back(Query().decided_by({model::Action::Allow, i}));
    qs.push_back(Query().rule_matches({model::Action::Allow, i}).verdict(Verdict::Deny));
  }
  for (size_t i = 0; i < prog.deny.size(); ++i) qs.push_back(Query().decided_by({model::Action::Deny, i}));
  qs.push_back(Query().mtls(false).verdict(Verdict::Allow));
  qs.push_back(Query().mtls(false).verdict(Verdict::Deny));
  return qs;
}

double percentile(std::vector<double> xs, double q) {
  if (xs.empty()) return 0;
  size_t k = std::min(xs.size() - 1, static_cast<size_t>(q * static_cast<double>(xs.size())));
  std::nth_element(xs.begin(), xs.begin() + static_cast<long>(k), xs.end());
  return xs[k];
}

void BM_Query(benchmark::State& state) {
  Prepared& p = prepared(static_cast<int>(state.range(0)));
  constexpr size_t kClasses = 100;
  // Programs of the first classes (in class order: deterministic), one Engine each, built before timing.
  const ir::LowerContext lower = ir::LowerContext::from(p.input->mesh.config);
  std::vector<ir::WorkloadPrograms> programs;
  for (size_t c = 0; c < p.input->mesh.classes.size() && programs.size() < kClasses; ++c) {
    const mesh::WorkloadClass& wc = p.input->mesh.classes[c];
    if (wc.members.empty()) continue;
    const mesh::Workload& rep = p.input->mesh.workloads[wc.members.front()];
    programs.push_back(ir::build_programs(rep, lower));
  }
  engine::EngineOptions eo;
  eo.default_timeout_ms = 2000;  // `check`'s default --timeout-ms
  std::vector<std::unique_ptr<engine::Engine>> engines;
  std::vector<std::pair<engine::Engine*, engine::Query>> work;
  for (const auto& wp : programs) {
    std::vector<uint32_t> declared;
    for (const auto& pp : wp.ports)
      if (pp.port != 0) declared.push_back(pp.port);
    for (const auto& pp : wp.ports)
      for (const ir::Program& prog : pp.views) {
        eo.declared_ports = declared;
        engines.push_back(std::make_unique<engine::Engine>(prog, eo));
        for (engine::Query& q : gap_queries(prog)) work.emplace_back(engines.back().get(), std::move(q));
      }
  }
  std::vector<double> us, sat_us, unsat_us;
  size_t i = 0, unknown = 0;
  for (auto _ : state) {
    auto& [eng, q] = work[i++ % work.size()];
    auto t0 = std::chrono::steady_clock::now();
    engine::QueryResult r = eng->find(q);
    double t = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    us.push_back(t);
    if (r.answer == engine::SatAnswer::Sat) sat_us.push_back(t);  // witness built and replayed
    if (r.answer == engine::SatAnswer::Unsat) unsat_us.push_back(t);
    unknown += r.answer == engine::SatAnswer::Unknown;
    benchmark::DoNotOptimize(r);
  }
  const size_t sat = sat_us.size();
  state.counters["median_us"] = percentile(us, 0.5);
  state.counters["p90_us"] = percentile(us, 0.9);
  state.counters["sat_median_us"] = percentile(sat_us, 0.5);
  state.counters["unsat_median_us"] = percentile(unsat_us, 0.5);
  state.counters["sat_fraction"] = us.empty() ? 0 : static_cast<double>(sat) / static_cast<double>(us.size());
  state.counters["unknown"] = static_cast<double>(unknown);
  state.counters["engines"] = static_cast<double>(engines.size());
  state.counters["distinct_queries"] = static_cast<double>(work.size());
}

void sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("policies")->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_Load)->Apply(sizes);
BENCHMARK(BM_Validate)->Apply(sizes);
BENCHMARK(BM_Resolve)->Apply(sizes);
BENCHMARK(BM_Lower)->Apply(sizes);
BENCHMARK(BM_Analyze)->Apply(sizes);
BENCHMARK(BM_Report)->Apply(sizes);
BENCHMARK(BM_Query)->ArgName("policies")->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!g_temp_dir.empty()) {
    std::error_code ec;
    fs::remove_all(g_temp_dir, ec);
  }
  return 0;
}
