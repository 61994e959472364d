// Turns documents into typed resources. Wrong types and malformed values are Diagnostics with the
// location, never exceptions.
#pragma once

#include "base/location.h"
#include "load/loader.h"
#include "load/node.h"
#include "model/resources.h"

namespace meshproof::model {

// What parsing may use besides the document itself. Both are optional.
struct ParseContext {
  // Reads source lines, so that the mesh config embedded as text in a ConfigMap (`data.mesh: |`) is
  // positioned exactly in its file. Without it the usual two-space indentation is assumed.
  const SourceSet* sources = nullptr;
  // Parses that embedded text. Without it a private loader with default limits is used.
  const load::Loader* loader = nullptr;
};

// Types one document and appends it (and any diagnostics) to `out`. A `kind: List` (or any `*List` with
// `items`) is expanded into its items. A document that is not a Kubernetes object is noted and skipped;
// an empty document is skipped silently. Kinds outside the model are skipped silently, except unknown or
// retired kinds of Istio's API groups, which are noted (docs/semantics.md §2). Objects without
// metadata.namespace get ns "" here; the input stage places them (model/apply.h place_in_namespace).
void add_document(const load::Document& doc, ResourceSet& out);
void add_document(const load::Document& doc, ResourceSet& out, const ParseContext& ctx);

// Default namespace for namespaced objects that do not name one (kubectl's default is "default").
inline constexpr const char* kDefaultNamespace = "default";

}  // namespace meshproof::model
