#include "compile/verify.h"

#include "compile/compile.h"

namespace meshproof::compile {

size_t DumpVerification::proven() const {
  size_t n = 0;
  for (const auto& v : verdicts) n += v.result.status == engine::EquivalenceStatus::Proven;
  return n;
}

DumpVerification verify_config_dump(const std::string& text, const std::string& name, const mesh::Workload& workload,
                                    const ir::LowerContext& ctx, const engine::EquivalenceOptions& options) {
  DumpVerification out;
  load::Node root;
  if (!parse_text(text, name, out.sources, root, out.errors)) {
    out.failed_step = "read";
    return out;
  }
  std::vector<InboundChain> chains;
  std::vector<DecodeError> errors;
  if (!inbound_chains(root, chains, errors) || !verify_chains(chains, workload, ctx, options, out.verdicts, errors)) {
    for (const auto& e : errors) out.errors.push_back(to_string(e, out.sources));
    out.failed_step = "decoded";
  }
  return out;
}

}  // namespace meshproof::compile
