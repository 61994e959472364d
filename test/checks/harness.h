// Runs checks end to end on fixture files: load → model → validate → mesh (app::load_input), an optional
// profile read into the same SourceSet (so that exception positions are valid in findings), regulated
// namespaces, run_checks.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "checks/assertions.h"
#include "checks/run.h"
#include "test_support.h"

namespace meshproof::test {

inline const char* const kFixtureToday = "2026-06-01";

struct CheckRun {
  std::unique_ptr<app::Input> input;
  profile::Profile profile = profile::default_profile();
  checks::Options options;
  std::vector<std::string> regulated;
  std::vector<Finding> findings;

  std::vector<const Finding*> of(const std::string& check) const {
    std::vector<const Finding*> out;
    for (const Finding& f : findings)
      if (f.check == check) out.push_back(&f);
    return out;
  }
  // The findings of `check` whose property `key` equals `value`.
  std::vector<const Finding*> where(const std::string& check, const std::string& key, const std::string& value) const {
    std::vector<const Finding*> out;
    for (const Finding* f : of(check)) {
      auto it = f->properties.find(key);
      if (it != f->properties.end() && it->second == value) out.push_back(f);
    }
    return out;
  }
  std::string where_is(const Finding& f) const { return input->sources.describe(f.loc); }
  std::string dump() const {
    std::string s;
    for (const Finding& f : findings)
      s += "\n  " + where_is(f) + ": " + to_string(f.severity) + " [" + f.check + "] " + f.message +
           (f.suppression.empty() ? "" : "  {" + f.suppression + "}");
    return s;
  }
};

struct RunOptions {
  RunOptions(std::string profile = "", std::vector<std::string> only_checks = {},
             std::vector<std::string> regulated = {})
      : profile_path(std::move(profile)), only(std::move(only_checks)), cli_regulated(std::move(regulated)) {}
  std::string profile_path;                 // "" = built-in default profile
  std::string assertions_path;              // "" = no `--assert` file (checks/assertions.h)
  std::vector<std::string> only;
  std::vector<std::string> cli_regulated;
  std::vector<std::string> cli_selectors;
  std::string today = kFixtureToday;
};

inline std::unique_ptr<CheckRun> run_checks_on(const std::vector<std::string>& paths, const RunOptions& o = {}) {
  auto r = std::make_unique<CheckRun>();
  r->input = load_paths(paths);
  REQUIRE(r->input);
  for (const auto& e : r->input->errors) FAIL_CHECK("load error: " << r->input->sources.describe(e.loc) << ": " << e.message);
  if (!o.profile_path.empty()) {
    std::vector<profile::ProfileError> errors;
    auto p = profile::load_profile(o.profile_path, r->input->sources, errors);
    for (const auto& e : errors) FAIL_CHECK("profile error: " << r->input->sources.describe(e.loc) << ": " << e.message);
    REQUIRE(p.has_value());
    r->profile = std::move(*p);
  }
  r->options.today = o.today;
  if (!o.assertions_path.empty()) {
    std::vector<checks::AssertionError> errors;
    auto set = checks::load_assertions(o.assertions_path, r->input->sources, errors);
    if (set) checks::resolve_assertions(*set, r->input->mesh, errors);
    for (const auto& e : errors) FAIL_CHECK("assertions error: " << r->input->sources.describe(e.loc) << ": " << e.message);
    REQUIRE(set.has_value());
    r->options.assertions = std::make_shared<checks::AssertionSet>(std::move(*set));
  }
  r->regulated = checks::regulated_namespaces(r->input->mesh, r->profile, o.cli_regulated, o.cli_selectors);
  checks::Context ctx{r->input->sources, r->input->resources, r->input->mesh, r->profile, r->options, r->regulated};
  r->findings = checks::run_checks(ctx, o.only);
  return r;
}

// The 1-based line of the `nth` line of `path` that contains `needle` (0 when there is none), so that
// tests name positions by content instead of by counting lines.
inline uint32_t line_of(const std::string& path, const std::string& needle, int nth = 1) {
  std::ifstream in(path);
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos && --nth == 0) return n;
  return 0;
}

// Writes `text` to a fresh temporary file (profiles written inline by a test) and returns its path.
inline std::string write_temp(const std::string& text, const std::string& name) {
  static int counter = 0;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("meshproof-checks-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path file = dir / (std::to_string(counter++) + "-" + name);
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

inline std::unique_ptr<CheckRun> run_fixture(const std::string& rel, const RunOptions& o = {}) {
  return run_checks_on({fixture(rel)}, o);
}

}  // namespace meshproof::test
