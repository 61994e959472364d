// Finding the workload a query or explanation is about: `NS/NAME` (a declared workload, or a synthetic one
// named `NS/selector:k=v,...` after the policy selector it stands for),
// or `NS/key=value,...` for a workload known only by its labels.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "mesh/mesh.h"
#include "model/resources.h"

namespace meshproof::mesh {

struct Target {
  const Workload* workload = nullptr;
  const Mesh* mesh = nullptr;  // the mesh `workload` belongs to
  std::string note;            // how a label query was resolved, for the output
  // Set when no existing workload carries the labels: the input plus one Pod with those labels,
  // resolved again so that every mesh rule (selectors, PeerAuthentication levels) applies unchanged.
  std::unique_ptr<model::ResourceSet> own_resources;
  std::unique_ptr<Mesh> own_mesh;
};

// Returns an error message (naming candidates) when the spec is malformed or names no workload.
std::optional<std::string> find_target(const std::string& spec, const model::ResourceSet& resources, const Mesh& mesh,
                                       const ResolveOptions& options, Target& out);

}  // namespace meshproof::mesh
