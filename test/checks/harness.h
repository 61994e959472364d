// Runs checks end to end on fixture files through the one analysis run (analysis::run): input, an optional
// profile and assertions file, regulated namespaces, the checks (without the annotation suppressions'
// effect being special: they are part of the run, as in `meshproof check`).
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "checks/assertions.h"
#include "checks/run.h"
#include "test_support.h"

namespace meshproof::test {

inline const char* const kFixtureToday = "2026-06-01";

struct CheckRun {
  std::unique_ptr<analysis::Analysis> analysis;
  const app::Input* input = nullptr;  // analysis->input
  const checks::Options* options = nullptr;
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
  std::string profile_path;     // "" = built-in default profile
  std::string assertions_path;  // "" = no `--assert` file (checks/assertions.h)
  std::vector<std::string> only;
  std::vector<std::string> cli_regulated;
  std::vector<std::string> cli_selectors;
  std::string today = kFixtureToday;
  unsigned query_timeout_ms = 0;  // 0: the analysis' default
};

inline std::unique_ptr<CheckRun> run_checks_on(const std::vector<std::string>& paths, const RunOptions& o = {}) {
  analysis::Options ao;
  ao.input.paths = paths;
  ao.profile_path = o.profile_path;
  ao.assertions_path = o.assertions_path;
  ao.only_checks = o.only;
  ao.regulated = o.cli_regulated;
  ao.regulated_selectors = o.cli_selectors;
  ao.today = o.today;
  if (o.query_timeout_ms != 0) ao.query_timeout_ms = o.query_timeout_ms;
  auto r = std::make_unique<CheckRun>();
  r->analysis = analysis::run(ao);
  REQUIRE(r->analysis->input);
  const app::Input& in = *r->analysis->input;
  for (const auto& e : in.errors) FAIL_CHECK("load error: " << in.sources.describe(e.loc) << ": " << e.message);
  for (const auto& p : r->analysis->problems)
    FAIL_CHECK("error: " << (p.loc.known() ? in.sources.describe(p.loc) + ": " : "") << p.message);
  REQUIRE_FALSE(r->analysis->failed());
  r->input = &in;
  r->options = &r->analysis->check_options;
  r->regulated = r->analysis->regulated;
  r->findings = r->analysis->findings;
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
