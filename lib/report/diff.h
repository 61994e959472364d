// Renderers of `meshproof diff` (diff/diff.h, docs/diff.md): text, Markdown (a pull-request comment),
// JSON (schema meshproof.diff/v1) and SARIF 2.1.0. They read the result only.
#pragma once

#include <string>

#include "diff/diff.h"

namespace meshproof::report {

struct DiffHeader {
  std::string before, after;  // what the two sides are ("OLD", "git:main", ...)
  diff::Expectation expect = diff::Expectation::None;
  size_t max_classes_shown = 5;  // per workload; the rest is "and N more classes"
};

std::string format_diff_text(const diff::Result& r, const DiffHeader& h);
std::string format_diff_markdown(const diff::Result& r, const DiffHeader& h);
std::string format_diff_json(const diff::Result& r, const DiffHeader& h);
std::string format_diff_sarif(const diff::Result& r, const DiffHeader& h);

// One line about the claim of --expect: "proven: ..." or "not proven: N counterexamples" ("" without).
std::string expectation_line(const diff::Result& r, diff::Expectation e);
// "plaintext GET / to ns/w port 8080 (HTTP)": the witness of a class, in words.
std::string diff_witness_text(const diff::ClassChange& c);

}  // namespace meshproof::report
