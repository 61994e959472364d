// Reads files, directories and stdin into a stream of documents, one at a time, with source positions
// and hard limits on size, depth and alias expansion (DESIGN.md §1, §8).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/location.h"
#include "load/node.h"

namespace meshproof::load {

struct Limits {
  size_t max_file_bytes = 64u << 20;         // a larger file is refused, not read
  uint32_t max_depth = 100;                  // nesting of maps and sequences
  size_t max_nodes_per_document = 1u << 20;  // counts alias expansions, so alias bombs stop here
};

// A problem that makes (part of) an input unreadable. Reported as file:line:col, exit code 2.
struct LoadError {
  Loc loc;
  std::string message;
  std::string help;
};

// A remark that does not fail the run (a skipped non-Kubernetes document, an empty input file).
struct LoadNote {
  Loc loc;
  std::string message;
};

// One input, registered in the SourceSet before parsing so that file ids are stable and parsing can run
// in parallel.
struct InputFile {
  uint32_t file_id = 0;
  std::string path;  // "-" for stdin
};

class Loader {
 public:
  Loader(SourceSet& sources, Limits limits = {}) : sources_(sources), limits_(limits) {}

  // Expands PATHS: a file as given; a directory recursively (.yaml, .yml, .json; hidden entries and
  // entries matching an exclude pattern skipped; sorted by path for determinism); "-" reads stdin once,
  // eagerly. Missing paths become errors.
  std::vector<InputFile> expand(const std::vector<std::string>& paths, std::vector<LoadError>& errors);

  // `--exclude GLOB` (fnmatch, `*` also matches '/'): an entry met while walking a directory is skipped
  // when the pattern matches its path relative to that directory, or, for a pattern without '/', its name.
  void set_exclude(std::vector<std::string> patterns) { exclude_ = std::move(patterns); }

  // Parses one input and calls `sink` for every document as soon as it is complete, so that at most one
  // document tree per input is alive at a time. Thread-safe for distinct inputs.
  // Returns false if the input could not be read completely (errors were appended).
  bool parse(const InputFile& in, const std::function<void(Document&&)>& sink, std::vector<LoadError>& errors,
             std::vector<LoadNote>& notes) const;

  // Parses text directly (tests, embedded values such as the mesh config inside a ConfigMap). Positions
  // are shifted by line_offset lines and col_offset columns (the indentation of an embedded block).
  bool parse_text(uint32_t file_id, const std::string& text, const std::function<void(Document&&)>& sink,
                  std::vector<LoadError>& errors, std::vector<LoadNote>& notes, uint32_t line_offset = 0,
                  uint32_t col_offset = 0) const;

  const Limits& limits() const { return limits_; }

 private:
  SourceSet& sources_;
  Limits limits_;
  std::vector<std::string> exclude_;
};

}  // namespace meshproof::load
