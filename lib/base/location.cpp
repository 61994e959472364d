#include "base/location.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string_view>

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

// Line n (1-based) of a text, without its line break ("" past the end): what std::getline gives.
std::string nth_line(std::string_view text, uint32_t n) {
  if (n == 0) return "";
  size_t start = 0;
  for (uint32_t i = 1; i < n; ++i) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return "";
    start = nl + 1;
  }
  if (start >= text.size()) return "";
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string line(text.substr(start, end - start));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A file's text as UTF-8 (a UTF-16 file decoded: positions count lines of its decoding, load/loader.h).
std::string utf8_text(std::string text) {
  if (!has_utf16_bom(text)) return text;
  size_t bad = 0;
  return utf16_to_utf8(text, bad);
}

// The text of a file read from disk, kept per thread while its size and modification time stay the same:
// a report asks for many lines of one file in a row (findings are in file order), and reading the file for
// each was a third of the time SARIF output took. nullptr when it cannot be read.
const std::string* disk_text(const std::string& path) {
  struct Cached {
    std::string path;
    struct timespec mtime {};
    off_t size = -1;
    std::string text;
  };
  thread_local Cached cached;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return nullptr;
  if (cached.size == st.st_size && cached.mtime.tv_sec == st.st_mtim.tv_sec &&
      cached.mtime.tv_nsec == st.st_mtim.tv_nsec && cached.path == path)
    return &cached.text;
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream whole;
  whole << in.rdbuf();
  cached = Cached{path, st.st_mtim, st.st_size, utf8_text(whole.str())};
  return &cached.text;
}

}  // namespace

std::string SourceSet::line_text(const Loc& l) const {
  if (!l.known() || l.file == 0 || l.file >= files_.size()) return "";
  const SourceFile& f = files_[l.file];
  if (f.text)
    return has_utf16_bom(*f.text) ? nth_line(utf8_text(std::string(*f.text)), l.line) : nth_line(*f.text, l.line);
  const std::string* text = disk_text(f.path);
  return text ? nth_line(*text, l.line) : "";
}

}  // namespace meshproof
