#include "engine/query_memo.h"

#include "ir/program_signature.h"

namespace meshproof::engine {

namespace {

std::atomic<QueryMemo*> g_query_memo{nullptr};

// Every field of every condition, and whether the witness is shown (a canonical witness is asked for).
std::string memo_query_key(const Query& query, unsigned timeout_ms) {
  std::string out = std::to_string(timeout_ms) + (query.witness_shown() ? " shown\n" : " exists\n");
  for (const Condition& c : query.conditions()) {
    out += std::to_string(static_cast<int>(c.kind)) + (c.positive ? "+" : "-") + " " +
           std::to_string(static_cast<int>(c.rule.action)) + ":" + std::to_string(c.rule.index) + " " +
           std::to_string(static_cast<int>(c.action)) + " " + to_string(c.verdict) + " " + to_string(c.reason) + " " +
           ir::to_string(c.token) + " " + ir::to_string(c.protocol) + " " + ir::to_string(c.atom) + "\n";
  }
  return out;
}

}  // namespace

std::string program_key(const ir::Program& program, const EngineOptions& o) {
  std::string out = ir::decision_signature(program);
  out += "declared";
  if (program.port == 0)
    for (uint32_t p : o.declared_ports) out += " " + std::to_string(p);
  out += "\nmethod " + std::string(o.http_method_always_present ? "1" : "0") + " refinements " +
         std::to_string(o.max_refinements) + " canonical " + (o.canonical_witnesses ? "1" : "0") + " rlimit " +
         std::to_string(o.resource_limit.value_or(solver_resource_limit())) + "\n";
  return out;
}

std::optional<QueryResult> QueryMemo::lookup(const std::string& program, const Query& query, unsigned timeout_ms) {
  if (mode_ != Mode::Reuse) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  auto p = answers_.find(program);
  if (p != answers_.end()) {
    auto q = p->second.find(memo_query_key(query, timeout_ms));
    if (q != p->second.end()) {
      ++hits_;
      QueryResult r;
      r.answer = q->second.answer;
      r.request = q->second.request;
      r.reason = q->second.reason;
      r.refinements = q->second.refinements;
      return r;
    }
  }
  ++misses_;
  return std::nullopt;
}

void QueryMemo::store(const std::string& program, const Query& query, unsigned timeout_ms, const QueryResult& r) {
  if (mode_ != Mode::Record) return;
  Entry e{r.answer, r.request, r.reason, r.refinements};
  std::string key = memo_query_key(query, timeout_ms);
  std::lock_guard<std::mutex> lock(mutex_);
  answers_[program].emplace(std::move(key), std::move(e));  // the first answer kept, as a lookup would see it
}

size_t QueryMemo::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& [program, queries] : answers_) n += queries.size();
  return n;
}

void set_query_memo(QueryMemo* memo) { g_query_memo = memo; }
QueryMemo* query_memo() { return g_query_memo; }

}  // namespace meshproof::engine
