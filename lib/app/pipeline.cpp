#include "app/pipeline.h"

#include "model/network_policy.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "base/failpoint.h"
#include "base/parallel.h"
#include "model/admission.h"
#include "model/apply.h"
#include "model/linkerd_policy.h"
#include "model/parse.h"
#include "model/resource_merge.h"
#include "model/validate.h"

namespace meshproof::app {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// What one input file produced. Files are parsed in parallel and merged in input order, so the result
// does not depend on scheduling.
struct FileResult {
  model::ResourceSet resources;
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  std::vector<model::NotAnalyzed> not_analyzed;
  model::LinkerdPolicySet linkerd;
  model::NetworkPolicySet network_policies;
  size_t documents = 0;
  size_t objects = 0;
};

// A document that is a Kubernetes object of any kind, or a List of them: a map with apiVersion and kind.
bool is_kubernetes_object(const load::Document& doc) {
  return doc.root.is_map() && doc.root.find("apiVersion") && doc.root.find("kind");
}

// No Kubernetes object in what was read: an input error unless --allow-empty (InputOptions::allow_empty),
// never a clean pass. Not when reading already failed (that error says why). A pipe that delivers nothing
// usually means the command before it failed.
void require_objects(const InputOptions& options, const std::vector<load::InputFile>& files, Input& input) {
  if (input.stats.objects == 0 && !input.skipped.empty()) {
    // Every readable file was empty or unreadable: nothing is left to analyze, so the errors stop the run.
    for (auto& e : input.skipped) input.errors.push_back(std::move(e));
    input.skipped.clear();
  }
  if (options.allow_empty || !input.errors.empty() || input.stats.objects > 0) return;
  const char* allow = "; pass --allow-empty to accept an input without objects";
  if (files.size() == 1 && files[0].path == "-") {
    input.errors.push_back({Loc{files[0].file_id, 0, 0},
                            "no Kubernetes object in the input: standard input holds no document with apiVersion "
                            "and kind",
                            std::string("check that the command piped into meshproof succeeded and printed "
                                        "manifests") +
                                allow});
    return;
  }
  const std::string read =
      files.size() == 1 ? "the 1 file read holds" : "the " + std::to_string(files.size()) + " files read hold";
  input.errors.push_back({Loc{},
                          "no Kubernetes object in the input: " +
                              (files.empty() ? std::string("no YAML or JSON file was found in the paths given")
                                             : read + " no document with apiVersion and kind"),
                          std::string("point meshproof at the manifests (files or directories of YAML or JSON, or "
                                      "`-` for rendered Helm or Kustomize output)") +
                              allow});
}

// Linkerd's admission (model/linkerd_policy.h): what it rejects never exists; its diagnostics join the input's,
// so that invalid-resource reports them with file:line:col like Istio's.
void admit_linkerd(Input& input) {
  if (!input.linkerd) return;
  auto admitted = std::make_shared<model::LinkerdPolicySet>(*input.linkerd);
  model::take_rejected_linkerd(*admitted);
  for (model::Diagnostic& d : admitted->diagnostics) input.resources.diagnostics.push_back(std::move(d));
  admitted->diagnostics.clear();
  input.linkerd = std::move(admitted);
}

}  // namespace

std::unique_ptr<Input> load_input(const InputOptions& options) {
  auto input = std::make_unique<Input>();
  input->linkerd_default_policy = options.linkerd_default_policy;
  load_files(options, *input);
  validate_input(*input);
  admit_input(*input);
  resolve_input(options, *input);
  return input;
}

void load_files(const InputOptions& options, Input& input) {
  auto t0 = std::chrono::steady_clock::now();
  load::Loader loader(input.sources, options.limits);
  loader.set_exclude(options.exclude);
  std::vector<load::InputFile> files = loader.expand(options.paths, input.errors);
  input.stats.files = files.size();
  const bool progress = options.progress && isatty(STDERR_FILENO);

  std::vector<FileResult> results(files.size());
  // The source table is complete (expand registered every file) and only read from here on, so workers
  // may share it.
  const model::ParseContext parse_context{&input.sources, &loader};
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  parallel_for(files.size(), options.threads, [&](size_t i) {
    failpoint("load-worker");
    FileResult& r = results[i];
    loader.parse(
        files[i],
        [&](load::Document&& doc) {
          ++r.documents;
          if (is_kubernetes_object(doc)) ++r.objects;
          model::add_document(doc, r.resources, parse_context);
          model::find_not_analyzed(doc, r.not_analyzed);
          model::add_linkerd_document(doc, r.linkerd, options.default_namespace);
          model::add_network_policy_document(doc, r.network_policies, options.default_namespace);
        },
        r.errors, r.notes);
    size_t n = ++done;
    if (progress && (n % 64 == 0 || n == files.size())) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      std::fprintf(stderr, "\rmeshproof: loaded %zu/%zu files", n, files.size());
      if (n == files.size()) std::fputc('\n', stderr);
    }
  });
  auto linkerd = std::make_shared<model::LinkerdPolicySet>();
  auto network_policies = std::make_shared<model::NetworkPolicySet>();
  std::vector<model::ResourceSet*> kept;  // merged after the loop, each object moved once
  for (FileResult& r : results) {
    // A file that failed is left out whole: half a file's policies would be analyzed as if they were all.
    const bool leave_out = options.keep_going && !r.errors.empty();
    for (auto& e : r.errors) (leave_out ? input.skipped : input.errors).push_back(std::move(e));
    for (auto& n : r.notes) input.notes.push_back(std::move(n));
    if (leave_out) continue;
    input.stats.documents += r.documents;
    input.stats.objects += r.objects;
    kept.push_back(&r.resources);
    // With the parts of the L3/L4 layer's objects it does not model (Cilium L7 rules, toFQDNs, ...), in the
    // file's order.
    for (auto& n : r.network_policies.not_analyzed) r.not_analyzed.push_back(std::move(n));
    r.network_policies.not_analyzed.clear();
    for (auto& n : r.linkerd.not_analyzed) r.not_analyzed.push_back(std::move(n));
    r.linkerd.not_analyzed.clear();
    std::stable_sort(r.not_analyzed.begin(), r.not_analyzed.end(),
                     [](const model::NotAnalyzed& a, const model::NotAnalyzed& b) { return a.loc < b.loc; });
    for (auto& n : r.not_analyzed) input.not_analyzed.push_back(std::move(n));
    linkerd->merge(std::move(r.linkerd));
    network_policies->merge(std::move(r.network_policies));
  }
  model::merge_in_order(input.resources, kept);
  input.linkerd = std::move(linkerd);
  input.network_policies = std::move(network_policies);
  results.clear();
  require_objects(options, files, input);
  model::place_in_namespace(input.resources, options.default_namespace);
  input.stats.load_ms = ms_since(t0);
  input.stats.load_rss_kb = peak_rss_kb();
}

void validate_input(Input& input) {
  auto t1 = std::chrono::steady_clock::now();
  model::validate_all(input.resources);
  // The L3/L4 layer's objects live outside the ResourceSet (model/network_policy.h); what the API server
  // rejects of them is reported with the rest (invalid-resource).
  if (input.network_policies)
    for (const model::Diagnostic& d : input.network_policies->diagnostics) input.resources.diagnostics.push_back(d);
  // Counted here, before admission takes rejected objects out: the summary says what was read.
  const model::ResourceSet& rs = input.resources;
  // Linkerd's policy objects are analyzed too (checks/linkerd_rules.h): a tree of Linkerd policy alone is
  // not "nothing analyzed".
  input.stats.policies = rs.authorization_policies.size() + rs.peer_authentications.size() +
                         rs.request_authentications.size() + (input.linkerd ? input.linkerd->object_count() : 0);
  input.stats.resources = model::object_count(rs);
  input.stats.validate_ms = ms_since(t1);
}

// Applying the input in order: what the API server rejects never exists, and of the admitted copies of an
// object the last one is in force (so a rejected later copy replaces nothing).
void admit_input(Input& input) {
  input.rejected = model::take_rejected(input.resources);
  input.overridden = model::take_overridden(input.resources);
  admit_linkerd(input);
}

void resolve_input(const InputOptions& options, Input& input) {
  auto t2 = std::chrono::steady_clock::now();
  mesh::ResolveOptions ro;
  ro.root_namespace = options.root_namespace;
  ro.assumed_data_plane = options.assumed_data_plane;
  input.mesh = mesh::resolve(input.resources, ro);
  input.stats.resolve_ms = ms_since(t2);
  input.stats.workloads = input.mesh.workloads.size();
  input.stats.classes = input.mesh.classes.size();
  input.stats.resolve_rss_kb = peak_rss_kb();
}

size_t peak_rss_kb() {
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return static_cast<size_t>(ru.ru_maxrss);  // Linux: KiB
}

}  // namespace meshproof::app
