// `meshproof verify-envoy` as a library call: read an Envoy config dump, find the workload's inbound
// filter chains, decode their RBAC filters and prove each equivalent to the workload's programs.
#pragma once

#include <string>
#include <vector>

#include "compile/config_dump.h"

namespace meshproof::compile {

struct DumpVerification {
  SourceSet sources;  // the dump's text, for locations
  std::vector<ChainVerdict> verdicts;
  std::vector<std::string> errors;  // non-empty: the dump could not be read or decoded (exit 2)
  std::string failed_step;          // "read" or "decoded", with errors
  size_t proven() const;
};

DumpVerification verify_config_dump(const std::string& text, const std::string& name, const mesh::Workload& workload,
                                    const ir::LowerContext& ctx, const engine::EquivalenceOptions& options);

}  // namespace meshproof::compile
