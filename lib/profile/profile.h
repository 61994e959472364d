// Compliance profiles (rules/*.yaml): which namespaces are regulated, which controls the checks give
// evidence for, severity overrides and exceptions. Schema: docs/profiles.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/finding.h"
#include "base/location.h"
#include "mesh/mesh.h"

namespace meshproof::profile {

struct LabelSelector {
  model::Labels match_labels;
  Loc loc;
};

struct Control {
  std::string id;                   // e.g. "164.312(e)(1)"
  std::string title;                // e.g. "Transmission security"
  std::string reference;            // e.g. "HIPAA Security Rule 45 CFR §164.312(e)(1)"
  std::vector<std::string> checks;  // check names that give evidence for it
  Loc loc;
  std::vector<Loc> check_locs;  // added (checks engineer): position of each entry of `checks`
};

// A documented, approved deviation. Matches findings by check, resource and (optionally) port.
struct Exception {
  std::string check;
  std::string resource;  // "NS/NAME" or "KIND/NS/NAME"; "*" in NAME matches any name
  std::optional<uint32_t> port;
  std::string justification;
  std::string approver;
  std::string expires;  // YYYY-MM-DD; "" = never (discouraged, reported as a note by reports)
  Loc loc;
  Loc check_loc;  // added (checks engineer): the `check:` value, for unknown-check errors

  // Added (checks engineer). Whether this exception is about (check, resource, port), ignoring expiry.
  // An exception without a port covers every port; one with a port covers only that port.
  bool matches(const std::string& check, const ResourceRef& resource, std::optional<uint32_t> port) const;
  // True when `today` (YYYY-MM-DD) is after `expires` (the last day the exception applies).
  bool expired_on(const std::string& today) const;
  std::string describe() const;  // "mtls-not-strict on payments/legacy port 5432"
};

struct Profile {
  std::string name = "default";
  std::string title;
  std::string file;  // path it was read from ("" for the built-in default)
  // `namespaces: complete`: the input declares every namespace of the cluster as a Namespace object, so a
  // reference to any other namespace is a mistake (selector-matches-nothing); otherwise such a reference
  // is an assumption (shown by `explain`), not a finding.
  bool namespaces_complete = false;
  std::vector<std::string> regulated_names;
  std::vector<LabelSelector> regulated_selectors;
  std::vector<Control> controls;
  std::map<std::string, Severity> severity_overrides;  // check name -> severity
  std::map<std::string, Loc> severity_override_locs;   // added (checks engineer): check name -> key position
  std::vector<Exception> exceptions;

  bool is_regulated(const mesh::NamespaceInfo& ns) const;
  // The exception that covers a finding about (check, workload/resource, port), if any and not expired
  // on `today` (YYYY-MM-DD).
  const Exception* exception_for(const std::string& check, const ResourceRef& resource, std::optional<uint32_t> port,
                                 const std::string& today) const;
};

struct ProfileError {
  Loc loc;
  std::string message;
};

// Reads a profile file. Errors carry file:line:col; on error the returned profile must not be used.
std::optional<Profile> load_profile(const std::string& path, SourceSet& sources, std::vector<ProfileError>& errors);

// Added (checks engineer): true when `s` is a real calendar date written YYYY-MM-DD.
bool is_valid_date(const std::string& s);

// The built-in default: namespaces labelled compliance.meshproof.dev/regulated: "true" (rules/default.yaml).
Profile default_profile();

}  // namespace meshproof::profile
