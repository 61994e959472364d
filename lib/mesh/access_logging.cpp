// Access logging per workload, as istiod computes it (telemetry.go applicableTelemetries and mergeLogs,
// accesslog.go's fallback to meshConfig.accessLogFile): docs/semantics.md#access-logging.
#include "mesh/access_logging.h"

#include <algorithm>
#include <map>

#include "base/text.h"

namespace meshproof::mesh {

const char* to_string(AccessLogState s) {
  switch (s) {
    case AccessLogState::Logged:
      return "logged";
    case AccessLogState::Filtered:
      return "filtered";
    case AccessLogState::NotLogged:
      return "not-logged";
    case AccessLogState::Unknown:
      return "unknown";
  }
  return "unknown";
}

AccessLogMode inbound_mode(const Workload& w) {
  return w.data_plane == DataPlane::Gateway ? AccessLogMode::Client : AccessLogMode::Server;
}

namespace {

bool namespace_wide(const model::Telemetry& t) { return t.selector.empty() && !t.has_target_refs; }

// L1: the oldest namespace-wide Telemetry of a namespace (counted only when it configures access logging),
// then the selector Telemetries of the workload's own namespace that select it, oldest first. Sidecars and
// Istio gateways ignore targetRefs.
std::vector<const model::Telemetry*> applicable(const Mesh& mesh, const Workload& w) {
  std::vector<const model::Telemetry*> sorted;
  for (const model::Telemetry& t : mesh.resources->telemetries) sorted.push_back(&t);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return istio_older(*a, *b); });
  std::vector<const model::Telemetry*> out;
  auto add_namespace_wide = [&](const std::string& ns) {
    auto it =
        std::find_if(sorted.begin(), sorted.end(), [&](auto* t) { return t->meta.ns == ns && namespace_wide(*t); });
    if (it != sorted.end() && !(*it)->access_log_entries.empty()) out.push_back(*it);
  };
  add_namespace_wide(mesh.root_namespace());
  if (w.ns != mesh.root_namespace()) add_namespace_wide(w.ns);
  if (w.origin == WorkloadOrigin::OtherWorkloads) return out;  // its labels are unknown: namespace-wide only
  for (const model::Telemetry* t : sorted)
    if (t->meta.ns == w.ns && !t->has_target_refs && !t->selector.empty() && t->selector.matches(w.labels) &&
        !t->access_log_entries.empty())
      out.push_back(t);
  return out;
}

bool mode_matches(const model::TelemetryAccessLogging& e, AccessLogMode mode) {
  const std::string& m = e.mode.value;
  if (m.empty() || m == "CLIENT_AND_SERVER") return true;
  return m == (mode == AccessLogMode::Server ? "SERVER" : "CLIENT");
}

// One provider's state after the merge, and the entry that set it last.
struct Merged {
  bool enabled = true;
  std::string filter;
  const model::Telemetry* by = nullptr;  // nullptr: meshConfig.defaultProviders
  Loc loc;
};

// L3 (mergeLogs): pass 1 finds the providers in scope (the last level naming any replaces the set) and each
// provider's filter (the last naming entry's); pass 2 enables or disables, an entry without providers acting
// on the previous entry's list.
std::map<std::string, Merged> merge(const std::vector<const model::Telemetry*>& levels,
                                    const std::vector<std::string>& defaults, AccessLogMode mode) {
  std::map<std::string, Merged> result;
  if (levels.empty()) {  // no Telemetry: the default providers, enabled, without filters
    for (const std::string& p : defaults) result[p] = Merged{};
    return result;
  }
  std::vector<std::string> in_scope = defaults;
  std::map<std::string, std::string> filter;
  for (const model::Telemetry* t : levels) {
    std::vector<std::string> names;
    for (const model::TelemetryAccessLogging& e : t->access_log_entries) {
      if (!mode_matches(e, mode)) continue;
      for (const model::Str& p : e.providers) {
        names.push_back(p.value);
        filter[p.value] = e.filter.value;
      }
    }
    if (!names.empty()) in_scope = names;
  }
  std::vector<std::string> parent = defaults;
  for (const model::Telemetry* t : levels) {
    for (const model::TelemetryAccessLogging& e : t->access_log_entries) {
      std::vector<std::string> ps;
      for (const model::Str& p : e.providers) ps.push_back(p.value);
      if (ps.empty()) ps = parent;
      parent = ps;
      if (!mode_matches(e, mode)) continue;
      for (const std::string& p : ps) {
        if (std::find(in_scope.begin(), in_scope.end(), p) == in_scope.end()) continue;
        result[p] = Merged{!e.disabled, e.disabled ? "" : filter[p], t, e.disabled ? e.disabled_loc : e.loc};
      }
    }
  }
  return result;
}

enum class Usable : uint8_t { Yes, No, Unknown };

// Whether a provider name yields an access logger (telemetry.go AccessLogging, telemetry_logging.go): the
// mesh config's extensionProviders, matched case-insensitively, of an access-log kind; else the built-in
// `envoy` (a file log to /dev/stdout). Without the mesh config in the input, another name is unknown.
Usable usable(const model::MeshConfig& config, const std::string& name) {
  const std::string lower = ascii_lower(name);
  for (const model::ExtensionProvider& p : config.extension_providers) {
    if (ascii_lower(p.name) != lower) continue;
    const std::string& k = p.type;
    bool logs = k == "envoyFileAccessLog" || k == "envoyHttpAls" || k == "envoyTcpAls" || k == "envoyOtelAls";
    return logs ? Usable::Yes : Usable::No;
  }
  if (lower == "envoy") return Usable::Yes;
  if (lower == "prometheus" || lower == "stackdriver") return Usable::No;
  return config.from_input ? Usable::No : Usable::Unknown;
}

std::string telemetry_name(const model::Telemetry* t) {
  return t ? "Telemetry " + t->meta.ns + "/" + t->meta.name : "meshConfig.defaultProviders.accessLogging";
}

ResourceRef mesh_config_ref(const model::MeshConfig& c) { return c.source; }

// L4: no usable provider from Telemetry, so the legacy mesh settings decide.
void legacy(const Mesh& mesh, const std::string& why, AccessLogDecision& d) {
  const model::MeshConfig& c = mesh.config;
  if (!c.from_input) {
    d.state = AccessLogState::Unknown;
    d.missing_mesh_config = true;
    d.reason = why + ", so meshConfig.accessLogFile decides, and the input does not contain the mesh configuration";
    return;
  }
  if (!c.access_log_file.value.empty() || c.envoy_access_log_service) {
    d.state = AccessLogState::Logged;
    d.providers.push_back(c.access_log_file.value.empty() ? "meshConfig.enableEnvoyAccessLogService"
                                                          : "meshConfig.accessLogFile " + c.access_log_file.value);
    d.filters.emplace_back();
    return;
  }
  d.state = AccessLogState::NotLogged;
  d.reason = why + ", and meshConfig.accessLogFile is " +
             (c.access_log_file.loc.known() ? "empty" : "not set (Istio's default: no access log)");
  d.cause = mesh_config_ref(c);
  d.cause_loc = c.access_log_file.loc.known() ? c.access_log_file.loc : c.source.loc;
}

// Why the Telemetry path yields no provider for this mode, as the start of a clause.
std::string why_no_telemetry(const std::vector<const model::Telemetry*>& levels, bool any_merged, AccessLogMode mode) {
  if (levels.empty()) return "no Telemetry configures access logging for it";
  std::vector<std::string> names;
  for (const model::Telemetry* t : levels) names.push_back(telemetry_name(t));
  if (!any_merged)
    return join(names, ", ") + " configure" + (names.size() == 1 ? "s" : "") + " no access logging for its " +
           (mode == AccessLogMode::Server ? "inbound (SERVER)" : "gateway (CLIENT)") + " traffic";
  return "the providers that " + join(names, ", ") + " name produce no access log (not access-log providers)";
}

void decide_from_merge(const Mesh& mesh, const std::map<std::string, Merged>& merged, AccessLogDecision& d) {
  bool unknown = false;
  const Merged* disabled = nullptr;
  for (const auto& [name, m] : merged) {
    Usable u = usable(mesh.config, name);
    if (u == Usable::Unknown) unknown = true;
    if (u != Usable::Yes) continue;
    if (!m.enabled) {
      disabled = &m;
      continue;
    }
    d.providers.push_back(name);
    d.filters.push_back(m.filter);
  }
  if (!d.providers.empty()) {
    bool all_filtered = std::all_of(d.filters.begin(), d.filters.end(), [](auto& f) { return !f.empty(); });
    d.state = all_filtered ? AccessLogState::Filtered : AccessLogState::Logged;
  } else if (unknown) {
    d.state = AccessLogState::Unknown;
    d.missing_mesh_config = true;
    d.reason =
        "its Telemetry names access-log providers that only the mesh configuration defines, and the input does "
        "not contain it";
  } else if (disabled) {
    d.state = AccessLogState::NotLogged;
    d.reason = telemetry_name(disabled->by) + " disables access logging for it";
    if (disabled->by) d.cause = disabled->by->ref();
    d.cause_loc = disabled->loc;
  } else {
    legacy(mesh, why_no_telemetry(d.telemetries, !merged.empty(), d.mode), d);
  }
}

}  // namespace

AccessLogDecision access_logging(const Mesh& mesh, const Workload& w, AccessLogMode mode) {
  AccessLogDecision d;
  d.mode = mode;
  if (!w.has_proxy()) {
    d.state = AccessLogState::NotLogged;
    d.reason = "it has no Istio proxy (" + w.injection_reason + "), so nothing logs its requests";
    d.cause = w.ref();
    d.cause_loc = w.data_plane_loc;
    return d;
  }
  if (w.data_plane == DataPlane::Ambient) {
    d.state = AccessLogState::Unknown;
    d.reason =
        "it is an ambient workload: ztunnel writes L4 connection logs only, and request logs come from a "
        "waypoint, which meshproof does not model yet";
    return d;
  }
  d.telemetries = applicable(mesh, w);
  std::vector<std::string> defaults;
  for (const model::Str& p : mesh.config.default_access_log_providers) defaults.push_back(p.value);
  if (d.telemetries.empty() && defaults.empty()) {
    legacy(mesh, why_no_telemetry(d.telemetries, false, mode), d);
    return d;
  }
  decide_from_merge(mesh, merge(d.telemetries, defaults, mode), d);
  return d;
}

}  // namespace meshproof::mesh
