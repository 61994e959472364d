// Answers of Engine::find kept from one analysis for a second analysis of a similar tree (`meshproof diff`,
// docs/diff.md#cost). The symbolic checks of a workload class whose programs did not change ask the same
// questions of the same programs in both trees; with a memo the second analysis takes those answers
// instead of building solvers and solving again.
//
// Why an answer may be handed from one program to another: the key is the program's decision signature
// (ir/program_signature.h: everything the encoder and the evaluator read), the engine options that shape
// an answer and the query. Sat, Unsat and a canonical witness depend only on the program and the query
// (EngineOptions::canonical_witnesses; the checks' determinism over thread counts rests on the same fact,
// checks/gap_pass.h); a witness that is not canonical is never shown (Query::existence_only). A reused Sat
// witness is replayed through the concrete evaluator on the program that asks, as every Sat answer is, so
// a wrong reuse would be an InternalError, never a wrong finding; the decision is that program's own.
//
// Record: every answer of the engines of the process is kept (from any thread). Reuse: answers are looked
// up and nothing is kept, so what the second analysis asks of itself is answered as without a memo.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/query.h"

namespace meshproof::engine {

class QueryMemo {
 public:
  enum class Mode : uint8_t { Record, Reuse };

  void set_mode(Mode m) { mode_ = m; }
  Mode mode() const { return mode_; }

  // The answer kept for this program (by its key, program_key()) and query, if any (Reuse only).
  std::optional<QueryResult> lookup(const std::string& program, const Query& query, unsigned timeout_ms);
  // Keeps an answer (Record only); the decision is not kept: it points into the recording program.
  void store(const std::string& program, const Query& query, unsigned timeout_ms, const QueryResult& result);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  size_t size() const;

 private:
  struct Entry {
    SatAnswer answer = SatAnswer::Unknown;
    std::optional<ir::Request> request;
    std::string reason;
    unsigned refinements = 0;
  };
  std::atomic<Mode> mode_{Mode::Record};
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Entry>> answers_;  // program key → query key → answer
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

// What of a program and its engine options an answer depends on.
std::string program_key(const ir::Program& program, const EngineOptions& options);

// The memo every Engine of the process consults (nullptr, the default: none). A process setting, like the
// solver's resource limit; set it only while no engine is answering.
void set_query_memo(QueryMemo* memo);
QueryMemo* query_memo();

}  // namespace meshproof::engine
