// Translation-validated compilation (docs/compile.md): for every workload class and protocol, emit the
// Envoy filters Istio would install (compile/emit), write them as text, read that text back and decode it
// (compile/decode, an independent path), and prove with Z3 that the decoded table decides every request
// exactly as the lowered policy program does, on every port view of that protocol
// (engine/equivalence.h). A table is usable only when its proof status is Proven.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "compile/decode/decode.h"
#include "engine/equivalence.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "mesh/mesh.h"

namespace meshproof::compile {

enum class OutputFormat : uint8_t { Json, Yaml };
const char* extension(OutputFormat f);  // "json" / "yaml"

enum class TableStatus : uint8_t {
  Proven,       // every port view proven equivalent
  Differs,      // a request is decided differently (witness attached)
  Unknown,      // the solver could not decide (timeout, unrealizable model): NOT proven
  DecodeError,  // the emitted text could not be decoded (an internal error): NOT proven
};
const char* to_string(TableStatus s);  // "proven", "differs", "unknown", "decode-error"

struct ViewProof {
  uint32_t port = 0;  // 0: ports the workload does not declare
  std::string port_name;
  bool sniffed = false;
  model::MtlsMode mtls = model::MtlsMode::Permissive;
  engine::EquivalenceResult result;
  bool same_rules_as_first = false;  // the view's rules equal the first view's: its proof is reused
};

struct Table {
  std::string file;  // file name inside the output directory
  uint32_t class_id = 0;
  std::string representative;          // "NS/NAME"
  std::vector<std::string> workloads;  // every member of the class
  ir::Protocol protocol = ir::Protocol::Http;
  std::vector<nlohmann::json> filters;  // the emitted filters (chain order; <nlohmann/json.hpp> to read)
  std::string text;                     // the file content (JSON or YAML of `filters`)
  std::vector<std::string> notes;       // Istio's skipped rules and ignored values (emit notes)
  std::vector<ViewProof> proofs;
  TableStatus status = TableStatus::Unknown;
  std::vector<std::string> decode_errors;

  // Defined where nlohmann::json is complete (compile.cpp), so that this header needs only its declaration.
  Table();
  ~Table();
  Table(const Table&);
  Table(Table&&) noexcept;
  Table& operator=(const Table&);
  Table& operator=(Table&&) noexcept;
};

struct CompileOptions {
  std::vector<std::string> workloads;  // "NS/NAME": only their classes; empty: every class
  OutputFormat format = OutputFormat::Json;
  engine::EquivalenceOptions proof;
  unsigned threads = 0;  // proof workers; 0: hardware concurrency (at most 4)
  // Called on a proof worker after each table's proof, in no particular order and possibly concurrently
  // (progress reports). An exception it throws stops the remaining proofs and reaches compile_mesh's
  // caller, as does any other exception of a proof.
  std::function<void(const Table&)> on_table_proven;
};

struct CompileResult {
  std::vector<Table> tables;           // by class, HTTP before TCP
  std::vector<std::string> not_found;  // --workload names that match no workload
  std::vector<std::string> no_proxy;   // classes skipped: no Istio proxy enforces anything
  bool all_proven() const;
};

// Exceptions of the proofs (and of options.on_table_proven) are rethrown here, on the calling thread.
CompileResult compile_mesh(const mesh::Mesh& mesh, const CompileOptions& options);

// Reads `table.text` back, decodes it and proves it against `views` (programs of table.protocol), setting
// proofs/status/decode_errors. Exposed so that tests can corrupt the text and re-prove.
void prove_table(Table& table, const std::vector<const ir::Program*>& views, const engine::EquivalenceOptions& options);

// The proof of one decoded table (or config-dump chain) against one program: rules and flags.
engine::EquivalenceResult prove_decoded(const DecodedTable& decoded, const ir::Program& reference,
                                        const engine::EquivalenceOptions& options);

// Reads JSON or YAML text into a node tree with positions (file name `name` in `sources`).
bool parse_text(const std::string& text, const std::string& name, SourceSet& sources, load::Node& root,
                std::vector<std::string>& errors);

// manifest.json: every table with its workloads, ports, filters and proof status (deterministic: no
// timings).
std::string manifest_text(const CompileResult& result, OutputFormat format);

// Human-readable witness and difference (for the CLI and the manifest).
std::string describe_request(const ir::Request& r, ir::Protocol p);
std::string describe_difference(const engine::Difference& d, ir::Protocol p);

}  // namespace meshproof::compile
