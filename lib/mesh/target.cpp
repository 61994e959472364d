#include "mesh/target.h"

#include <algorithm>

namespace meshproof::mesh {

namespace {

std::optional<model::Labels> parse_labels(const std::string& text, std::string& error) {
  model::Labels labels;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string pair = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = "\"" + pair + "\" is not key=value";
      return std::nullopt;
    }
    labels[pair.substr(0, eq)] = pair.substr(eq + 1);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return labels;
}

std::string names_in(const Mesh& mesh, const std::string& ns) {
  std::string out;
  int n = 0;
  for (const Workload* w : mesh.in_namespace(ns)) {
    if (w->origin == WorkloadOrigin::OtherWorkloads) continue;
    if (n++ == 8) {
      out += ", ...";
      break;
    }
    out += (out.empty() ? "" : ", ") + w->display();
  }
  return out;
}

}  // namespace

std::optional<std::string> find_target(const std::string& spec, const model::ResourceSet& resources, const Mesh& mesh,
                                       const ResolveOptions& options, Target& out) {
  size_t slash = spec.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == spec.size())
    return "\"" + spec + "\" is not NAMESPACE/WORKLOAD or NAMESPACE/key=value,...";
  std::string ns = spec.substr(0, slash), rest = spec.substr(slash + 1);
  out.mesh = &mesh;
  // A workload's own name first: synthetic workloads are named "selector:k=v,...", which also reads as labels.
  if (const Workload* w = mesh.find(ns, rest)) {
    out.workload = w;
    return std::nullopt;
  }
  if (rest.find('=') == std::string::npos) {
    std::string known = names_in(mesh, ns);
    return "no workload \"" + spec + "\" in the input" +
           (known.empty() ? " (namespace \"" + ns + "\" has no workloads)" : "; workloads in " + ns + ": " + known) +
           "; a workload known only by labels can be named NAMESPACE/key=value,...";
  }
  std::string error;
  auto labels = parse_labels(rest, error);
  if (!labels) return "\"" + spec + "\": " + error;

  // Prefer a workload with exactly these labels, then one whose labels include them.
  const Workload* exact = nullptr;
  const Workload* superset = nullptr;
  for (const Workload* w : mesh.in_namespace(ns)) {
    if (w->origin == WorkloadOrigin::OtherWorkloads) continue;
    if (w->labels == *labels && !exact) exact = w;
    if (labels_subset(*labels, w->labels) && !superset) superset = w;
  }
  if (exact || superset) {
    out.workload = exact ? exact : superset;
    out.note = "labels " + rest + " resolved to workload " + out.workload->display();
    return std::nullopt;
  }

  // No workload carries these labels: add a Pod with them and resolve the mesh again.
  out.own_resources = std::make_unique<model::ResourceSet>(resources);
  model::Workload pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.meta.ns = ns;
  pod.meta.name = "query{" + rest + "}";
  pod.meta.labels = *labels;
  pod.pod_labels = *labels;
  pod.service_account = "default";
  out.own_resources->workloads.push_back(std::move(pod));
  out.own_mesh = std::make_unique<Mesh>(resolve(*out.own_resources, options));
  out.mesh = out.own_mesh.get();
  out.workload = out.own_mesh->find(ns, "query{" + rest + "}");
  if (!out.workload) return "could not model a workload with labels " + rest + " in " + ns;
  out.note = "no workload in the input has labels " + rest + "; a pod with exactly these labels was assumed";
  return std::nullopt;
}

}  // namespace meshproof::mesh
