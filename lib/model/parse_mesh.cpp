// The mesh configuration: from the ConfigMap `istio` / `istio-<revision>` (its `data.mesh` is YAML text)
// or from an IstioOperator's spec.meshConfig.
#include <algorithm>

#include "model/parse_internal.h"

namespace meshproof::model::detail {

namespace {

// accessLogFile, enableEnvoyAccessLogService, defaultProviders.accessLogging (docs/semantics.md#access-logging).
void read_access_log_fields(const Node& m, Reader& r, MeshConfig& out) {
  r.get_str(m, "accessLogFile", out.access_log_file);
  r.get_bool(m, "enableEnvoyAccessLogService", out.envoy_access_log_service);
  if (const Node* dp = m.find("defaultProviders")) {
    auto s = r.field("defaultProviders");
    if (!r.expect_map(*dp)) return;
    StrList names;
    r.get_str_list(*dp, "accessLogging", names);
    for (Str& n : names.items) out.default_access_log_providers.push_back(std::move(n));
  }
}

// defaultConfig.proxyMetadata's DNS capture and address auto-allocation (Istio's
// serviceentry.ProtocolAddressesAnalyzer; docs/semantics.md#egress).
void read_auto_allocation(const Node& m, MeshConfig& out) {
  const Node* dc = m.find("defaultConfig");
  const Node* md = dc && dc->is_map() ? dc->find("proxyMetadata") : nullptr;
  if (!md || !md->is_map()) return;
  auto is_true = [&](const char* key) {
    const Node* v = md->find(key);
    return v && v->is_scalar() && v->scalar == "true";
  };
  out.auto_allocates_addresses = is_true("ISTIO_META_DNS_CAPTURE") &&
                                 (is_true("ISTIO_META_DNS_AUTO_ALLOCATE") || is_true("PILOT_ENABLE_IP_AUTOALLOCATE"));
}

// The fields of MeshConfig that meshproof reads. Unknown fields are not checked: the mesh config has
// hundreds of fields that do not affect authorization.
void read_mesh_fields(const Node& m, Reader& r, MeshConfig& out) {
  std::string v;
  if (r.get_string(m, "rootNamespace", v) && !v.empty()) out.root_namespace = v;
  v.clear();
  if (r.get_string(m, "trustDomain", v) && !v.empty()) out.trust_domain = v;
  r.get_string_vector(m, "trustDomainAliases", out.trust_domain_aliases);
  r.get_bool(m, "enableAutoMtls", out.enable_auto_mtls);
  if (const Node* otp = m.find("outboundTrafficPolicy")) {
    auto s = r.field("outboundTrafficPolicy");
    v.clear();
    if (r.expect_map(*otp) && r.get_string(*otp, "mode", v) && !v.empty()) {
      out.outbound_traffic_policy = v;
      out.outbound_traffic_policy_loc = otp->key_loc("mode");
    }
  }
  read_access_log_fields(m, r, out);
  read_auto_allocation(m, out);
  if (const Node* pn = m.find("pathNormalization")) {
    auto s = r.field("pathNormalization");
    v.clear();
    if (r.expect_map(*pn) && r.get_string(*pn, "normalization", v) && !v.empty()) out.path_normalization = v;
  }
  if (const Node* eps = m.find("extensionProviders")) {
    auto s = r.field("extensionProviders");
    if (r.expect_seq(*eps, "extension providers")) {
      for (size_t i = 0; i < eps->items.size(); ++i) {
        auto si = r.index(i);
        const Node& ep = eps->items[i];
        if (!r.expect_map(ep)) continue;
        ExtensionProvider p;
        r.get_string(ep, "name", p.name);
        // The provider is a oneof: the one key besides `name` says which kind it is.
        for (const load::MapEntry& e : ep.entries)
          if (e.key != "name") {
            p.type = e.key;
            break;
          }
        p.problem = ext_authz_problem(ep, p.type);
        for (const ExtensionProvider& earlier : out.extension_providers)
          if (p.problem.empty() && earlier.name == p.name) p.problem = "the name is not unique";
        out.extension_providers.push_back(std::move(p));
      }
    }
  }
}

int mesh_source_rank(const MeshConfig& m) {
  if (m.source.kind == "ConfigMap") return m.source.name == "istio" ? 0 : 1;
  return 2;  // IstioOperator
}

// Where the text of a block scalar starts in its file: (line offset, column offset) such that line 1,
// column 1 of the text is at (offset+1, offset+1).
std::pair<uint32_t, uint32_t> embedded_offsets(const Node& text_node, Loc key_loc, const std::string& text,
                                               const SourceSet* sources) {
  const Loc at = text_node.loc;
  bool multi_line = text.find('\n') != std::string::npos;
  if (!at.known()) return {0, 0};
  if (text_node.plain || !multi_line) {
    // A one-line (quoted or plain) scalar: the text starts at the scalar (after its quote).
    return {at.line - 1, at.col - (text_node.plain ? 1 : 0)};
  }
  // A block scalar (`mesh: |`): its content starts on the next line, indented.
  std::string first_line = text.substr(0, text.find('\n'));
  if (sources) {
    std::string line = sources->line_text(Loc{at.file, at.line + 1, 1});
    size_t indent = line.find_first_not_of(' ');
    if (indent != std::string::npos && line.compare(indent, std::string::npos, first_line) == 0)
      return {at.line, static_cast<uint32_t>(indent)};
  }
  // Without the source text: the conventional two-space indentation under the key.
  uint32_t indent = key_loc.col ? key_loc.col - 1 + 2 : 0;
  return {at.line, indent};
}

}  // namespace

bool parse_mesh_configmap(const Node& obj, Reader& r, const ResourceBase& base, const ParseContext& ctx,
                          MeshConfig& out) {
  const Node* data = obj.find("data");
  if (!data || !data->is_map()) return false;
  const Node* mesh = data->find("mesh");
  if (!mesh) return false;
  auto sd = r.field("data");
  auto sm = r.field("mesh");
  std::string text;
  if (!r.read_string(*mesh, text)) return false;
  out.source = ResourceRef{base.kind, base.meta.ns, base.meta.name, base.loc, base.helm_source};
  out.from_input = true;

  auto [line_off, col_off] = embedded_offsets(*mesh, data->key_loc("mesh"), text, ctx.sources);
  SourceSet private_sources;
  load::Loader private_loader(private_sources);
  const load::Loader& loader = ctx.loader ? *ctx.loader : private_loader;
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  bool first = true;
  loader.parse_text(
      mesh->loc.file, text,
      [&](load::Document&& doc) {
        if (!first) return;  // the mesh config is one document
        first = false;
        for (const load::DocumentProblem& p : doc.problems) r.error(p.loc, p.message);
        if (doc.root.is_null()) return;
        if (r.expect_map(doc.root)) read_mesh_fields(doc.root, r, out);
      },
      errors, notes, line_off, col_off);
  for (const load::LoadError& e : errors)
    r.error(e.loc.known() ? e.loc : mesh->loc, "the mesh config is not valid YAML: " + e.message, e.help);
  return true;
}

bool parse_istio_operator(const Node& obj, Reader& r, const ResourceBase& base, MeshConfig& out) {
  const Node* spec = obj.find("spec");
  if (!spec || !spec->is_map()) return false;
  const Node* mc = spec->find("meshConfig");
  if (!mc) return false;
  auto ss = r.field("spec");
  auto sm = r.field("meshConfig");
  if (!r.expect_map(*mc)) return false;
  out.source = ResourceRef{base.kind, base.meta.ns, base.meta.name, base.loc, base.helm_source};
  out.from_input = true;
  read_mesh_fields(*mc, r, out);
  return true;
}

void adopt_mesh_config(ResourceSet& set, MeshConfig&& candidate) {
  if (!candidate.from_input) return;
  if (!set.mesh.from_input) {
    set.mesh = std::move(candidate);
    return;
  }
  // Istio reads the ConfigMap `istio` (default revision); a revisioned `istio-<rev>` or an IstioOperator
  // only when that is all there is. Among equals the first in input order wins.
  bool replace = mesh_source_rank(candidate) < mesh_source_rank(set.mesh);
  const MeshConfig& kept = replace ? candidate : set.mesh;
  const MeshConfig& dropped = replace ? set.mesh : candidate;
  set.notes.emplace_back(dropped.source.loc, "several mesh configs in the input; using " + kept.source.display() +
                                                 ", ignoring " + dropped.source.display());
  if (replace) set.mesh = std::move(candidate);
}

}  // namespace meshproof::model::detail
