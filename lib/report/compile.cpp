#include "report/compile.h"

#include <sstream>

#include <nlohmann/json.hpp>

namespace meshproof::report {

namespace {

std::string port_text(uint32_t port) { return port ? std::to_string(port) : std::string("*"); }

std::string ports_text(const compile::Table& t) {
  std::string s;
  for (const auto& p : t.proofs) s += (s.empty() ? "" : ",") + port_text(p.port);
  return s;
}

// Why a table is not proven: its decode errors, else the first port with a difference or an unknown.
void print_unproven(std::ostream& o, const compile::Table& t) {
  for (const auto& e : t.decode_errors) o << "    " << e << "\n";
  for (const auto& v : t.proofs) {
    if (v.result.difference) {
      o << "    port " << port_text(v.port) << ": " << compile::describe_difference(*v.result.difference, t.protocol)
        << "\n";
      return;
    }
    if (v.result.status == engine::EquivalenceStatus::Unknown) {
      o << "    port " << port_text(v.port) << ": not proven (the solver could not decide): " << v.result.unknown_reason
        << "\n";
      return;
    }
  }
}

}  // namespace

std::string format_compile_result(const compile::CompileResult& res) {
  std::ostringstream o;
  size_t proven = 0;
  for (const auto& t : res.tables) {
    bool ok = t.status == compile::TableStatus::Proven;
    proven += ok;
    o << compile::to_string(t.status) << "  " << t.representative << " (class " << t.class_id << ", "
      << t.workloads.size() << (t.workloads.size() == 1 ? " workload) " : " workloads) ") << ir::to_string(t.protocol)
      << " ports " << ports_text(t) << ": " << t.filters.size() << (t.filters.size() == 1 ? " filter" : " filters")
      << " -> " << t.file << "\n";
    if (!ok) print_unproven(o, t);
  }
  for (const auto& s : res.no_proxy) o << "skipped  " << s << ": no Istio proxy, nothing is installed\n";
  if (!res.all_proven())
    o << "meshproof: " << (res.tables.size() - proven) << " of " << res.tables.size()
      << " tables not proven equivalent; nothing was written\n";
  return o.str();
}

std::string format_compile_written(const compile::CompileResult& res, const std::string& out) {
  const size_t n = res.tables.size();
  return "meshproof: " + std::to_string(n) + (n == 1 ? " table" : " tables") +
         " proven equivalent to the policies; written to " + out + "/ (manifest.json)\n";
}

std::string format_dump_verification(const compile::DumpVerification& v, const std::string& workload) {
  std::ostringstream o;
  for (const auto& c : v.verdicts) {
    o << engine::to_string(c.result.status) << "  " << c.chain.listener << " chain "
      << (c.chain.name.empty() ? c.chain.path : c.chain.name) << " (" << ir::to_string(c.chain.protocol) << ", port "
      << (c.chain.port ? std::to_string(*c.chain.port) : std::string("*")) << "): " << c.rbac_filters << " RBAC, "
      << c.ext_authz_filters << " ext_authz filters\n";
    if (c.result.difference)
      o << "    " << compile::describe_difference(*c.result.difference, c.chain.protocol) << "\n"
        << "    at " << v.sources.describe(c.chain.loc) << "\n";
    else if (c.result.status == engine::EquivalenceStatus::Unknown)
      o << "    not proven (the solver could not decide): " << c.result.unknown_reason << "\n";
  }
  const size_t proven = v.proven();
  if (proven != v.verdicts.size())
    o << "meshproof: " << (v.verdicts.size() - proven) << " of " << v.verdicts.size() << " inbound filter chains of "
      << workload << " are not proven to match the manifests\n";
  else
    o << "meshproof: all " << v.verdicts.size() << " inbound filter chains of " << workload
      << " decide every request as the manifests say\n";
  return o.str();
}

}  // namespace meshproof::report
