#include "base/location.h"

#include <fstream>
#include <sstream>

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
  if (f.text) {
    std::istringstream in(*f.text);
    return nth_line(in, l.line);
  }
  std::ifstream in(f.path, std::ios::binary);
  if (!in) return "";
  return nth_line(in, l.line);
}

}  // namespace meshproof
