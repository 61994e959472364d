// The effective mTLS of every regulated workload × port: the mode Istio applies, the level that decided
// it and the PeerAuthentication field that did, as the mesh layer resolved them.
#include "audit/sections.h"
#include "checks/describe.h"

namespace meshproof::audit {

namespace {

// Where the deciding PeerAuthentication sets the mode: its port-level entry for a port-level decision,
// else its `mtls.mode`, else the object itself.
Loc deciding_field(const mesh::MtlsDecision& d, const mesh::WorkloadPort* p) {
  Loc at = d.decided_by->mode_loc.known() ? d.decided_by->mode_loc : d.decided_by->loc;
  if (d.level == mesh::MtlsLevel::WorkloadPort && p)
    for (const model::PortMtls& pm : d.decided_by->port_level)
      if (pm.port == p->port && pm.loc.known()) at = pm.loc;
  return at;
}

// One row; `p` is null for a workload without declared ports (the row covers every port).
MtlsRow mtls_row(const SourceSet& sources, const mesh::Workload& w, const mesh::WorkloadPort* p,
                 const mesh::MtlsDecision& d) {
  MtlsRow row;
  row.ns = w.ns;
  row.workload = w.display();
  row.workload_kind = checks::workload_kind(w);
  row.port = p ? std::to_string(p->port) : "*";
  row.data_plane = mesh::to_string(w.data_plane);
  row.data_plane_assumed = w.data_plane_assumed;
  if (p) {
    row.port_name = p->name;
    row.protocol = mesh::to_string(p->protocol);
  }
  if (!w.has_proxy()) {
    row.mode = "NONE";
    row.level = "no-sidecar";
    row.decided_by = "no Istio proxy: " + w.injection_reason;
    return row;
  }
  row.mode = model::to_string(d.mode);
  row.level = mesh::to_string(d.level);
  if (d.decided_by) {
    row.decided_by = checks::resource_text(*d.decided_by);
    row.decided_at = sources.describe(deciding_field(d, p));
  }
  row.strict = d.mode == model::MtlsMode::Strict;
  return row;
}

}  // namespace

std::vector<MtlsRow> mtls_table(const checks::Context& ctx) {
  std::vector<MtlsRow> rows;
  for (const mesh::Workload& w : ctx.mesh.workloads) {
    if (!ctx.is_regulated(w.ns)) continue;
    if (w.ports.empty()) rows.push_back(mtls_row(ctx.sources, w, nullptr, w.default_mtls));
    for (const mesh::WorkloadPort& p : w.ports) rows.push_back(mtls_row(ctx.sources, w, &p, p.mtls));
  }
  return rows;
}

std::vector<MtlsCoverage> mtls_coverage(const checks::Context& ctx, const std::vector<MtlsRow>& rows) {
  std::vector<MtlsCoverage> out;
  for (const std::string& ns : ctx.regulated) {
    MtlsCoverage c;
    c.ns = ns;
    for (const MtlsRow& r : rows) {
      if (r.ns != ns) continue;
      if (r.mode == "NONE")
        ++c.no_proxy;
      else if (r.mode == "STRICT")
        ++c.strict;
      else if (r.mode == "DISABLE")
        ++c.disable;
      else
        ++c.permissive;
    }
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (w.ns != ns) continue;
      switch (w.data_plane) {
        case mesh::DataPlane::Sidecar:
          ++c.sidecar;
          break;
        case mesh::DataPlane::Ambient:
          ++c.ambient;
          break;
        case mesh::DataPlane::Gateway:
          ++c.gateway;
          break;
        case mesh::DataPlane::None:
          ++c.none;
          break;
      }
      if (w.data_plane_assumed) ++c.assumed;
    }
    if (c.ports()) out.push_back(c);
  }
  return out;
}

}  // namespace meshproof::audit
