// The pieces every typed resource shares: positioned strings, labels, object metadata, ResourceBase. Split
// from model/resources.h so that kinds in headers of their own (model/gateway_api.h) can use them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/finding.h"
#include "base/location.h"

namespace meshproof::model {

// A string value with its position.
struct Str {
  std::string value;
  Loc loc;
};

// A list field of strings. `present` distinguishes `field: []` from an absent field (Istio treats some
// explicitly empty lists differently, istio-semantics.md §3).
struct StrList {
  std::vector<Str> items;
  bool present = false;
  Loc loc;  // the key
  bool empty() const { return items.empty(); }
};

using Labels = std::map<std::string, std::string>;

struct ObjectMeta {
  std::string name;
  // The namespace the object lives in. Empty for cluster-scoped kinds (Namespace); for a namespaced object
  // without metadata.namespace, the input stage writes the default namespace here (model/apply.h).
  std::string ns;
  bool ns_defaulted = false;  // metadata.namespace was not written: `ns` is the default (--namespace)
  Labels labels;
  Labels annotations;
  std::string creation_timestamp;  // RFC 3339 as written; "" when absent (Go's zero time: older than any timestamp,
                                   // mesh::istio_older)
  Loc loc;                         // the `metadata` key
  Loc name_loc;
  Loc labels_loc;  // the `labels` key, when written
};

// What every resource shares.
struct ResourceBase {
  std::string api_version;
  std::string kind;
  ObjectMeta meta;
  Loc loc;                  // the document's first key
  std::string helm_source;  // "# Source:" comment of its document
  ResourceRef ref() const { return ResourceRef{kind, meta.ns, meta.name, loc, helm_source}; }
};

}  // namespace meshproof::model
