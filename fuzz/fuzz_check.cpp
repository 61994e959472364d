// libFuzzer target: the whole `meshproof check` pipeline on one input file: analysis::run (load, model,
// validation, admission, mesh, IR, every check with the symbolic engine), then the exit code and every
// output format. Small limits keep one input fast: one thread, a 50 ms solver limit per query (an
// Unknown is an inconclusive note, never a crash) and 512 MiB for Z3.
//
// What counts as a crash here: a sanitizer report, an exception out of analysis::run (meshproof's
// internal errors, DESIGN.md §10: exit code 3), and JSON or SARIF output that does not parse.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/analysis.h"
#include "report/run.h"

using namespace meshproof;

namespace {

std::string input_path;  // one file per fuzzer process, rewritten for every input

void must_parse_json(const std::string& text, const char* format) {
  if (!nlohmann::json::accept(text)) {
    std::fprintf(stderr, "fuzz_check: -o %s output is not valid JSON\n", format);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("MESHPROOF_Z3_MEMORY_MB", "512", 1);
  const char* tmp = std::getenv("TMPDIR");
  input_path = std::string(tmp && *tmp ? tmp : "/tmp") + "/meshproof-fuzz-check-" + std::to_string(getpid()) + ".yaml";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    std::ofstream out(input_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  analysis::Options options;
  options.input.paths = {input_path};
  options.input.threads = 1;
  options.today = "2026-01-01";
  // A small deterministic budget, so that a crash found replays; the wall-clock limit only as a backstop.
  options.solver_rlimit = 200000;
  options.query_timeout_ms = 1000;
  std::unique_ptr<analysis::Analysis> a = analysis::run(options);
  if (a->failed()) {
    std::string message = report::format_failure(*a);
    (void)message;
    return 0;
  }
  report::RunSummary summary = report::summarize(*a, "error");
  (void)report::exit_code(a->findings, summary);
  must_parse_json(report::format_findings("json", *a, summary, {}), "json");
  must_parse_json(report::format_findings("sarif", *a, summary, {}), "sarif");
  (void)report::format_findings("junit", *a, summary, {});
  (void)report::format_findings("text", *a, summary, {});
  return 0;
}
