#include "checks/gap_support.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <thread>
#include <utility>

#include "checks/describe.h"
#include "engine/witness.h"

namespace meshproof::checks::gaps {

RuleKey key_of(const ir::Rule& r) { return RuleKey{r.policy.policy, r.index}; }

// ---------------------------------------------------------------------------------------------------
// View

View::View(ir::Program program, std::vector<uint32_t> declared_ports, unsigned timeout_ms)
    : program_(std::make_unique<ir::Program>(std::move(program))),
      declared_ports_(std::move(declared_ports)),
      timeout_ms_(timeout_ms) {}
View::View(View&&) noexcept = default;
View& View::operator=(View&&) noexcept = default;
View::~View() = default;

engine::EngineOptions View::engine_options() const {
  engine::EngineOptions o;
  o.default_timeout_ms = timeout_ms_;
  o.declared_ports = declared_ports_;
  return o;
}

engine::Engine& View::engine() {
  if (!engine_) {
    engine_ = std::make_unique<engine::Engine>(*program_, engine_options());
  }
  return *engine_;
}

namespace {

// A replay mismatch is a bug in meshproof; it must not end the run or be read as an answer, so it
// becomes Unknown with the reason, which the checks report as an inconclusive note.
engine::QueryResult guarded_find(engine::Engine& e, const engine::Query& q) {
  try {
    return e.find(q);
  } catch (const engine::InternalError& ex) {
    engine::QueryResult r;
    r.answer = engine::SatAnswer::Unknown;
    r.reason = std::string("internal error in meshproof's engine: ") + ex.what();
    return r;
  }
}

}  // namespace

engine::QueryResult View::find(const engine::Query& q) {
  // Most existence probes ("can this rule match / allow at all?") are answered by a request built from
  // the rule and replayed concretely; only the rest needs a solver (and this view's engine).
  if (auto quick = engine::find_concretely(*program_, q, engine_options())) return *quick;
  return guarded_find(engine(), q);
}

std::optional<engine::RuleRef> View::ref(const RuleKey& k) const {
  auto in = [&](const std::vector<ir::Rule>& list, model::Action a) -> std::optional<engine::RuleRef> {
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].policy.policy == k.policy && list[i].index == k.index) return engine::RuleRef{a, i};
    return std::nullopt;
  };
  if (!k.policy) return std::nullopt;
  switch (k.policy->action) {
    case model::Action::Allow: return in(program_->allow, model::Action::Allow);
    case model::Action::Deny: return in(program_->deny, model::Action::Deny);
    case model::Action::Audit: return in(program_->audit, model::Action::Audit);
    case model::Action::Custom: return in(program_->custom, model::Action::Custom);
  }
  return std::nullopt;
}

const ir::Rule* View::rule(const RuleKey& k) const {
  auto r = ref(k);
  if (!r) return nullptr;
  switch (r->action) {
    case model::Action::Allow: return &program_->allow[r->index];
    case model::Action::Deny: return &program_->deny[r->index];
    case model::Action::Audit: return &program_->audit[r->index];
    case model::Action::Custom: return &program_->custom[r->index];
  }
  return nullptr;
}

std::string View::describe() const {
  const ir::Program& p = *program_;
  std::string s = p.port == 0 ? "undeclared ports" : "port " + std::to_string(p.port);
  if (p.sniffed && p.port != 0)
    s += p.protocol == ir::Protocol::Http ? " (sniffed, HTTP traffic)" : " (sniffed, non-HTTP traffic)";
  else
    s += std::string(" (") + ir::to_string(p.protocol) + ")";
  return s;
}

View::Augmented View::augmented(std::vector<ir::Rule> extra) const {
  Augmented a;
  a.program = std::make_unique<ir::Program>(*program_);
  a.first_index = a.program->audit.size();
  for (auto& r : extra) {
    r.policy.action = model::Action::Audit;
    r.policy.dry_run = false;
    a.program->audit.push_back(std::move(r));
  }
  a.engine = std::make_unique<engine::Engine>(*a.program, engine_options());
  return a;
}

bool ClassView::applies(const model::AuthorizationPolicy* p) const {
  return rep && std::find(rep->authorization_policies.begin(), rep->authorization_policies.end(), p) !=
                    rep->authorization_policies.end();
}

bool ClassView::applies(const model::RequestAuthentication* ra) const {
  return rep && std::find(rep->request_authentications.begin(), rep->request_authentications.end(), ra) !=
                    rep->request_authentications.end();
}

// ---------------------------------------------------------------------------------------------------
// Shared

Shared::Shared(const Context& c)
    : ctx(c), lower(ir::LowerContext::from(c.mesh.config)), rejected_(rejected_starts(c.resources)) {}

bool Shared::rejected(const model::ResourceBase& r) const {
  return std::binary_search(rejected_.begin(), rejected_.end(), r.loc);
}

std::vector<const model::AuthorizationPolicy*> Shared::policies_of(const ClassView& cls) const {
  std::vector<const model::AuthorizationPolicy*> out;
  if (!cls.rep || cls.views.empty()) return out;
  for (const model::AuthorizationPolicy* p : cls.rep->authorization_policies)
    if (!rejected(*p)) out.push_back(p);
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

// Removes what Istio's admission rejects from a program: the rules of rejected policies and the issuers
// of rejected RequestAuthentications, and recomputes the facts that depend on them.
void drop_rejected(const Shared& s, const mesh::Workload& rep, ir::Program& p) {
  auto gone = [&](const ir::Rule& r) { return r.policy.policy && s.rejected(*r.policy.policy); };
  for (auto* list : {&p.custom, &p.deny, &p.allow, &p.audit})
    list->erase(std::remove_if(list->begin(), list->end(), gone), list->end());
  p.has_allow_policy = false;
  for (const model::AuthorizationPolicy* pol : rep.authorization_policies)
    if (pol->action == model::Action::Allow && !pol->dry_run && !s.rejected(*pol)) p.has_allow_policy = true;
  if (p.custom.empty()) p.custom_mode = ir::CustomMode::None;
  std::vector<std::string> rejected_ra;
  for (const model::RequestAuthentication* ra : rep.request_authentications)
    if (s.rejected(*ra)) rejected_ra.push_back(ra->meta.ns + "/" + ra->meta.name);
  p.jwt_issuers.erase(std::remove_if(p.jwt_issuers.begin(), p.jwt_issuers.end(),
                                     [&](const ir::JwtIssuer& j) {
                                       return std::find(rejected_ra.begin(), rejected_ra.end(),
                                                        j.request_authentication) != rejected_ra.end();
                                     }),
                      p.jwt_issuers.end());
  p.has_request_authentication = !p.jwt_issuers.empty();
}

// A set of analyzers that one worker runs over every class, with views and engines of its own.
struct AnalyzerGroup {
  std::vector<std::pair<std::string, std::unique_ptr<Analyzer>>> analyzers;
  std::vector<double> spent;  // ms per analyzer
  size_t engines = 0;
  uint64_t queries = 0;
};

// Every analyzer, in a fixed order, with its share of the pass's time on meshgen trees (measured with
// MESHPROOF_GAP_STATS=1, docs/performance.md); the weights only balance the worker groups.
struct AnalyzerSpec {
  const char* name;
  std::unique_ptr<Analyzer> (*make)(const Shared&);
  unsigned weight;
};
const AnalyzerSpec kAnalyzers[] = {
    {"unreachable-allow-rule", make_unreachable_allow_rule_analyzer, 3},
    {"redundant-rule", make_redundant_rule_analyzer, 75},
    {"never-matching-rule", make_never_matching_rule_analyzer, 3},
    {"deny-widened-on-tcp", make_deny_widened_on_tcp_analyzer, 1},
    {"plaintext-deny-bypass", make_plaintext_deny_bypass_analyzer, 1},
    {"overly-permissive-rule", make_overly_permissive_rule_analyzer, 1},
    {"token-optional", make_token_optional_analyzer, 25},
    {"path-normalization-bypass", make_path_normalization_bypass_analyzer, 2},
    {"assertion-violated", make_assertion_violated_analyzer, 1},
};

// Runs one group's analyzers over every class, in class order. The programs of a class are built here,
// class by class (the same programs ir::build_all_programs builds, without holding every class's
// programs at once); engines live only while their class is visited, so memory stays bounded by the
// largest class.
void run_group(const Context& ctx, const Shared& shared, AnalyzerGroup& g) {
  g.spent.assign(g.analyzers.size(), 0.0);
  for (const mesh::WorkloadClass& wc : ctx.mesh.classes) {
    if (wc.members.empty()) continue;
    ClassView cls;
    cls.class_id = wc.id;
    cls.rep = &ctx.mesh.workloads[wc.members.front()];
    for (size_t m : wc.members) cls.members.push_back(&ctx.mesh.workloads[m]);
    {
      ir::WorkloadPrograms wp = ir::build_programs(*cls.rep, shared.lower);
      std::vector<uint32_t> declared;
      for (const auto& pp : wp.ports)
        if (pp.port != 0) declared.push_back(pp.port);
      for (auto& pp : wp.ports)
        for (auto& prog : pp.views) {
          drop_rejected(shared, *cls.rep, prog);
          auto& dest = prog.enforced && cls.rep->sidecar_injected ? cls.views : cls.unenforced;
          dest.emplace_back(std::move(prog), declared, ctx.options.query_timeout_ms);
        }
    }
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

std::shared_ptr<Results> run_pass(const Context& ctx) {
  auto results = std::make_shared<Results>();
  // The analyzers are split into worker groups (at most one per core, ctx.options.threads), each with its
  // own Shared, views and engines on its own thread's Z3 context: analyzers share nothing but the
  // read-only mesh, so no locks are needed. What an analyzer finds does not depend on the grouping:
  // Sat/Unsat answers and canonical witnesses depend only on the program and the query, not on which
  // engine or context answered (EngineOptions::canonical_witnesses); witnesses that are not canonical
  // (Query::existence_only) are never shown. The price is that two groups may build an engine for the
  // same program.
  unsigned workers = ctx.options.threads ? ctx.options.threads : std::max(1u, std::thread::hardware_concurrency());
  const size_t n = std::size(kAnalyzers);
  workers = static_cast<unsigned>(std::min<size_t>(workers, n));
  // Greedy balance by weight, heaviest first; ties keep the table order, so the grouping is fixed for a
  // given worker count.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [](size_t a, size_t b) { return kAnalyzers[a].weight > kAnalyzers[b].weight; });
  std::vector<std::vector<size_t>> members(workers);
  std::vector<unsigned> load(workers, 0);
  for (size_t i : order) {
    size_t w = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    members[w].push_back(i);
    load[w] += kAnalyzers[i].weight;
  }
  std::vector<std::unique_ptr<Shared>> shared;
  std::vector<AnalyzerGroup> groups(workers);
  for (unsigned w = 0; w < workers; ++w) {
    shared.push_back(std::make_unique<Shared>(ctx));
    std::sort(members[w].begin(), members[w].end());
    for (size_t i : members[w]) groups[w].analyzers.emplace_back(kAnalyzers[i].name, kAnalyzers[i].make(*shared[w]));
  }
  if (workers == 1) {
    run_group(ctx, *shared[0], groups[0]);
  } else {
    std::vector<std::exception_ptr> errors(workers);
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < workers; ++w)
      threads.emplace_back([&, w] {
        try {
          run_group(ctx, *shared[w], groups[w]);
        } catch (...) {
          errors[w] = std::current_exception();
        }
      });
    for (auto& t : threads) t.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  // MESHPROOF_GAP_STATS=1: where the shared pass spent its time (for performance work; not an interface).
  if (const char* e = std::getenv("MESHPROOF_GAP_STATS"); e && *e == '1') {
    for (unsigned w = 0; w < workers; ++w) {
      std::fprintf(stderr, "gap pass worker %u: %zu classes, %zu program engines, %llu queries\n", w,
                   ctx.mesh.classes.size(), groups[w].engines, static_cast<unsigned long long>(groups[w].queries));
      for (size_t i = 0; i < groups[w].analyzers.size(); ++i)
        std::fprintf(stderr, "  %-28s %9.1f ms\n", groups[w].analyzers[i].first.c_str(), groups[w].spent[i]);
    }
  }
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

void GapCheck::run(const Context& ctx, std::vector<Finding>& out) const {
  const auto& f = findings_of(ctx, info().name);
  out.insert(out.end(), f.begin(), f.end());
}

// ---------------------------------------------------------------------------------------------------
// Helpers

Finding make_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc, std::string message,
                     std::string help, const std::string& key) {
  Finding f;
  f.check = info.name;
  f.id = info.id;
  f.severity = info.severity;
  f.message = std::move(message);
  f.help = std::move(help);
  f.resource = resource;
  f.loc = loc.known() ? loc : resource.loc;
  f.fingerprint = make_fingerprint(f.check, resource, key);
  return f;
}

Finding inconclusive_finding(const CheckInfo& info, const ResourceRef& resource, Loc loc,
                             const std::string& subject, const std::string& question,
                             const std::string& reason, const std::string& key) {
  Finding f = make_finding(info, resource, loc,
                           subject + ": the proof was inconclusive: the solver answered unknown (" + reason +
                               "), so meshproof cannot say whether " + question,
                           "re-run with a larger --timeout-ms; if it stays unknown, check this by hand with "
                           "`meshproof query` (the solver's Unknown is never taken as safe)",
                           key + "/inconclusive");
  f.severity = Severity::Note;
  f.properties["inconclusive"] = "true";
  return f;
}

Witness witness_of(const Shared& s, const ir::Program& program, const engine::QueryResult& r) {
  return engine::to_witness(program, *r.request, *r.decision, s.ctx.options.input_paths);
}

std::string witness_summary(const Witness& w) {
  std::string s;
  if (!w.method.empty() || !w.path.empty())
    s = (w.method.empty() ? std::string("a request") : w.method) + (w.path.empty() ? "" : " " + w.path);
  else
    s = "a " + (w.port_protocol.empty() ? std::string("TCP") : w.port_protocol) + " connection";
  s += w.mtls ? " from " + w.source_principal : std::string(" from a plaintext caller");
  if (w.has_token) s += " with a token from " + w.jwt_issuer;
  s += " to " + w.destination + " port " + std::to_string(w.port) + " (" + w.port_protocol + ")";
  return s;
}

std::string rule_text(const RuleKey& k) {
  return "AuthorizationPolicy " + namespace_of(*k.policy) + "/" + k.policy->meta.name + " rules[" +
         std::to_string(k.index) + "]";
}

Loc rule_loc(const RuleKey& k) {
  if (k.index >= 0 && static_cast<size_t>(k.index) < k.policy->rules.size()) {
    Loc l = k.policy->rules[k.index].loc;
    if (l.known()) return l;
  }
  return k.policy->loc;
}

std::string list_text(const std::vector<std::string>& items, size_t max) {
  if (items.size() <= max) return join(items, ", ");
  std::vector<std::string> head(items.begin(), items.begin() + static_cast<long>(max));
  return join(head, ", ") + " and " + std::to_string(items.size() - max) + " more";
}

std::vector<std::string> member_names(const ClassView& cls) {
  std::vector<std::string> out;
  for (const mesh::Workload* w : cls.members) out.push_back(describe_workload(*w));
  return out;
}

namespace {

template <typename Pred>
bool match_has(const ir::Match& m, Pred pred) {
  for (const ir::Term& t : m.terms)
    for (const ir::Atom& a : t.atoms)
      if (pred(a.attr)) return true;
  return false;
}

}  // namespace

bool match_on_peer(const ir::Match& m) {
  if (match_has(m, ir::attribute_is_peer)) return true;
  // A value that lowers to false (e.g. a principal of the wrong shape) still names an identity.
  const std::string& f = m.field;
  for (const char* p : {"principals", "notPrincipals", "namespaces", "notNamespaces", "serviceAccounts",
                        "notServiceAccounts", "trustDomains", "notTrustDomains", "when[source.principal]",
                        "when[source.namespace]", "when[source.serviceAccount]", "when[source.trustDomain]"})
    if (f.rfind(p, 0) == 0) return true;
  return false;
}

bool match_on_jwt(const ir::Match& m) {
  if (match_has(m, ir::attribute_is_jwt)) return true;
  const std::string& f = m.field;
  return f.rfind("requestPrincipals", 0) == 0 || f.rfind("notRequestPrincipals", 0) == 0 ||
         f.rfind("when[request.auth.", 0) == 0;
}

bool match_on_ip(const ir::Match& m) {
  return match_has(m, [](ir::Attribute a) { return a == ir::Attribute::SourceIp || a == ir::Attribute::RemoteIp; });
}

}  // namespace meshproof::checks::gaps
