#include "compile/compile.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "base/failpoint.h"
#include "base/parallel.h"
#include "base/text.h"
#include "compile/emit/emit.h"
#include "load/loader.h"

namespace meshproof::compile {

using json = nlohmann::json;

const char* extension(OutputFormat f) { return f == OutputFormat::Yaml ? "yaml" : "json"; }

const char* to_string(TableStatus s) {
  switch (s) {
    case TableStatus::Proven:
      return "proven";
    case TableStatus::Differs:
      return "differs";
    case TableStatus::Unknown:
      return "unknown";
    case TableStatus::DecodeError:
      return "decode-error";
  }
  return "?";
}

Table::Table() = default;
Table::~Table() = default;
Table::Table(const Table&) = default;
Table::Table(Table&&) noexcept = default;
Table& Table::operator=(const Table&) = default;
Table& Table::operator=(Table&&) noexcept = default;

bool CompileResult::all_proven() const {
  return std::all_of(tables.begin(), tables.end(), [](const Table& t) { return t.status == TableStatus::Proven; });
}

bool parse_text(const std::string& text, const std::string& name, SourceSet& sources, load::Node& root,
                std::vector<std::string>& errors) {
  load::Limits limits;
  limits.max_nodes_per_document = 64u << 20;
  limits.max_depth = 400;
  load::Loader loader(sources, limits);
  uint32_t id = sources.add(SourceFile{name, name, std::make_shared<const std::string>(text)});
  std::vector<load::LoadError> errs;
  std::vector<load::LoadNote> notes;
  size_t docs = 0;
  bool ok = loader.parse_text(
      id, text,
      [&](load::Document&& d) {
        if (docs++ == 0) root = std::move(d.root);
      },
      errs, notes);
  for (const auto& e : errs) errors.push_back(sources.describe(e.loc) + ": " + e.message);
  if (ok && docs > 1) errors.push_back(name + ": expected one document, found " + std::to_string(docs));
  return ok && errs.empty() && docs <= 1;
}

namespace {

// A canonical text of a program's rules and flags: views with equal text get the same proof.
std::string rules_fingerprint(const ir::Program& p) {
  std::string out = std::to_string(static_cast<int>(p.custom_mode)) + (p.has_allow_policy ? "A" : "a");
  auto add = [&](const char* tag, const std::vector<ir::Rule>& rs) {
    out += tag;
    for (const auto& r : rs) {
      out += "{" + engine::istio_rule_name(r) + (r.policy.dry_run ? "/dry" : "") + "/" + r.policy.provider;
      for (const auto* cs : {&r.principals, &r.permissions}) {
        out += "[";
        for (const auto& c : *cs) {
          out += "(";
          for (const auto& m : c.matches) {
            out += m.negated ? "!<" : "<";
            for (const auto& t : m.terms) {
              out += t.is_false ? "F" : "T";
              for (const auto& a : t.atoms) out += ir::to_string(a) + "&";
              out += "|";
            }
            out += ">";
          }
          out += ")";
        }
        out += "]";
      }
      out += "}";
    }
  };
  add("C", p.custom);
  add("D", p.deny);
  add("L", p.allow);
  add("U", p.audit);
  return out;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s)
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ? c : '_');
  return out;
}

}  // namespace

engine::EquivalenceResult prove_decoded(const DecodedTable& decoded, const ir::Program& reference,
                                        const engine::EquivalenceOptions& options) {
  ir::Program candidate = to_program(decoded, reference);
  return engine::prove_equivalent(reference, candidate, options);
}

void prove_table(Table& table, const std::vector<const ir::Program*>& views,
                 const engine::EquivalenceOptions& options) {
  table.proofs.clear();
  table.decode_errors.clear();
  SourceSet sources;
  load::Node root;
  std::vector<std::string> perrs;
  if (!parse_text(table.text, table.file, sources, root, perrs)) {
    table.status = TableStatus::DecodeError;
    table.decode_errors = perrs;
    return;
  }
  DecodedTable decoded;
  std::vector<DecodeError> derrs;
  if (!decode_table(root, table.protocol, decoded, derrs)) {
    table.status = TableStatus::DecodeError;
    for (const auto& e : derrs) table.decode_errors.push_back(to_string(e, sources));
    return;
  }
  table.status = TableStatus::Proven;
  std::string first_fp;
  for (size_t i = 0; i < views.size(); ++i) {
    const ir::Program& v = *views[i];
    ViewProof vp;
    vp.port = v.port;
    vp.port_name = v.port_name;
    vp.sniffed = v.sniffed;
    vp.mtls = v.mtls;
    std::string fp = rules_fingerprint(v);
    if (i == 0) first_fp = fp;
    if (i > 0 && fp == first_fp) {
      // Same rules and flags as the first view: the proof (which does not depend on the port or the
      // mTLS mode, equivalence.h) carries over.
      vp.result = table.proofs.front().result;
      vp.same_rules_as_first = true;
    } else {
      vp.result = prove_decoded(decoded, v, options);
    }
    if (vp.result.status == engine::EquivalenceStatus::Differs)
      table.status = TableStatus::Differs;
    else if (vp.result.status == engine::EquivalenceStatus::Unknown && table.status == TableStatus::Proven)
      table.status = TableStatus::Unknown;
    table.proofs.push_back(std::move(vp));
  }
}

namespace {

// One table to prove: the emitted filters and the views (port programs) they must decide like.
struct Job {
  Table table;
  std::vector<ir::Program> views;
};

// The classes of the --workload names (all when there are none); names that match no workload go to
// `not_found`.
std::set<uint32_t> wanted_classes(const mesh::Mesh& mesh, const std::vector<std::string>& workloads,
                                  std::vector<std::string>& not_found) {
  std::set<uint32_t> wanted;
  for (const auto& w : workloads) {
    size_t slash = w.find('/');
    const mesh::Workload* found =
        slash == std::string::npos ? nullptr : mesh.find(w.substr(0, slash), w.substr(slash + 1));
    if (!found)
      not_found.push_back(w);
    else
      wanted.insert(found->class_id);
  }
  return wanted;
}

// The table of one class and protocol: emitted, written as text, not yet proven.
Table emit_table(const mesh::Mesh& mesh, const mesh::WorkloadClass& cls, ir::Protocol proto,
                 const ir::LowerContext& ctx, OutputFormat format) {
  const mesh::Workload& rep = mesh.workloads[cls.members.front()];
  Table t;
  t.class_id = cls.id;
  t.representative = rep.display();
  for (size_t m : cls.members) t.workloads.push_back(mesh.workloads[m].display());
  t.protocol = proto;
  EmittedFilters ef = emit_filters(rep.authorization_policies, proto, ctx);
  t.filters = std::move(ef.filters);
  t.notes = std::move(ef.notes);
  json filters(t.filters);
  t.text = format == OutputFormat::Yaml ? to_yaml_text(filters) : to_json_text(filters);
  char id[16];
  std::snprintf(id, sizeof id, "%03u", cls.id);
  t.file = std::string("class-") + id + "." + sanitize(rep.ns) + "." + sanitize(rep.name) + "." +
           (proto == ir::Protocol::Http ? "http" : "tcp") + "." + extension(format);
  return t;
}

// Every job's table proven on up to `threads` workers (0: one per core, at most 4); the first exception
// (by job index) is rethrown here.
void prove_jobs(std::vector<Job>& jobs, const CompileOptions& options) {
  unsigned threads = options.threads ? options.threads : worker_count(0, jobs.size(), 4);
  parallel_for(jobs.size(), threads, [&](size_t i) {
    failpoint("compile-worker");
    std::vector<const ir::Program*> views;
    for (const auto& v : jobs[i].views) views.push_back(&v);
    prove_table(jobs[i].table, views, options.proof);
    if (options.on_table_proven) options.on_table_proven(jobs[i].table);
  });
}

}  // namespace

CompileResult compile_mesh(const mesh::Mesh& mesh, const CompileOptions& options) {
  CompileResult res;
  ir::LowerContext ctx = ir::LowerContext::from(mesh.config);
  std::set<uint32_t> wanted = wanted_classes(mesh, options.workloads, res.not_found);
  std::vector<Job> jobs;
  for (const auto& cls : mesh.classes) {
    if (cls.members.empty()) continue;
    if (!options.workloads.empty() && !wanted.count(cls.id)) continue;
    const mesh::Workload& rep = mesh.workloads[cls.members.front()];
    if (!rep.has_proxy()) {
      res.no_proxy.push_back(rep.display() + " (class " + std::to_string(cls.id) + "): " + rep.injection_reason);
      continue;
    }
    if (rep.data_plane == mesh::DataPlane::Ambient) {  // ztunnel has no Envoy RBAC (docs/semantics.md#ztunnel)
      res.no_proxy.push_back(rep.display() + " (class " + std::to_string(cls.id) +
                             "): ambient, authorized by ztunnel, which has no Envoy RBAC table");
      continue;
    }
    ir::WorkloadPrograms wp = ir::build_programs(rep, ctx);
    for (ir::Protocol proto : {ir::Protocol::Http, ir::Protocol::Tcp}) {
      Job job;
      for (const auto& port : wp.ports)
        if (const ir::Program* v = port.view(proto)) job.views.push_back(*v);
      if (job.views.empty()) continue;
      job.table = emit_table(mesh, cls, proto, ctx, options.format);
      jobs.push_back(std::move(job));
    }
  }
  prove_jobs(jobs, options);
  for (auto& j : jobs) res.tables.push_back(std::move(j.table));
  return res;
}

// ---------------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------------

namespace {

std::string list_text(const std::vector<std::string>& v) { return "[" + join(v) + "]"; }

}  // namespace

std::string describe_request(const ir::Request& r, ir::Protocol p) {
  std::vector<std::string> parts;
  if (r.mtls)
    parts.push_back("mTLS from spiffe://" + r.principal());
  else
    parts.push_back("plaintext (no peer identity)");
  if (r.source_ip) parts.push_back("source.ip " + r.source_ip->to_string());
  if (r.remote_ip) parts.push_back("remote.ip " + r.remote_ip->to_string());
  if (r.destination_ip) parts.push_back("destination.ip " + r.destination_ip->to_string());
  parts.push_back("port " + std::to_string(r.port));
  if (!r.sni.empty()) parts.push_back("SNI \"" + r.sni + "\"");
  if (p == ir::Protocol::Http) {
    std::string line = (r.method.empty() ? std::string("<no method>") : r.method) + " " +
                       (r.path.empty() ? std::string("<no path>") : "\"" + r.path + "\"");
    if (!r.host.empty()) line += " host \"" + r.host + "\"";
    parts.push_back(line);
    for (const auto& [k, v] : r.headers) parts.push_back("header " + k + ": \"" + v + "\"");
    if (r.token == ir::TokenState::Valid) {
      std::string jwt = "JWT";
      if (!r.jwt_issuer.empty()) jwt += " iss \"" + r.jwt_issuer + "\"";
      if (!r.jwt_subject.empty()) jwt += " sub \"" + r.jwt_subject + "\"";
      if (!r.audiences.empty()) jwt += " aud " + list_text(r.audiences);
      if (!r.presenters.empty()) jwt += " azp " + list_text(r.presenters);
      for (const auto& [k, v] : r.claims) jwt += " " + k + " " + list_text(v);
      parts.push_back(jwt);
    } else {
      parts.push_back("no JWT");
    }
  }
  for (const auto& [k, v] : r.metadata) parts.push_back("metadata " + k + " " + list_text(v));
  return join(parts);
}

std::string describe_difference(const engine::Difference& d, ir::Protocol p) {
  if (!d.has_witness) return d.observable + " differ: " + d.detail;
  auto side = [](const engine::SideOutcome& s) {
    std::string out = s.matches ? "matched by " + list_text(s.rules) : "no rule matches";
    return out + "; decision " + s.verdict + " (" + s.reason + ")";
  };
  return d.observable + " decide this request differently:\n    request:  " + describe_request(d.witness, p) +
         "\n    policy:   " + side(d.left) + "\n    table:    " + side(d.right);
}

std::string manifest_text(const CompileResult& result, OutputFormat format) {
  json tables = json::array();
  for (const auto& t : result.tables) {
    json ports = json::array();
    for (const auto& v : t.proofs) {
      json port{{"port", v.port}, {"mtls", model::to_string(v.mtls)}, {"proof", engine::to_string(v.result.status)}};
      if (!v.port_name.empty()) port["name"] = v.port_name;
      if (v.port == 0) port["note"] = "every port the workload does not declare";
      if (v.sniffed) port["sniffed"] = true;
      ports.push_back(port);
    }
    json proof{{"status", to_string(t.status)}};
    size_t queries = 0, observables = 0;
    for (const auto& v : t.proofs)
      if (!v.same_rules_as_first) {
        queries += v.result.queries;
        observables += v.result.observables;
      }
    proof["observables"] = observables;
    proof["solverQueries"] = queries;
    for (const auto& v : t.proofs) {
      if (v.result.difference) {
        proof["difference"] = describe_difference(*v.result.difference, t.protocol);
        break;
      }
      if (v.result.status == engine::EquivalenceStatus::Unknown) {
        proof["unknownReason"] = v.result.unknown_reason;
        break;
      }
    }
    if (!t.decode_errors.empty()) proof["decodeErrors"] = t.decode_errors;
    std::vector<std::string> filter_names;
    for (const auto& f : t.filters) filter_names.push_back(f.value("name", ""));
    json entry{{"file", t.file},
               {"class", t.class_id},
               {"protocol", ir::to_string(t.protocol)},
               {"representative", t.representative},
               {"workloads", t.workloads},
               {"ports", ports},
               {"filters", filter_names},
               {"proof", proof}};
    if (!t.notes.empty()) entry["istioNotes"] = t.notes;
    tables.push_back(entry);
  }
  json m{{"meshproof", MESHPROOF_VERSION},
         {"format", extension(format)},
         {"tables", tables},
         {"allProven", result.all_proven()}};
  if (!result.no_proxy.empty()) m["skippedNoProxy"] = result.no_proxy;
  return m.dump(2) + "\n";
}

}  // namespace meshproof::compile
