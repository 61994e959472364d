#include "app/config_file.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "base/text.h"

namespace meshproof::app {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kKeys = {"profile",  "regulated", "regulated-selector", "fail-on",
                                        "baseline", "exclude",   "data-plane",         "linkerd-default-policy"};

std::string nearest_key(const std::string& key) {
  std::string best;
  size_t best_distance = 4;
  for (const std::string& k : kKeys)
    if (const size_t d = edit_distance(key, k); d < best_distance) best = k, best_distance = d;
  return best;
}

// A path written in the config file, relative to the file's directory unless absolute.
std::string relative_to(const std::string& config_path, const std::string& value) {
  if (value.empty() || fs::path(value).is_absolute()) return value;
  return (fs::path(config_path).parent_path() / value).lexically_normal().string();
}

// A profile is a name (no '/', no .yaml/.yml ending) or a path.
bool names_a_file(const std::string& profile) {
  auto ends = [&](const std::string& e) { return profile.size() > e.size() && profile.ends_with(e); };
  return profile.find('/') != std::string::npos || ends(".yaml") || ends(".yml");
}

class Reader {
 public:
  Reader(const std::string& path, std::vector<load::LoadError>& errors) : path_(path), errors_(errors) {}

  std::string scalar(const load::MapEntry& e, const std::vector<std::string>& allowed = {}) {
    if (!e.value.is_scalar())
      return fail(e.value.loc, "'" + e.key + "' expects a string, found " + e.value.type_name());
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), e.value.scalar) == allowed.end())
      return fail(e.value.loc, "'" + e.key + "' is one of " + join(allowed, ", ") + ", not '" + e.value.scalar + "'");
    return e.value.scalar;
  }

  std::vector<std::string> list(const load::MapEntry& e) {
    if (e.value.is_scalar()) return {e.value.scalar};
    std::vector<std::string> out;
    if (!e.value.is_seq()) return fail(e.value.loc, "'" + e.key + "' expects a list of strings"), out;
    for (const load::Node& item : e.value.items) {
      if (item.is_scalar())
        out.push_back(item.scalar);
      else
        fail(item.loc, "'" + e.key + "' expects a list of strings, found a " + std::string(item.type_name()));
    }
    return out;
  }

  std::string fail(const Loc& loc, const std::string& message, const std::string& help = "") {
    errors_.push_back({loc, "config file: " + message,
                       help.empty() ? "see docs/output.md (Config file) for the keys and their values" : help});
    return "";
  }

 private:
  std::string path_;
  std::vector<load::LoadError>& errors_;
};

void read_entry(const load::MapEntry& e, ConfigFile& c, Reader& r) {
  if (e.key == "profile") {
    c.profile = r.scalar(e);
    if (names_a_file(c.profile)) c.profile = relative_to(c.path, c.profile);
  } else if (e.key == "fail-on") {
    c.fail_on = r.scalar(e, {"error", "warning", "note", "never"});
  } else if (e.key == "baseline") {
    c.baseline = relative_to(c.path, r.scalar(e));
  } else if (e.key == "data-plane") {
    c.data_plane = r.scalar(e, {"sidecar", "ambient", "none"});
  } else if (e.key == "linkerd-default-policy") {
    c.linkerd_default_policy = r.scalar(e, {"all-unauthenticated", "all-authenticated", "cluster-unauthenticated",
                                            "cluster-authenticated", "deny", "audit"});
  } else if (e.key == "regulated") {
    c.regulated = r.list(e);
  } else if (e.key == "regulated-selector") {
    c.regulated_selectors = r.list(e);
  } else if (e.key == "exclude") {
    c.exclude = r.list(e);
  } else {
    const std::string guess = nearest_key(e.key);
    r.fail(e.key_loc, "unknown key '" + e.key + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"),
           "the keys are " + join(kKeys, ", ") + " (docs/output.md, Config file)");
  }
}

}  // namespace

std::string find_config_file(const std::string& start_dir) {
  std::error_code ec;
  for (fs::path dir = fs::path(start_dir).lexically_normal(); !dir.empty(); dir = dir.parent_path()) {
    const fs::path candidate = dir / kConfigFileName;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (dir == dir.root_path()) break;
  }
  return "";
}

std::optional<ConfigFile> read_config_file(const std::string& path, SourceSet& sources,
                                           std::vector<load::LoadError>& errors) {
  load::Loader loader(sources);
  const size_t before = errors.size();
  std::vector<load::InputFile> files = loader.expand({path}, errors);
  std::vector<load::Document> docs;
  std::vector<load::LoadNote> notes;
  for (const load::InputFile& f : files)
    loader.parse(
        f, [&](load::Document&& d) { docs.push_back(std::move(d)); }, errors, notes);
  if (errors.size() > before) return std::nullopt;
  ConfigFile c;
  c.path = path;
  Reader reader(path, errors);
  if (docs.size() != 1 || !docs[0].root.is_map()) {
    const Loc loc = docs.empty() ? Loc{files.empty() ? 0u : files[0].file_id, 0, 0} : docs[0].root.loc;
    reader.fail(loc, "expected one YAML map of settings (profile, regulated, fail-on, ...)");
    return std::nullopt;
  }
  for (const load::MapEntry& e : docs[0].root.entries) read_entry(e, c, reader);
  if (errors.size() > before) return std::nullopt;
  return c;
}

}  // namespace meshproof::app
