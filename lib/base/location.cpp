#include "base/location.h"

#include <fstream>
#include <sstream>

#include "base/unicode.h"

namespace meshproof {

std::string SourceSet::describe(const Loc& l) const {
  const SourceFile& f = file(l.file);
  std::string out = f.display_name;
  if (l.known()) {
    out += ":" + std::to_string(l.line);
    if (l.col) out += ":" + std::to_string(l.col);
  }
  return out;
}

void SourceSet::set_helm_sources(uint32_t file, std::vector<std::pair<uint32_t, std::string>> sources) {
  if (helm_sources_.size() <= file) helm_sources_.resize(file + 1);
  helm_sources_[file] = std::move(sources);
}

std::string SourceSet::helm_source(const Loc& l) const {
  if (!l.known() || l.file >= helm_sources_.size()) return "";
  std::string found;
  for (const auto& [line, src] : helm_sources_[l.file]) {
    if (line >= l.line) break;
    found = src;
  }
  return found;
}

namespace {
std::string nth_line(std::istream& in, uint32_t n) {
  std::string line;
  for (uint32_t i = 1; std::getline(in, line); ++i) {
    if (i == n) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
  }
  return "";
}
}  // namespace

std::string SourceSet::line_text(const Loc& l) const {
  if (!l.known() || l.file == 0 || l.file >= files_.size()) return "";
  const SourceFile& f = files_[l.file];
  // Positions in a UTF-16 input count lines of its UTF-8 decoding (load/loader.h), so its line is
  // taken from that decoding.
  auto from_text = [&](std::string_view text) {
    size_t bad = 0;
    std::istringstream lines(has_utf16_bom(text) ? utf16_to_utf8(text, bad) : std::string(text));
    return nth_line(lines, l.line);
  };
  if (f.text) return from_text(*f.text);
  std::ifstream in(f.path, std::ios::binary);
  if (!in) return "";
  char mark[2] = {};
  in.read(mark, 2);
  if (in.gcount() == 2 && has_utf16_bom(std::string_view(mark, 2))) {
    std::stringstream whole;
    whole << mark[0] << mark[1] << in.rdbuf();
    return from_text(whole.str());
  }
  in.clear();
  in.seekg(0);
  return nth_line(in, l.line);
}

}  // namespace meshproof
