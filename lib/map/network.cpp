// The L3/L4 layer in `meshproof map` (map/network.h): the sources of an allowed class, each decided through
// analysis::answer_query, so the map's verdict and its replay command cannot disagree.
#include "map/network.h"

#include "analysis/query.h"
#include "base/text.h"
#include "engine/evaluate.h"
#include "engine/witness.h"
#include "mesh/identity.h"
#include "mesh/network_layer.h"

namespace meshproof::map::detail {

namespace {

// The query flags of a witness, as engine::reproduce_command writes them (without --from).
analysis::QuerySpec mapnet_spec(const ir::Program& program, const Witness& w, bool ambient_destination) {
  analysis::QuerySpec spec;
  spec.to = program.workload;
  spec.port = w.port;
  if (program.sniffed) spec.protocol = program.protocol == ir::Protocol::Tcp ? "tcp" : "http";
  spec.plaintext = !w.mtls;
  ir::RequestFlags& f = spec.request;
  if (w.mtls) f.principal = w.source_principal;
  f.source_ip = w.source_ip;
  f.remote_ip = w.remote_ip;
  f.destination_ip = w.destination_ip;
  f.sni = w.sni;
  f.method = w.method;
  f.path = w.path;
  f.host = w.host;
  for (const auto& [k, v] : w.headers) f.headers.push_back(k + "=" + v);
  if (!w.jwt_issuer.empty() || !w.jwt_subject.empty()) f.request_principal = w.jwt_issuer + "/" + w.jwt_subject;
  f.invalid_token = w.has_token && w.jwt_issuer.empty() && w.jwt_subject.empty();
  for (const auto& [k, v] : w.claims) f.claims.push_back(k + "=" + v);
  f.audiences = w.audiences;
  f.presenters = w.presenters;
  if (w.mtls && ambient_destination) spec.caller = "sidecar";  // as the map's own witness (map.cpp)
  return spec;
}

// One source asked through query: nullopt when its own path decides otherwise than the class (not a source
// of the class) or query refuses it.
std::optional<NetSource> mapnet_ask(const analysis::Analysis& a, const analysis::QuerySpec& spec,
                                    std::string query) {
  analysis::QueryAnswer ans;
  if (analysis::answer_query(a, spec, ans) || !ans.network) return std::nullopt;
  const bool blocked = ans.enforced_by == "networkpolicy";
  if (!blocked && ans.decision.verdict != engine::Verdict::Allow) return std::nullopt;
  const mesh::NetVerdict& v = *ans.network;
  NetSource s;
  s.source = v.source;
  s.admitted = v.allowed;
  s.port = v.port;
  s.reason = v.reason;
  s.unmodelled = v.unmodelled;
  if (v.decided) {
    s.policy = v.policy_name;
    s.tier = mesh::to_string(v.tier);
    s.direction = v.direction;
    if (v.loc.known()) s.location = a.input->sources.describe(v.loc);
  }
  s.query = std::move(query);
  return s;
}

std::string mapnet_replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The declared pods of an identity class: their identity, with the rest of the witness, is allowed by the
// rule that allows the class.
void mapnet_pods(const analysis::Analysis& a, const ir::Program& program, const engine::ChangeClass& cls,
                 const Witness& w, const analysis::QuerySpec& base, const std::string& base_query,
                 std::vector<NetSource>& out) {
  const mesh::Mesh& mesh = a.input->mesh;
  for (const mesh::Workload& c : mesh.workloads) {
    if (!c.decl || !c.has_proxy() || c.service_account.empty()) continue;
    ir::Request r = cls.witness;
    if (!r.set_principal(mesh::principal_of(mesh, c.ns, c.service_account))) continue;
    const engine::Decision d = engine::evaluate(program, r);
    if (d.verdict != engine::Verdict::Allow || d.decided_by != cls.after.decided_by) continue;
    analysis::QuerySpec spec = base;
    spec.request.principal.clear();
    spec.caller.clear();
    spec.from = c.display();
    std::string query = mapnet_replace(base_query, " --principal " + engine::shell_quote(w.source_principal),
                                       " --from " + engine::shell_quote(c.display()));
    query = mapnet_replace(query, " --caller sidecar", "");
    if (auto s = mapnet_ask(a, spec, std::move(query))) out.push_back(std::move(*s));
  }
}

// Outside the cluster: the witness's own source address, else one address per region of the CIDRs.
void mapnet_outside(const analysis::Analysis& a, const Witness& w, const analysis::QuerySpec& base,
                    const std::string& base_query, const std::vector<model::Cidr>& outside,
                    std::vector<NetSource>& out) {
  if (!w.source_ip.empty()) {
    if (auto s = mapnet_ask(a, base, base_query)) out.push_back(std::move(*s));
    return;
  }
  for (const model::Cidr& address : outside) {
    const std::string ip = address.text.substr(0, address.text.find('/'));
    analysis::QuerySpec spec = base;
    spec.request.source_ip = ip;
    if (auto s = mapnet_ask(a, spec, base_query + " --source-ip " + engine::shell_quote(ip))) out.push_back(std::move(*s));
  }
}

}  // namespace

void judge_network(const analysis::Analysis& analysis, const mesh::Workload& workload, const ir::Program& program,
                   const engine::ChangeClass& cls, const std::string& caller, const std::vector<model::Cidr>& outside,
                   Admission& a) {
  if (!workload.decl) return;  // the layer decides for pods; a synthetic workload has none
  const Witness w = engine::to_witness(program, cls.witness, cls.after);
  const analysis::QuerySpec base = mapnet_spec(program, w, workload.data_plane == mesh::DataPlane::Ambient);
  if (w.mtls && caller != "any caller") mapnet_pods(analysis, program, cls, w, base, a.query, a.network);
  if (a.network.empty()) mapnet_outside(analysis, w, base, a.query, outside, a.network);
  if (a.network.empty()) return;
  // The command shown: an admitted source, one other than the workload itself (a pod always reaches itself, N8)
  // when there is one; else the first blocked source.
  const NetSource* shown = &a.network.front();
  int best = -1;
  for (const NetSource& s : a.network) {
    const int rank = s.admitted ? (s.source == "pod " + workload.display() ? 1 : 2) : 0;
    if (rank > best) best = rank, shown = &s;
  }
  a.blocked = !shown->admitted;
  a.query = shown->query;
}

}  // namespace meshproof::map::detail
