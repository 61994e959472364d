// Compliance profiles: reading rules/*.yaml (through load::Loader, so every error has file:line:col),
// the built-in default, and the two questions checks ask of a profile (is a namespace regulated; is a
// finding covered by an approved exception). Schema: docs/profiles.md.
#include "profile/profile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <string_view>

#include "base/text.h"
#include "load/loader.h"

namespace meshproof::profile {

// ---------------------------------------------------------------------------------------------------
// Matching

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

}  // namespace

bool Exception::matches(const std::string& finding_check, const ResourceRef& r,
                        std::optional<uint32_t> finding_port) const {
  if (finding_check != check) return false;
  auto parts = split(resource, '/');
  std::string_view kind, ns, name;
  if (parts.size() == 3) {
    kind = parts[0], ns = parts[1], name = parts[2];
  } else if (parts.size() == 2) {
    ns = parts[0], name = parts[1];
  } else {
    return false;  // rejected at load time; a hand-built profile may still hold one
  }
  // Kinds compare case-insensitively because kubectl users write "deployment/payments/api".
  if (!kind.empty() && !iequals(kind, r.kind)) return false;
  if (ns != r.ns) return false;
  if (name != "*" && name != r.name) return false;
  // An exception without a port covers every port of the resource; one with a port covers only
  // findings about that port.
  if (port && (!finding_port || *finding_port != *port)) return false;
  return true;
}

bool Exception::expired_on(const std::string& today) const {
  // YYYY-MM-DD strings order like the dates they name. `expires` is the last day it still applies.
  return !expires.empty() && !today.empty() && today > expires;
}

std::string Exception::describe() const {
  std::string out = check + " on " + resource;
  if (port) out += " port " + std::to_string(*port);
  return out;
}

bool Profile::is_regulated(const mesh::NamespaceInfo& ns) const {
  if (std::find(regulated_names.begin(), regulated_names.end(), ns.name) != regulated_names.end()) return true;
  for (const LabelSelector& sel : regulated_selectors) {
    bool all = true;
    for (const auto& [k, v] : sel.match_labels) {
      auto it = ns.labels.find(k);
      if (it == ns.labels.end() || it->second != v) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

const Exception* Profile::exception_for(const std::string& check, const ResourceRef& resource,
                                        std::optional<uint32_t> port, const std::string& today) const {
  for (const Exception& e : exceptions)
    if (e.matches(check, resource, port) && !e.expired_on(today)) return &e;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------------
// Validation helpers shared with tests and the checks layer

bool is_valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  int year = std::stoi(s.substr(0, 4));
  int month = std::stoi(s.substr(5, 2));
  int day = std::stoi(s.substr(8, 2));
  if (year < 1970 || month < 1 || month > 12 || day < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max_day;
}

namespace {

// DNS-1123 label: what Kubernetes accepts as a namespace name.
bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
      return false;
  return s.front() != '-' && s.back() != '-';
}

bool is_check_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
      return false;
  return std::islower(static_cast<unsigned char>(s.front())) && s.back() != '-';
}

// Why a resource pattern is malformed, or "" when it is fine.
std::string resource_pattern_problem(const std::string& pattern) {
  auto parts = split(pattern, '/');
  if (parts.size() != 2 && parts.size() != 3) return "expected \"NAMESPACE/NAME\" or \"KIND/NAMESPACE/NAME\"";
  for (auto p : parts)
    if (p.empty()) return "expected \"NAMESPACE/NAME\" or \"KIND/NAMESPACE/NAME\" with no empty part";
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    if (parts[i].find('*') != std::string_view::npos)
      return "a wildcard is allowed only as the whole NAME (\"payments/*\"); namespaces and kinds are "
             "written out so that an exception never widens by accident";
  std::string_view name = parts.back();
  if (name != "*" && name.find('*') != std::string_view::npos)
    return "\"*\" matches only as the whole NAME (\"payments/*\"); partial wildcards such as \"" + std::string(name) +
           "\" are not supported";
  return "";
}

// Reads one profile document. Every error names the offending key or value by its position; reading
// continues after an error so that one run reports every problem in the file.
class Reader {
 public:
  explicit Reader(std::vector<ProfileError>& errors) : errors_(errors) {}

  void error(Loc loc, std::string message) { errors_.push_back(ProfileError{loc, std::move(message)}); }

  // Rejects keys outside `allowed` (with a suggestion for a near miss) and returns false if any.
  bool known_keys(const load::Node& map, const std::vector<std::string>& allowed, const char* what) {
    bool ok = true;
    for (const load::MapEntry& e : map.entries) {
      if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
      std::string msg = "unknown key '" + e.key + "' in " + what;
      std::string best;
      size_t best_d = 3;
      for (const auto& a : allowed) {
        size_t d = edit_distance(e.key, a);
        if (d < best_d) best_d = d, best = a;
      }
      if (!best.empty()) msg += "; did you mean '" + best + "'?";
      msg += " (expected one of: " + join(allowed) + ")";
      error(e.key_loc, std::move(msg));
      ok = false;
    }
    return ok;
  }

  bool expect_map(const load::Node& n, const char* what) {
    if (n.is_map()) return true;
    error(n.loc, std::string(what) + ": expected a map, found " + n.type_name());
    return false;
  }
  bool expect_seq(const load::Node& n, const char* what) {
    if (n.is_seq()) return true;
    std::string msg = std::string(what) + ": expected a list, found " + n.type_name();
    if (n.is_scalar()) msg += " (write a one-item list as [" + n.scalar + "])";
    error(n.loc, std::move(msg));
    return false;
  }

  // Any non-null scalar is read as the text written, so that `id: 4.2` or `regulated: true` mean what
  // they look like; lists, maps and empty values are errors.
  std::optional<std::string> string_value(const load::Node& n, const char* what) {
    if (n.is_scalar()) return n.scalar;
    error(n.loc, std::string(what) + ": expected a string, found " + n.type_name());
    return std::nullopt;
  }

  std::optional<std::string> nonempty_string(const load::Node& n, const char* what) {
    auto s = string_value(n, what);
    if (!s) return s;
    if (std::all_of(s->begin(), s->end(), [](unsigned char c) { return std::isspace(c); })) {
      error(n.loc, std::string(what) + " must not be empty");
      return std::nullopt;
    }
    return s;
  }

  std::vector<std::string> string_list(const load::Node& n, const char* what) {
    std::vector<std::string> out;
    if (!expect_seq(n, what)) return out;
    for (const load::Node& item : n.items)
      if (auto s = nonempty_string(item, what)) out.push_back(*s);
    return out;
  }

  void required(const load::Node& map, const char* key, const char* what, const char* why) {
    if (map.find(key)) return;
    std::string msg = std::string(what) + " is missing '" + key + "'";
    if (why && *why) msg += ": " + std::string(why);
    error(map.loc, std::move(msg));
  }

  void read(const load::Node& root, Profile& p) {
    if (!root.is_map()) {
      error(root.loc, std::string("a profile is a map with keys name, title, namespaces, regulated, controls, "
                                  "severity, exceptions; found ") +
                          root.type_name());
      return;
    }
    known_keys(root, {"name", "title", "namespaces", "regulated", "controls", "severity", "exceptions"}, "the profile");
    required(root, "name", "the profile", "name the profile (e.g. name: hipaa)");
    if (const load::Node* n = root.find("name")) {
      if (auto s = nonempty_string(*n, "name")) {
        if (!is_check_name(*s))
          error(n->loc, "profile name '" + *s + "' must be lowercase letters, digits and '-'");
        else
          p.name = *s;
      }
    }
    if (const load::Node* n = root.find("title"))
      if (auto s = string_value(*n, "title")) p.title = *s;
    if (const load::Node* n = root.find("namespaces")) read_namespaces(*n, p);
    if (const load::Node* n = root.find("regulated")) read_regulated(*n, p);
    if (const load::Node* n = root.find("controls")) read_controls(*n, p);
    if (const load::Node* n = root.find("severity")) read_severity(*n, p);
    if (const load::Node* n = root.find("exceptions")) read_exceptions(*n, p);
  }

  // `namespaces: complete` says the input declares every namespace of the cluster (docs/profiles.md).
  void read_namespaces(const load::Node& n, Profile& p) {
    if (!n.is_scalar()) {
      error(n.loc, std::string("namespaces: expected complete or partial, found ") + n.type_name() +
                       " (regulated namespaces are listed under regulated.namespaces)");
      return;
    }
    const std::optional<std::string> s = n.scalar;
    if (*s == "complete" || *s == "partial")
      p.namespaces_complete = *s == "complete";
    else
      error(n.loc, "namespaces: unknown value '" + *s + "' (expected complete or partial)");
  }

  void read_regulated(const load::Node& n, Profile& p) {
    if (n.is_null()) return;  // `regulated:` with nothing under it: no namespace is regulated
    if (!expect_map(n, "regulated")) return;
    known_keys(n, {"namespaces", "selectors"}, "regulated");
    if (const load::Node* names = n.find("namespaces")) {
      if (expect_seq(*names, "regulated.namespaces")) {
        for (const load::Node& item : names->items) {
          auto s = nonempty_string(item, "regulated.namespaces");
          if (!s) continue;
          if (!is_dns_label(*s)) {
            error(item.loc, "'" + *s +
                                "' is not a valid namespace name (lowercase letters, digits and '-', "
                                "at most 63 characters)");
            continue;
          }
          if (std::find(p.regulated_names.begin(), p.regulated_names.end(), *s) == p.regulated_names.end())
            p.regulated_names.push_back(*s);
        }
      }
    }
    if (const load::Node* sels = n.find("selectors")) {
      if (expect_seq(*sels, "regulated.selectors")) {
        for (const load::Node& item : sels->items) {
          if (!expect_map(item, "regulated.selectors[]")) continue;
          known_keys(item, {"matchLabels"}, "a namespace selector (only matchLabels is supported)");
          const load::Node* ml = item.find("matchLabels");
          if (!ml) {
            error(item.loc, "a namespace selector is missing 'matchLabels'");
            continue;
          }
          if (!expect_map(*ml, "matchLabels")) continue;
          LabelSelector sel;
          sel.loc = item.loc;
          for (const load::MapEntry& e : ml->entries) {
            if (e.key.empty()) {
              error(e.key_loc, "a label key must not be empty");
              continue;
            }
            if (auto v = string_value(e.value, "a label value")) sel.match_labels[e.key] = *v;
          }
          p.regulated_selectors.push_back(std::move(sel));
        }
      }
    }
  }

  void read_controls(const load::Node& n, Profile& p) {
    if (n.is_null()) return;
    if (!expect_seq(n, "controls")) return;
    std::set<std::string> seen;
    for (const load::Node& item : n.items) {
      if (!expect_map(item, "controls[]")) continue;
      known_keys(item, {"id", "title", "reference", "checks"}, "a control");
      required(item, "id", "a control", "");
      required(item, "title", "a control", "");
      Control c;
      c.loc = item.loc;
      if (const load::Node* v = item.find("id")) {
        if (auto s = nonempty_string(*v, "control id")) {
          c.id = *s;
          if (!seen.insert(c.id).second) error(v->loc, "duplicate control id '" + c.id + "'");
        }
      }
      if (const load::Node* v = item.find("title"))
        if (auto s = nonempty_string(*v, "control title")) c.title = *s;
      if (const load::Node* v = item.find("reference"))
        if (auto s = string_value(*v, "control reference")) c.reference = *s;
      if (const load::Node* v = item.find("checks")) {
        if (expect_seq(*v, "control checks")) {
          for (const load::Node& ck : v->items) {
            auto s = nonempty_string(ck, "control checks");
            if (!s) continue;
            if (!is_check_name(*s)) {
              error(ck.loc, "'" + *s + "' is not a check name (checks are kebab-case, e.g. mtls-not-strict)");
              continue;
            }
            c.checks.push_back(*s);
            c.check_locs.push_back(ck.loc);
          }
        }
      }
      p.controls.push_back(std::move(c));
    }
  }

  void read_severity(const load::Node& n, Profile& p) {
    if (n.is_null()) return;
    if (!expect_map(n, "severity")) return;
    for (const load::MapEntry& e : n.entries) {
      if (!is_check_name(e.key)) {
        error(e.key_loc, "'" + e.key + "' is not a check name (checks are kebab-case, e.g. mtls-not-strict)");
        continue;
      }
      auto s = string_value(e.value, "severity");
      if (!s) continue;
      auto sev = severity_from_string(*s);
      if (!sev) {
        error(e.value.loc,
              "unknown severity '" + *s + "' for check " + e.key + " (expected one of: error, warning, note)");
        continue;
      }
      p.severity_overrides[e.key] = *sev;
      p.severity_override_locs[e.key] = e.key_loc;
    }
  }

  void read_exceptions(const load::Node& n, Profile& p) {
    if (n.is_null()) return;
    if (!expect_seq(n, "exceptions")) return;
    for (const load::Node& item : n.items) {
      if (!expect_map(item, "exceptions[]")) continue;
      size_t errors_before = errors_.size();
      known_keys(item, {"check", "resource", "port", "justification", "approver", "expires"}, "an exception");
      required(item, "check", "an exception", "name the check it applies to");
      required(item, "resource", "an exception", "name the resource as NAMESPACE/NAME or KIND/NAMESPACE/NAME");
      required(item, "justification", "an exception",
               "every exception records why the deviation is acceptable; an unexplained exception is "
               "not evidence of anything");
      required(item, "approver", "an exception", "record who approved the deviation");
      Exception ex;
      ex.loc = item.loc;
      if (const load::Node* v = item.find("check")) {
        if (auto s = nonempty_string(*v, "exception check")) {
          if (!is_check_name(*s))
            error(v->loc, "'" + *s + "' is not a check name (checks are kebab-case, e.g. mtls-not-strict)");
          ex.check = *s;
          ex.check_loc = v->loc;
        }
      }
      if (const load::Node* v = item.find("resource")) {
        if (auto s = nonempty_string(*v, "exception resource")) {
          std::string problem = resource_pattern_problem(*s);
          if (!problem.empty()) error(v->loc, "bad resource '" + *s + "': " + problem);
          ex.resource = *s;
        }
      }
      if (const load::Node* v = item.find("port")) {
        if (!v->is_scalar() || v->scalar_type() != load::ScalarType::Int) {
          error(v->loc, std::string("exception port: expected an integer port (1-65535), found ") + v->type_name());
        } else {
          long long port = -1;
          try {
            port = std::stoll(v->scalar, nullptr, 0);
          } catch (...) {
          }
          if (port < 1 || port > 65535)
            error(v->loc, "exception port " + v->scalar + " is out of range (1-65535)");
          else
            ex.port = static_cast<uint32_t>(port);
        }
      }
      if (const load::Node* v = item.find("justification"))
        if (auto s = nonempty_string(*v, "exception justification")) ex.justification = *s;
      if (const load::Node* v = item.find("approver"))
        if (auto s = nonempty_string(*v, "exception approver")) ex.approver = *s;
      if (const load::Node* v = item.find("expires")) {
        if (auto s = string_value(*v, "exception expires")) {
          if (!is_valid_date(*s))
            error(v->loc, "bad date '" + *s + "' in expires: expected YYYY-MM-DD (a real calendar date)");
          else
            ex.expires = *s;
        }
      }
      if (errors_.size() == errors_before) p.exceptions.push_back(std::move(ex));
    }
  }

 private:
  std::vector<ProfileError>& errors_;
};

}  // namespace

std::optional<Profile> load_profile(const std::string& path, SourceSet& sources, std::vector<ProfileError>& errors) {
  size_t errors_before = errors.size();
  std::error_code ec;
  if (path != "-" && std::filesystem::is_directory(path, ec)) {
    errors.push_back(ProfileError{Loc{}, "profile " + path + " is a directory; name one YAML file"});
    return std::nullopt;
  }
  load::Loader loader(sources);
  std::vector<load::LoadError> load_errors;
  std::vector<load::LoadNote> notes;
  std::vector<load::InputFile> inputs = loader.expand({path}, load_errors);
  std::vector<load::Document> docs;
  for (const load::InputFile& in : inputs)
    loader.parse(
        in, [&](load::Document&& d) { docs.push_back(std::move(d)); }, load_errors, notes);
  for (const load::LoadError& e : load_errors)
    errors.push_back(ProfileError{e.loc, "cannot read profile " + path + ": " + e.message});
  if (errors.size() != errors_before) return std::nullopt;
  if (inputs.size() != 1) {
    errors.push_back(ProfileError{Loc{}, "profile " + path + " must be exactly one YAML file"});
    return std::nullopt;
  }

  Profile p;
  p.file = path;
  Reader reader(errors);
  // Empty documents (a lone `---`, comments only) carry no content; a profile is exactly one document.
  std::vector<const load::Document*> content;
  for (const load::Document& d : docs)
    if (!d.root.is_null()) content.push_back(&d);
  if (content.empty()) {
    reader.error(Loc{inputs[0].file_id, 0, 0}, "profile " + path + " is empty");
    return std::nullopt;
  }
  if (content.size() > 1) reader.error(content[1]->loc, "a profile is one YAML document; found a second document here");
  for (const load::DocumentProblem& prob : content[0]->problems) reader.error(prob.loc, prob.message);
  reader.read(content[0]->root, p);
  if (errors.size() != errors_before) return std::nullopt;
  return p;
}

Profile default_profile() {
  // Mirrors rules/default.yaml (a test loads that file and compares) so that the binary works without
  // the rules directory installed.
  Profile p;
  p.name = "default";
  p.title = "meshproof default profile";
  p.regulated_selectors.push_back(LabelSelector{{{"compliance.meshproof.dev/regulated", "true"}}, Loc{}});
  p.controls.push_back(Control{"mesh-transport",
                               "Service-to-service traffic in regulated namespaces is mutually "
                               "authenticated and encrypted",
                               "NIST SP 800-207 §2.1 tenet 2",
                               {"mtls-not-strict", "plaintext-hop"},
                               Loc{},
                               {}});
  p.controls.push_back(Control{
      "edge-transport",
      "Traffic from clients to the mesh's gateways is encrypted with strong TLS that the gateway terminates",
      "NIST SP 800-207 §2.1 tenet 2",
      {"gateway-plaintext-listener", "gateway-weak-tls", "gateway-tls-passthrough", "gateway-credential-missing"},
      Loc{},
      {}});
  p.controls.push_back(Control{"mesh-least-privilege",
                               "Regulated workloads deny every request that no policy allows",
                               "NIST SP 800-207 §2.1 tenets 3 and 6",
                               {"no-default-deny", "gateway-wildcard-host"},
                               Loc{},
                               {}});
  p.controls.push_back(Control{"config-integrity",
                               "Security configuration is accepted by Istio and takes effect as written",
                               "",
                               {"invalid-resource", "selector-matches-nothing", "expired-exception"},
                               Loc{},
                               {}});
  return p;
}

}  // namespace meshproof::profile
