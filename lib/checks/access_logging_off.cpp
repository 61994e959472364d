// access-logging-off (MP4001): a workload in a regulated namespace whose inbound requests no access log
// records, decided by the access-logging model (mesh/access_logging.h, docs/semantics.md#access-logging):
// a Telemetry that disables logging for it, no Telemetry and meshConfig.accessLogFile empty (Istio's
// default), or no proxy at all. When the answer depends on mesh configuration the input does not contain,
// the check says that the evidence is missing (a note with property evidence: "missing", one per namespace),
// never that logging is off: the auditor report then shows the audit controls as "no evidence".
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/judged_workloads.h"
#include "mesh/access_logging.h"

namespace meshproof::checks {
namespace {

class AccessLoggingOff final : public Check {
 public:
  AccessLoggingOff()
      : Check(CheckInfo{"access-logging-off", "MP4001", Severity::Error,
                        "A regulated workload's inbound requests are not access-logged",
                        "A workload in a regulated namespace whose inbound requests no access log records: a "
                        "Telemetry disables access logging for it, no Telemetry applies and "
                        "meshConfig.accessLogFile is empty (Istio's default), the Telemetry's providers produce no "
                        "access log, or the pod has no Istio proxy. Audit controls (HIPAA 164.312(b), PCI DSS 10.2) "
                        "need a record of every access. When the answer depends on mesh configuration the input does "
                        "not contain, a note says the evidence is missing instead."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const mesh::Workload* w : judged_regulated_workloads(ctx)) out.push_back(w->ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    // Unknown answers are grouped per namespace and reason: one note each.
    std::map<std::pair<std::string, std::string>, std::vector<const mesh::Workload*>> unknown;
    for (const mesh::Workload* w : judged_regulated_workloads(ctx)) {
      // A pod kept out of the mesh on purpose (a system namespace, inject: "false"): as workload-outside-mesh,
      // not reported; an accidental one is (nothing logs it).
      if (!w->has_proxy() && w->data_plane_opted_out) continue;
      mesh::AccessLogDecision d = mesh::access_logging(ctx.mesh, *w, mesh::inbound_mode(*w));
      if (d.state == mesh::AccessLogState::NotLogged) report_not_logged(ctx, *w, d, out);
      if (d.state == mesh::AccessLogState::Filtered) report_filtered(ctx, *w, d, out);
      if (d.state == mesh::AccessLogState::Unknown) unknown[{w->ns, d.reason}].push_back(w);
    }
    for (const auto& [key, workloads] : unknown) report_unknown(ctx, key.first, key.second, workloads, out);
  }

 private:
  void report_not_logged(const Context& ctx, const mesh::Workload& w, const mesh::AccessLogDecision& d,
                         std::vector<Finding>& out) const {
    std::string message = "Inbound requests to " + describe_workload(w) + " are not access-logged: " + d.reason +
                          "; an audit trail of who called a regulated workload needs an access log "
                          "(docs/semantics.md#access-logging)";
    std::string help =
        !w.has_proxy()
            ? "bring the workload into the mesh (istio-injection: enabled on its Namespace), then enable access logging"
            : "enable access logging for it: a Telemetry with accessLogging providers [{name: envoy}] in the root "
              "namespace (or its own), without disabled: true for SERVER traffic";
    Finding f = make(w.ref(), d.cause_loc.known() ? d.cause_loc : workload_loc(ctx.mesh, w), std::move(message),
                     std::move(help), w.display() + ";not-logged");
    if (!d.cause.kind.empty() && !(d.cause.kind == w.ref().kind && d.cause.name == w.ref().name))
      f.properties["cause"] = d.cause.display();
    f.properties["state"] = mesh::to_string(d.state);
    f.properties["workload_kind"] = workload_kind(w);
    f.properties["workload"] = w.display();
    out.push_back(std::move(f));
  }

  void report_filtered(const Context& ctx, const mesh::Workload& w, const mesh::AccessLogDecision& d,
                       std::vector<Finding>& out) const {
    std::vector<std::string> parts;
    for (size_t i = 0; i < d.providers.size(); ++i) parts.push_back(d.providers[i] + " when " + d.filters[i]);
    std::string message = "Only some inbound requests to " + describe_workload(w) +
                          " are access-logged: every provider in force has a filter (" + join(parts, "; ") +
                          "); requests outside the filters leave no record (docs/semantics.md#access-logging)";
    Finding f =
        make(w.ref(), workload_loc(ctx.mesh, w), std::move(message),
             "log every request to at least one provider (a provider entry without filter)", w.display() + ";filtered");
    f.severity = Severity::Warning;
    f.properties["state"] = mesh::to_string(d.state);
    f.properties["workload"] = w.display();
    out.push_back(std::move(f));
  }

  void report_unknown(const Context& ctx, const std::string& ns, const std::string& reason,
                      const std::vector<const mesh::Workload*>& workloads, std::vector<Finding>& out) const {
    std::vector<std::string> names;
    for (const mesh::Workload* w : workloads) names.push_back(w->display());
    std::string message = "No evidence whether the inbound requests of " + std::to_string(workloads.size()) +
                          (workloads.size() == 1 ? " regulated workload" : " regulated workloads") + " in namespace " +
                          ns + " (" + join(names, ", ") + ") are access-logged: " + reason +
                          "; this is not a finding that logging is off (docs/semantics.md#access-logging)";
    const auto nsit = ctx.mesh.namespaces.find(ns);
    const model::Namespace* decl = nsit == ctx.mesh.namespaces.end() ? nullptr : nsit->second.decl;
    ResourceRef where = decl ? decl->ref() : workloads.front()->ref();
    Finding f = make(where, decl ? decl->loc : workload_loc(ctx.mesh, *workloads.front()), std::move(message),
                     "give meshproof the mesh configuration (the istio ConfigMap in the root namespace, or the "
                     "IstioOperator's meshConfig), or a Telemetry in the root namespace that names the envoy provider",
                     ns + ";unknown;" + reason);
    f.severity = Severity::Note;
    f.properties["evidence"] = "missing";
    f.properties["state"] = "unknown";
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_access_logging_off_check() { return std::make_unique<AccessLoggingOff>(); }

}  // namespace meshproof::checks
