// The pipeline every command shares: load → model → validate → admission → mesh, with per-phase timing. Lives in
// the library so that it is tested without a process; the CLI only parses flags and maps exit codes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/finding.h"
#include "base/location.h"
#include "load/loader.h"
#include "mesh/mesh.h"
#include "model/not_analyzed.h"
#include "model/parse.h"
#include "model/resources.h"
#include "profile/profile.h"

namespace meshproof::model {
struct LinkerdPolicySet;  // model/linkerd_policy.h
struct NetworkPolicySet;  // model/network_policy.h
}  // namespace meshproof::model

namespace meshproof::app {

struct PhaseStats {
  double load_ms = 0;  // read + parse YAML + type resources (parallel across files)
  double validate_ms = 0;
  double resolve_ms = 0;
  double lower_ms = 0;  // 0 when lowering is not a pass of its own (`check` lowers inside analyze)
  double analyze_ms = 0;
  double report_ms = 0;
  double total_ms = 0;  // the whole command, as the command measures it (set by the command)
  size_t files = 0, documents = 0, resources = 0, workloads = 0, classes = 0, policies = 0;
  size_t objects = 0;  // documents that are Kubernetes objects (a map with apiVersion and kind), of any kind
  // Peak RSS (KiB) when each phase ended: what load, resolve and analyze each add to the memory (`--stats`).
  size_t load_rss_kb = 0, resolve_rss_kb = 0, analyze_rss_kb = 0;
};

struct InputOptions {
  std::vector<std::string> paths;
  std::optional<std::string> root_namespace;
  // The data plane of workloads whose membership the input does not decide (`--data-plane`; mesh.h).
  mesh::DataPlane assumed_data_plane = mesh::DataPlane::Sidecar;
  // Linkerd's install value proxy.defaultInboundPolicy (`--linkerd-default-policy`); "" = Linkerd's default
  // all-unauthenticated (mesh/linkerd.h).
  std::string linkerd_default_policy;
  // The namespace of objects without metadata.namespace (`--namespace`; kubectl's default, model/apply.h).
  std::string default_namespace = model::kDefaultNamespace;
  load::Limits limits;
  // Accept an input without any Kubernetes object (`--allow-empty`); otherwise it is an input error, since
  // an empty directory, a docs folder or a failed `helm template` would otherwise pass as "clean".
  bool allow_empty = false;
  unsigned threads = 0;   // 0: hardware concurrency
  bool progress = false;  // progress lines on stderr (only when it is a terminal)
  // `--exclude GLOB`: entries of the directories given that are not read (load::Loader::set_exclude).
  std::vector<std::string> exclude;
  // A file that cannot be read or parsed is left out and reported (Input::skipped) while the rest is
  // analyzed (`check` and `report`: a repository's own broken test fixture must not hide every finding);
  // otherwise it stops the run. Either way the exit code is 2.
  bool keep_going = false;
};

// Holds everything read. Not movable: the mesh points into the resources.
struct Input {
  SourceSet sources;
  // The objects as the cluster would hold them after `kubectl apply` of the input in order: everything read
  // except what Istio's admission rejects (model/admission.h) and the copies a later one replaced
  // (model/apply.h), plus every diagnostic, override and note of the input.
  model::ResourceSet resources;
  // The objects admission rejects: reported by invalid-resource, seen by nothing else.
  model::ResourceSet rejected;
  // The earlier copies of objects given more than once: reported by duplicate-resource, seen by nothing else.
  model::ResourceSet overridden;
  mesh::Mesh mesh;
  std::vector<load::LoadError> errors;  // non-empty: the input could not be read (exit code 2)
  // With keep_going: the errors of the files left out (none of their documents is analyzed); the rest was
  // analyzed, and the run still ends with exit code 2.
  std::vector<load::LoadError> skipped;
  std::vector<load::LoadNote> notes;
  // Objects whose policy meshproof does not model (model/not_analyzed.h): the documents in input order, then
  // the workloads Linkerd serves; every output lists them, and without an Istio policy the exit code is 2.
  std::vector<model::NotAnalyzed> not_analyzed;
  // Linkerd's inbound policy objects Linkerd's admission admits (model/linkerd_policy.h; the rejected ones are
  // reported through resources.diagnostics); lowered on demand for Linkerd-served workloads (ir/lower_linkerd.h).
  std::shared_ptr<const model::LinkerdPolicySet> linkerd;
  // InputOptions::linkerd_default_policy: the install value the Linkerd lowering assumes ("" = Linkerd's).
  std::string linkerd_default_policy;
  // The L3/L4 layer's objects (model/network_policy.h), read with the rest; the ones the API server rejects are
  // kept with valid false and reported through resources.diagnostics.
  std::shared_ptr<const model::NetworkPolicySet> network_policies;
  PhaseStats stats;

  Input() = default;
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
};

std::unique_ptr<Input> load_input(const InputOptions& options);

// The four steps of load_input, in this order, for benchmarks that time them one by one
// (bench/phase_bench.cpp). Each sets its PhaseStats time.
void load_files(const InputOptions& options, Input& input);     // read, parse, type (parallel), namespace
void validate_input(Input& input);                              // model::validate_all, and the counts
void admit_input(Input& input);                                 // rejected and overridden objects out
void resolve_input(const InputOptions& options, Input& input);  // mesh::resolve

// Peak resident set size of this process so far, in KiB (getrusage; 0 where it is not available).
size_t peak_rss_kb();

}  // namespace meshproof::app
