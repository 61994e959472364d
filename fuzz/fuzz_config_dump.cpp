// libFuzzer target: the Envoy config-dump decoder of `meshproof verify-envoy` (lib/compile/verify.h): the
// input is a config dump; it is read, its inbound chains found, their RBAC filters decoded and proven
// against bank/api of test/fixtures/compile/bank.yaml (the workload test/fixtures/compile/config_dump.json
// was made for). A 50 ms solver limit keeps one input fast: an unfinished proof is "not proven", not a
// crash. A crash is a sanitizer report or an exception (an internal error, exit code 3).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analysis/analysis.h"
#include "compile/verify.h"

using namespace meshproof;

namespace {

std::unique_ptr<analysis::Analysis> world;
const mesh::Workload* workload = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("MESHPROOF_Z3_MEMORY_MB", "512", 1);
  analysis::Options options;
  options.input.paths = {MESHPROOF_SOURCE_DIR "/test/fixtures/compile/bank.yaml"};
  options.input.threads = 1;
  options.run_checks = false;
  world = analysis::run(options);
  if (!world->failed()) workload = world->input->mesh.find("bank", "api");
  if (!workload) {
    std::fprintf(stderr, "fuzz_config_dump: cannot build bank/api from test/fixtures/compile/bank.yaml\n");
    std::exit(1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engine::EquivalenceOptions eq;
  eq.resource_limit = 200000;  // deterministic, so that a crash found replays
  eq.timeout_ms = 1000;
  eq.max_refinements = 8;
  compile::DumpVerification v =
      compile::verify_config_dump(std::string(reinterpret_cast<const char*>(data), size), "dump.json", *workload,
                                  ir::LowerContext::from(world->input->mesh.config), eq);
  (void)v.proven();
  return 0;
}
