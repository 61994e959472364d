// Source positions shared by every layer. A position names a file by index into a SourceSet so that
// millions of nodes do not each carry a copy of their file name.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace meshproof {

struct Loc {
  uint32_t file = 0;  // index into SourceSet::files(); 0 is "no file" (e.g. a synthesized value)
  uint32_t line = 0;  // 1-based; 0 means unknown
  uint32_t col = 0;   // 1-based; 0 means unknown

  bool known() const { return line != 0; }
  friend bool operator==(const Loc&, const Loc&) = default;
  friend auto operator<=>(const Loc&, const Loc&) = default;
};

struct SourceFile {
  std::string path;                         // as the user named it ("-" is shown as "<stdin>")
  std::string display_name;                 // what diagnostics print
  std::shared_ptr<const std::string> text;  // kept for stdin only; files are re-read for carets
};

// The table of input files. Index 0 is a placeholder for "no file".
class SourceSet {
 public:
  SourceSet() { files_.push_back(SourceFile{"", "<none>", nullptr}); }
  uint32_t add(SourceFile f) {
    files_.push_back(std::move(f));
    return static_cast<uint32_t>(files_.size() - 1);
  }
  const SourceFile& file(uint32_t i) const { return files_.at(i < files_.size() ? i : 0); }
  const std::vector<SourceFile>& files() const { return files_; }
  std::string describe(const Loc& l) const;  // "path:line:col" (or "path" when unknown)
  // Standard input rendered by `helm template`: its "# Source: chart/templates/x.yaml" lines as (line,
  // path) in line order, so that findings name the template rather than "<stdin>"; and the template a
  // position comes from ("" when none is known).
  void set_helm_sources(uint32_t file, std::vector<std::pair<uint32_t, std::string>> sources);
  std::string helm_source(const Loc& l) const;
  // The text of one line (1-based) of a file, or "" when it cannot be read. Used for carets.
  std::string line_text(const Loc& l) const;

 private:
  std::vector<SourceFile> files_;
  std::vector<std::vector<std::pair<uint32_t, std::string>>> helm_sources_;  // by file index, may be short
};

}  // namespace meshproof
