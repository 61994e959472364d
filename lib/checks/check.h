// One class per check, a registry, a doc page and a test fixture per check (clang-tidy's model).
// The kebab-case name is public API and never changes; the id is short and stable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/finding.h"
#include "mesh/mesh.h"
#include "model/resources.h"
#include "profile/profile.h"

namespace meshproof::checks {

struct CheckInfo {
  std::string name;         // "mtls-not-strict"
  std::string id;           // "MP1002"
  Severity severity;        // default severity
  std::string summary;      // one line, for SARIF shortDescription and --list-checks
  std::string description;  // a paragraph, for SARIF fullDescription
  std::string doc() const { return "docs/checks/" + name + ".md"; }
};

struct Options {
  std::string today;               // YYYY-MM-DD, for exception expiry
  unsigned query_timeout_ms = 2000;  // per symbolic query
};

struct Context {
  const SourceSet& sources;
  const model::ResourceSet& resources;
  const mesh::Mesh& mesh;
  const profile::Profile& profile;
  const Options& options;
  // Regulated namespaces resolved from the profile and the command line.
  std::vector<std::string> regulated;
  bool is_regulated(const std::string& ns) const;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual const CheckInfo& info() const = 0;
  virtual void run(const Context& ctx, std::vector<Finding>& out) const = 0;
  // The resources this check examined, so that reports can list what passed (JUnit test cases, auditor
  // evidence). Default: every AuthorizationPolicy, PeerAuthentication and RequestAuthentication.
  virtual std::vector<ResourceRef> subjects(const Context& ctx) const;

 protected:
  // A finding prefilled with this check's name, id, severity and a fingerprint built from `key`.
  Finding make(const ResourceRef& resource, Loc loc, std::string message, std::string help,
               const std::string& key) const;
};

// Every check, in a fixed order. registry.cpp lists them explicitly (static registration would be
// dropped by the linker from a static library).
const std::vector<std::unique_ptr<Check>>& all_checks();
const Check* find_check(const std::string& name);

}  // namespace meshproof::checks
