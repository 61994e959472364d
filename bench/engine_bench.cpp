// Per-query latency of the symbolic engine on workload-class programs of realistic shape: ALLOW rules
// with principals, methods and paths, a few DENY rules, PERMISSIVE mTLS on an HTTP port. Each iteration
// is one Engine::find() — push, assert, check, model → witness request → concrete replay, pop — cycling
// through the queries the gap checks ask. The `median_us` counter is the median over single queries
// (the default `real_time` column is the mean).
//
//   build/bench/engine_bench --benchmark_filter=Query --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "engine/query.h"

using namespace meshproof;
using engine::Query;
using engine::Verdict;
using ir::Attribute;
using ir::Op;

namespace {

ir::Match field(std::vector<ir::Atom> values, bool negated = false) {
  ir::Match m;
  m.negated = negated;
  for (auto& a : values) {
    ir::Term t;
    t.atoms.push_back(a);
    m.terms.push_back(t);
  }
  return m;
}

// A principal value `cluster.local/ns/NS/sa/SA` lowers to a term of three exact atoms.
ir::Term principal(const std::string& ns, const std::string& sa) {
  ir::Term t;
  t.atoms = {ir::make_atom(Attribute::PeerTrustDomain, Op::Exact, "cluster.local"),
             ir::make_atom(Attribute::PeerNamespace, Op::Exact, ns),
             ir::make_atom(Attribute::PeerServiceAccount, Op::Exact, sa)};
  return t;
}

ir::Rule make_rule(model::Action action, const std::string& name, std::vector<ir::Match> from,
                   std::vector<ir::Match> to) {
  ir::Rule r;
  r.policy.action = action;
  r.policy.ns = "shop";
  r.policy.name = name;
  ir::Clause p, q;
  p.kind = ir::ClauseKind::Principal;
  p.matches = std::move(from);
  q.kind = ir::ClauseKind::Permission;
  q.matches = std::move(to);
  r.principals.push_back(p);
  r.permissions.push_back(q);
  return r;
}

// `allow_rules` ALLOW rules, each: from 1-3 principals (some namespaces-only), to 1-2 methods and
// 1-3 paths (prefix and exact); plus 3 DENY rules: admin paths from outside `ops`, plaintext
// (notPrincipals: ["*"]) to /internal/, and DELETE everywhere but from `ops`.
ir::Program workload_class(int allow_rules) {
  ir::Program p;
  p.workload = "shop/checkout";
  p.port = 8080;
  p.protocol = ir::Protocol::Http;
  p.mtls = model::MtlsMode::Permissive;
  const std::vector<std::string> nss{"frontend", "cart", "payments", "ops", "search", "mobile-bff", "partners"};
  const std::vector<std::string> methods{"GET", "POST", "PUT", "PATCH"};
  for (int i = 0; i < allow_rules; ++i) {
    ir::Match from;
    for (int k = 0; k <= i % 3; ++k) {
      const std::string& ns = nss[(i + k) % nss.size()];
      if ((i + k) % 4 == 3) {
        from.terms.push_back(ir::Term{{ir::make_atom(Attribute::PeerNamespace, Op::Exact, ns)}, false, ns, {}});
      } else {
        from.terms.push_back(principal(ns, "sa-" + std::to_string((i + k) % 5)));
      }
    }
    std::vector<ir::Atom> ms{ir::make_atom(Attribute::Method, Op::Exact, methods[i % methods.size()])};
    if (i % 2) ms.push_back(ir::make_atom(Attribute::Method, Op::Exact, methods[(i + 1) % methods.size()]));
    std::vector<ir::Atom> paths{ir::make_atom(Attribute::Path, Op::Prefix, "/api/v1/r" + std::to_string(i) + "/")};
    if (i % 3 == 1) paths.push_back(ir::make_atom(Attribute::Path, Op::Exact, "/api/v1/r" + std::to_string(i)));
    if (i % 5 == 2) paths.push_back(ir::make_atom(Attribute::Path, Op::Prefix, "/api/v2/"));
    ir::Rule r = make_rule(model::Action::Allow, "allow-" + std::to_string(i), {from}, {field(ms), field(paths)});
    r.index = 0;
    p.allow.push_back(r);
  }
  p.has_allow_policy = true;
  p.deny.push_back(make_rule(model::Action::Deny, "deny-admin",
                             {field({ir::make_atom(Attribute::PeerNamespace, Op::Exact, "ops")}, true)},
                             {field({ir::make_atom(Attribute::Path, Op::Prefix, "/api/v1/admin")})}));
  p.deny.push_back(make_rule(model::Action::Deny, "deny-plaintext-internal",
                             {field({ir::make_atom(Attribute::PeerServiceAccount, Op::Present)}, true)},
                             {field({ir::make_atom(Attribute::Path, Op::Prefix, "/internal/")})}));
  p.deny.push_back(make_rule(model::Action::Deny, "deny-delete",
                             {field({ir::make_atom(Attribute::PeerNamespace, Op::Exact, "ops")}, true)},
                             {field({ir::make_atom(Attribute::Method, Op::Exact, "DELETE")})}));
  return p;
}

std::vector<Query> gap_queries(const ir::Program& p) {
  std::vector<Query> qs;
  for (size_t i = 0; i < p.allow.size(); ++i) {
    qs.push_back(Query().decided_by({model::Action::Allow, i}));                           // reachable?
    qs.push_back(Query().rule_matches({model::Action::Allow, i}).verdict(Verdict::Deny));  // shadowed by DENY?
  }
  qs.push_back(Query().mtls(false).verdict(Verdict::Allow));  // can plaintext be allowed?
  qs.push_back(Query().mtls(false).verdict(Verdict::Deny));
  qs.push_back(Query().verdict(Verdict::Allow).atom(ir::make_atom(Attribute::Path, Op::Prefix, "/api/v1/admin")));
  return qs;
}

double median(std::vector<double> xs) {
  if (xs.empty()) return 0;
  std::nth_element(xs.begin(), xs.begin() + static_cast<long>(xs.size() / 2), xs.end());
  return xs[xs.size() / 2];
}

void report_median(benchmark::State& state, std::vector<double>& us, const char* name = "median_us") {
  if (!us.empty()) state.counters[name] = median(us);
}

void BM_Query(benchmark::State& state) {
  ir::Program p = workload_class(static_cast<int>(state.range(0)));
  engine::EngineOptions options;
  options.default_timeout_ms = static_cast<unsigned>(state.range(1));
  engine::Engine eng(p, options);
  std::vector<Query> qs = gap_queries(p);
  std::vector<double> us, sat_us, unsat_us;
  size_t i = 0, sat = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    engine::QueryResult r = eng.find(qs[i++ % qs.size()]);
    double t = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    us.push_back(t);
    (r.answer == engine::SatAnswer::Sat ? sat_us : unsat_us).push_back(t);
    sat += r.answer == engine::SatAnswer::Sat;
    benchmark::DoNotOptimize(r);
  }
  report_median(state, us);
  report_median(state, sat_us, "sat_median_us");  // with witness construction and replay
  report_median(state, unsat_us, "unsat_median_us");
  state.counters["sat_fraction"] = us.empty() ? 0 : static_cast<double>(sat) / static_cast<double>(us.size());
  state.counters["atoms"] = static_cast<double>(eng.stats().atoms);
  state.counters["queries"] = static_cast<double>(qs.size());
}
// Args: ALLOW rules, per-query timeout in ms (0: none).
BENCHMARK(BM_Query)
    ->ArgNames({"rules", "timeout_ms"})
    ->Args({5, 5000})
    ->Args({15, 5000})
    ->Args({30, 5000})
    ->Args({15, 0})
    ->Unit(benchmark::kMicrosecond);

// The concrete pin-and-check path the differential tests use (every atom fixed by a request).
void BM_Decide(benchmark::State& state) {
  ir::Program p = workload_class(static_cast<int>(state.range(0)));
  engine::Engine eng(p);
  ir::Request r;
  r.set_principal("cluster.local/ns/cart/sa/sa-1");
  r.method = "POST";
  r.path = "/api/v1/r1/items";
  r.port = 8080;
  std::vector<double> us;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto d = eng.decide(r);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    benchmark::DoNotOptimize(d);
  }
  report_median(state, us);
}
BENCHMARK(BM_Decide)->Arg(15)->Unit(benchmark::kMicrosecond);

// Building an Engine (encoding + base assertions) on the thread's existing context.
void BM_EngineBuild(benchmark::State& state) {
  ir::Program p = workload_class(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    engine::Engine eng(p);
    benchmark::DoNotOptimize(eng);
  }
}
BENCHMARK(BM_EngineBuild)->Arg(15)->Arg(30)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
