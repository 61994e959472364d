// The pipeline every command shares: load → model → validate → mesh, with per-phase timing. Lives in
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
#include "model/resources.h"
#include "profile/profile.h"

namespace meshproof::app {

struct PhaseStats {
  double load_ms = 0;     // read + parse YAML + type resources (parallel across files)
  double validate_ms = 0;
  double resolve_ms = 0;
  double lower_ms = 0;
  double analyze_ms = 0;
  double report_ms = 0;
  size_t files = 0, documents = 0, resources = 0, workloads = 0, classes = 0, policies = 0;
};

struct InputOptions {
  std::vector<std::string> paths;
  std::optional<std::string> root_namespace;
  load::Limits limits;
  unsigned threads = 0;  // 0: hardware concurrency
  bool progress = false; // progress lines on stderr (only when it is a terminal)
};

// Holds everything read. Not movable: the mesh points into the resources.
struct Input {
  SourceSet sources;
  model::ResourceSet resources;
  mesh::Mesh mesh;
  std::vector<load::LoadError> errors;  // non-empty: the input could not be read (exit code 2)
  std::vector<load::LoadNote> notes;
  PhaseStats stats;

  Input() = default;
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
};

std::unique_ptr<Input> load_input(const InputOptions& options);

}  // namespace meshproof::app
