// meshproof verify-envoy PATHS... --config-dump FILE --workload NS/NAME
// Proves that the RBAC filters a running proxy holds (an Envoy config dump) decide every request as the
// manifests say for that workload (docs/compile.md).
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "compile/compile.h"
#include "compile/config_dump.h"

namespace meshproof::cli {

namespace {

struct VerifyFlags {
  InputFlags input;
  std::string config_dump;
  std::string workload;
  unsigned timeout_ms = 10000;
};

int run(const VerifyFlags& flags) {
  size_t slash = flags.workload.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == flags.workload.size()) {
    std::cerr << "meshproof: error: --workload must be NAMESPACE/NAME, not '" << flags.workload << "'\n";
    return 2;
  }
  std::ifstream in(flags.config_dump, std::ios::binary);
  if (!in) {
    std::cerr << "meshproof: error: cannot read the config dump '" << flags.config_dump << "'\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto input = load_or_report(flags.input);
  if (!input) return 2;
  const mesh::Workload* w = input->mesh.find(flags.workload.substr(0, slash), flags.workload.substr(slash + 1));
  if (!w) {
    std::cerr << "meshproof: error: --workload " << flags.workload << ": no such workload in the input\n";
    return 2;
  }

  SourceSet sources;
  load::Node root;
  std::vector<std::string> perrs;
  if (!compile::parse_text(ss.str(), flags.config_dump, sources, root, perrs)) {
    for (const auto& e : perrs) std::cerr << e << "\n";
    std::cerr << "meshproof: the config dump could not be read; nothing was verified\n";
    return 2;
  }
  std::vector<compile::InboundChain> chains;
  std::vector<compile::DecodeError> errors;
  std::vector<compile::ChainVerdict> verdicts;
  engine::EquivalenceOptions eq;
  eq.timeout_ms = flags.timeout_ms;
  ir::LowerContext ctx = ir::LowerContext::from(input->mesh.config);
  if (!compile::inbound_chains(root, chains, errors) || !compile::verify_chains(chains, *w, ctx, eq, verdicts, errors)) {
    for (const auto& e : errors) std::cerr << compile::to_string(e, sources) << "\n";
    std::cerr << "meshproof: the config dump could not be decoded; nothing was verified\n";
    return 2;
  }
  size_t proven = 0;
  for (const auto& v : verdicts) {
    bool ok = v.result.status == engine::EquivalenceStatus::Proven;
    if (ok) ++proven;
    std::string port = v.chain.port ? std::to_string(*v.chain.port) : std::string("*");
    std::cout << engine::to_string(v.result.status) << "  " << v.chain.listener << " chain "
              << (v.chain.name.empty() ? v.chain.path : v.chain.name) << " (" << ir::to_string(v.chain.protocol)
              << ", port " << port << "): " << v.rbac_filters << " RBAC, " << v.ext_authz_filters << " ext_authz filters\n";
    if (v.result.difference) {
      std::cout << "    " << compile::describe_difference(*v.result.difference, v.chain.protocol) << "\n"
                << "    at " << sources.describe(v.chain.loc) << "\n";
    } else if (v.result.status == engine::EquivalenceStatus::Unknown) {
      std::cout << "    not proven (the solver could not decide): " << v.result.unknown_reason << "\n";
    }
  }
  if (proven != verdicts.size()) {
    std::cout << "meshproof: " << (verdicts.size() - proven) << " of " << verdicts.size()
              << " inbound filter chains of " << flags.workload << " are not proven to match the manifests\n";
    return 1;
  }
  std::cout << "meshproof: all " << verdicts.size() << " inbound filter chains of " << flags.workload
            << " decide every request as the manifests say\n";
  return 0;
}

}  // namespace

void register_verify_envoy(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify-envoy",
      "Prove that a proxy's RBAC filters (an Envoy config dump) decide every request as the manifests say");
  add_input_flags(cmd, flags->input);
  cmd->add_option("--config-dump", flags->config_dump,
                  "Envoy /config_dump JSON, or `istioctl proxy-config all POD -o json` output")
      ->required();
  cmd->add_option("--workload", flags->workload, "The workload the dump belongs to (NAMESPACE/NAME)")->required();
  cmd->add_option("--timeout-ms", flags->timeout_ms, "Solver time limit per query")->default_val(10000);
  cmd->footer(
      "Exit codes: 0 every inbound chain proven equivalent; 1 a chain decides some request differently\n"
      "(witness printed) or could not be proven; 2 unreadable manifests or config dump.");
  cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace meshproof::cli
