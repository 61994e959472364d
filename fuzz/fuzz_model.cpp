// libFuzzer target: typing, validation and admission (lib/model) and the resolved world (lib/mesh) on
// one input, as `meshproof check` builds them before any analysis.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "load/loader.h"
#include "mesh/mesh.h"
#include "model/admission.h"
#include "model/apply.h"
#include "model/parse.h"
#include "model/validate.h"

using namespace meshproof;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SourceSet sources;
  auto text = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  uint32_t id = sources.add(SourceFile{"in.yaml", "in.yaml", text});
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  model::ResourceSet resources;
  const model::ParseContext context{&sources, &loader};
  loader.parse_text(
      id, *text, [&](load::Document&& doc) { model::add_document(doc, resources, context); }, errors, notes);
  if (!errors.empty()) return 0;  // the CLI stops here (exit 2)
  // The input stage's steps in its order (app/pipeline.cpp): namespace default, validation, admission,
  // then the last copy of each object in force.
  model::place_in_namespace(resources, "default");
  model::validate_all(resources);
  model::ResourceSet rejected = model::take_rejected(resources);
  model::ResourceSet overridden = model::take_overridden(resources);
  mesh::Mesh world = mesh::resolve(resources, mesh::ResolveOptions{});
  (void)world;
  return 0;
}
