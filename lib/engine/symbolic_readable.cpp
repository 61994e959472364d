#include "engine/symbolic_readable.h"

#include "ir/path.h"

namespace meshproof::engine::detail {

namespace {

// Plausible values, most natural first. Methods are Envoy's usual ones; the rest say "any" so that a
// reader sees the value was free to choose.
std::vector<std::string> generic_candidates(ir::Attribute attr) {
  using A = ir::Attribute;
  switch (attr) {
    case A::PeerTrustDomain:
      return {"cluster.local", "any-trust-domain"};
    case A::PeerNamespace:
      return {"any-namespace"};
    case A::PeerServiceAccount:
      return {"any-sa"};
    case A::Method:
      return {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
    case A::Path:
      return {"/", "/any-path"};
    case A::Host:
    case A::ConnectionSni:
      return {"any-host.example.com"};
    case A::AuthIssuer:
      return {"https://any-issuer.example.com"};
    case A::AuthSubject:
      return {"any-subject"};
    default:
      return {"any-value"};
  }
}

// A value a true prefix or suffix atom asks for, completed readably ("/api/" → "/api/any-path").
std::vector<std::string> derived_candidates(ir::Attribute attr, const std::vector<StrAtom>& atoms,
                                            const StrAssignment& assignment) {
  const std::string filler = attr == ir::Attribute::Path ? "any-path" : "any";
  std::vector<std::string> out;
  for (size_t i = 0; i < atoms.size(); ++i) {
    if (!assignment.atom_true[i]) continue;
    if (atoms[i].op == StrOp::Prefix) out.push_back(atoms[i].value + filler);
    if (atoms[i].op == StrOp::Suffix) out.push_back((attr == ir::Attribute::Path ? "/" : "") + filler + atoms[i].value);
  }
  return out;
}

// A path value must be one Envoy's normalization leaves as it is, whatever the mesh's mode, so that the
// witness replays as sent (ir/path.h; the engine's path values are such paths).
bool normalized(const std::string& path) {
  for (ir::PathNormalization mode : {ir::PathNormalization::None, ir::PathNormalization::Base,
                                     ir::PathNormalization::MergeSlashes, ir::PathNormalization::DecodeAndMergeSlashes})
    if (!ir::is_normalized_path(path, mode)) return false;
  return true;
}

}  // namespace

std::optional<std::string> readable_value(ir::Attribute attr, const std::vector<StrAtom>& atoms,
                                          const StrAssignment& assignment, const StrDomain& domain) {
  if (!assignment.defined || assignment.atom_true.size() != atoms.size()) return std::nullopt;
  for (const auto& list : {generic_candidates(attr), derived_candidates(attr, atoms, assignment)})
    for (const std::string& v : list)
      if (string_value_realizes(atoms, assignment, domain, v) && (attr != ir::Attribute::Path || normalized(v)))
        return v;
  return std::nullopt;
}

std::optional<std::vector<std::string>> readable_set(const std::vector<StrAtom>& atoms, const StrAssignment& assignment,
                                                     const StrDomain& domain) {
  if (!assignment.defined || assignment.atom_true.size() != atoms.size()) return std::nullopt;
  std::vector<std::string> one{"any-value"};
  if (set_value_realizes(atoms, assignment, domain, one)) return one;
  return std::nullopt;
}

}  // namespace meshproof::engine::detail
