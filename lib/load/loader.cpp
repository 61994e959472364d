// yaml-cpp is used here and nowhere else. We consume its event stream (not YAML::Node) so that we build
// our own position-carrying tree, count alias expansions and nesting ourselves, and hand each document to
// the caller as soon as it is complete.
#include "load/loader.h"

#include <fnmatch.h>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <istream>
#include <sstream>
#include <streambuf>
#include <string_view>
#include <unordered_map>

#include "base/unicode.h"

namespace fs = std::filesystem;

namespace meshproof::load {

namespace {

// Thrown from inside the event handler to stop yaml-cpp when a limit is hit or the parser stops making
// progress; caught in parse_text.
struct LimitExceeded {
  Loc loc;
  std::string message;
  std::string help;
};

std::string human_size(size_t bytes) {
  std::ostringstream o;
  if (bytes >= (1u << 20)) {
    o.precision(1);
    o << std::fixed << static_cast<double>(bytes) / (1u << 20) << " MiB";
  } else {
    o << bytes << " bytes";
  }
  return o.str();
}

// "# Source: chart/templates/x.yaml" lines written by `helm template`, by 1-based line number.
std::vector<std::pair<uint32_t, std::string>> helm_sources(const std::string& text) {
  std::vector<std::pair<uint32_t, std::string>> out;
  static const std::string marker = "# Source: ";
  uint32_t line = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.compare(pos, marker.size(), marker) == 0) {
      std::string src = text.substr(pos + marker.size(), end - pos - marker.size());
      while (!src.empty() && (src.back() == '\r' || src.back() == ' ')) src.pop_back();
      out.emplace_back(line, std::move(src));
    }
    pos = end + 1;
    ++line;
  }
  return out;
}

// A read-only stream buffer over text that outlives it.
class TextBuf : public std::streambuf {
 public:
  explicit TextBuf(const std::string& text) {
    char* begin = const_cast<char*>(text.data());  // only read: std::streambuf's get area is char*
    setg(begin, begin, begin + text.size());
  }
};

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(uint32_t file_id, const std::string& text, const Limits& limits, uint32_t line_offset,
              uint32_t col_offset, const std::function<void(Document&&)>& on_document)
      : file_id_(file_id),
        text_(text),
        limits_(limits),
        line_offset_(line_offset),
        col_offset_(col_offset),
        on_document_(on_document) {}

  uint32_t documents_emitted() const { return emitted_; }
  uint32_t documents_started() const { return started_; }
  void set_helm_sources(std::vector<std::pair<uint32_t, std::string>> s) { helm_ = std::move(s); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    guard_progress(mark);
    stack_.clear();
    anchors_.clear();
    nodes_ = 0;
    doc_ = Document{};
    doc_.index = started_++;
    doc_.loc = loc(mark);
    have_root_ = false;
  }

  void OnDocumentEnd() override {
    if (!have_root_ || doc_.root.is_null()) return;  // empty document (e.g. a trailing `---`)
    doc_.loc = doc_.root.loc;
    doc_.helm_source = helm_source_for(doc_.root.loc.line);
    prev_doc_line_ = doc_.root.loc.line;
    ++emitted_;
    on_document_(std::move(doc_));
    doc_ = Document{};
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n;
    n.type = Node::Type::Null;
    n.loc = loc(mark);
    count(n.loc, 1);
    add(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end())
      throw LimitExceeded{loc(mark), "alias refers to an unknown anchor",
                          "define the anchor (&name) before using *name"};
    count(loc(mark), it->second.node_count());
    Node copy = it->second;
    copy.loc = loc(mark);
    add(std::move(copy), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n;
    n.type = Node::Type::Scalar;
    n.loc = loc(mark);
    n.scalar = value;
    // yaml-cpp reports "?" for plain scalars and "!" for quoted/block ones; an explicit !!str tag also
    // makes the value a string.
    n.plain = (tag == "?" || tag.empty());
    count(n.loc, 1);
    add(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, Node::Type::Sequence, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, Node::Type::Map, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
    bool have_key = false;
    bool key_plain = true;
    std::string key;
    Loc key_loc;
    // Key -> position in node.entries, built once a map has kDirectScan entries: the duplicate-key check
    // then stays linear in the size of the map instead of quadratic.
    std::unordered_map<std::string, size_t> index;
  };
  static constexpr size_t kDirectScan = 16;
  static constexpr size_t kFewEntries = 4;

  // yaml-cpp 0.7.0 can return a document without consuming a token (a stray ',' outside a flow
  // collection, upstream jbeder/yaml-cpp#1040) and would then return the same empty document forever.
  // A document always starts at the next unread token, so a document that starts where the previous one
  // started means the parser is stuck: stop with an error at that token.
  void guard_progress(const YAML::Mark& mark) {
    if (started_ > 0 && mark.pos == last_start_pos_) {
      const char c = mark.pos >= 0 && static_cast<size_t>(mark.pos) < text_.size() ? text_[mark.pos] : '\0';
      if (c == ',')
        throw LimitExceeded{loc(mark),
                            "YAML syntax error: a ',' outside a list or map ([...] or {...}); the YAML parser "
                            "cannot get past it",
                            "remove the ','; JSON allows no comma after the last value, and YAML documents are "
                            "separated by '---', not by ','"};
      throw LimitExceeded{loc(mark), "YAML syntax error: the YAML parser cannot get past this token",
                          "check the file near this position; it is not valid YAML or JSON"};
    }
    last_start_pos_ = mark.pos;
  }

  // The entry of `key` in the map being built, or nullptr.
  static MapEntry* find_entry(Frame& f, const std::string& key) {
    std::vector<MapEntry>& entries = f.node.entries;
    if (entries.size() < kDirectScan) {
      for (MapEntry& e : entries)
        if (e.key == key) return &e;
      return nullptr;
    }
    if (f.index.empty())
      for (size_t i = 0; i < entries.size(); ++i) f.index.emplace(entries[i].key, i);
    auto it = f.index.find(key);
    return it == f.index.end() ? nullptr : &entries[it->second];
  }

  static void append_entry(Frame& f, MapEntry e) {
    if (!f.index.empty()) f.index.emplace(e.key, f.node.entries.size());
    f.node.entries.push_back(std::move(e));
  }

  Loc loc(const YAML::Mark& m) const {
    if (m.line < 0) return Loc{file_id_, 0, 0};
    uint32_t line = static_cast<uint32_t>(m.line) + 1;
    // Embedded text (a block scalar) has its indentation stripped: every line shifts by the same amount.
    uint32_t col = static_cast<uint32_t>(m.column) + 1 + col_offset_;
    return Loc{file_id_, line + line_offset_, col};
  }

  void count(Loc where, size_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes_per_document)
      throw LimitExceeded{where,
                          "document expands to more than " + std::to_string(limits_.max_nodes_per_document) +
                              " YAML nodes (alias expansion or a very large document)",
                          "split the document; if it uses anchors and aliases, check for recursive expansion "
                          "(an 'alias bomb')"};
  }

  void open(const YAML::Mark& mark, Node::Type type, YAML::anchor_t anchor) {
    const Loc at = loc(mark);
    count(at, 1);
    // Built in place: the stack keeps its capacity from document to document.
    Frame& f = stack_.emplace_back();
    f.node.type = type;
    f.node.loc = at;
    f.anchor = anchor;
    // Most maps and lists of a manifest hold a few entries: one allocation instead of growing 1, 2, 4.
    if (type == Node::Type::Map)
      f.node.entries.reserve(kFewEntries);
    else
      f.node.items.reserve(kFewEntries);
    if (stack_.size() > limits_.max_depth)
      throw LimitExceeded{loc(mark), "nesting deeper than " + std::to_string(limits_.max_depth) + " levels",
                          "Kubernetes manifests are never this deep; check the file is what you meant to pass"};
  }

  void close() {
    Frame& f = stack_.back();
    if (f.have_key) {  // a key without a value cannot happen in well-formed event streams; be safe
      Node null_node;
      null_node.loc = f.key_loc;
      put_entry(f, std::move(null_node));
    }
    Node node = std::move(f.node);
    const YAML::anchor_t anchor = f.anchor;
    stack_.pop_back();
    add(std::move(node), anchor);
  }

  void add(Node n, YAML::anchor_t anchor) {
    if (anchor) anchors_[anchor] = n;
    if (stack_.empty()) {
      doc_.root = std::move(n);
      have_root_ = true;
      return;
    }
    Frame& top = stack_.back();
    if (top.node.type == Node::Type::Sequence) {
      top.node.items.push_back(std::move(n));
      return;
    }
    if (!top.have_key) {
      top.have_key = true;
      top.key_loc = n.loc;
      top.key_plain = n.is_scalar() && n.plain;
      if (n.is_scalar()) {
        top.key = std::move(n.scalar);
      } else if (n.is_null()) {
        top.key = "";
      } else {
        top.key = "";
        doc_.problems.push_back({n.loc, "a map key must be a plain value, not a " + std::string(n.type_name())});
      }
      return;
    }
    put_entry(top, std::move(n));
  }

  void put_entry(Frame& top, Node value) {
    top.have_key = false;
    if (top.key == "<<" && top.key_plain) {  // YAML merge key, which Kubernetes' decoder honours
      merge_into(top, value, top.key_loc);
      return;
    }
    if (MapEntry* e = find_entry(top, top.key)) {
      doc_.problems.push_back({top.key_loc, "duplicate key '" + top.key + "' (first at line " +
                                                std::to_string(e->key_loc.line) +
                                                "); Kubernetes rejects duplicate fields"});
      e->value = std::move(value);  // the last one wins, as in Kubernetes' lenient decoder
      return;
    }
    append_entry(top, MapEntry{std::move(top.key), top.key_loc, std::move(value)});
  }

  void merge_into(Frame& map, const Node& source, Loc where) {
    auto merge_one = [&](const Node& m) {
      if (!m.is_map()) {
        doc_.problems.push_back({where, "merge key '<<' needs a map or a list of maps"});
        return;
      }
      for (const MapEntry& e : m.entries)
        if (!find_entry(map, e.key)) append_entry(map, e);
    };
    if (source.is_seq())
      for (const Node& m : source.items) merge_one(m);
    else
      merge_one(source);
  }

  std::string helm_source_for(uint32_t root_line) const {
    std::string found;
    for (const auto& [line, src] : helm_) {
      if (line >= root_line) break;
      if (line > prev_doc_line_ || prev_doc_line_ == 0) found = src;
    }
    return found;
  }

  uint32_t file_id_;
  const std::string& text_;
  const Limits& limits_;
  uint32_t line_offset_, col_offset_;
  const std::function<void(Document&&)>& on_document_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Node> anchors_;
  size_t nodes_ = 0;
  Document doc_;
  bool have_root_ = false;
  uint32_t started_ = 0, emitted_ = 0;
  uint32_t prev_doc_line_ = 0;
  int last_start_pos_ = -1;
  std::vector<std::pair<uint32_t, std::string>> helm_;
};

// 1-based line and byte column of byte `offset` of `text`.
std::pair<uint32_t, uint32_t> line_col(const std::string& text, size_t offset) {
  uint32_t line = 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  size_t line_start = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  size_t col = line_start == std::string::npos ? offset + 1 : offset - line_start;
  return {line, static_cast<uint32_t>(col)};
}

// Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF, no truncated sequence), or npos.
size_t first_invalid_utf8(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      // Manifests are almost all ASCII: skip eight ASCII bytes at a time.
      uint64_t word;
      while (i + sizeof word <= n && (std::memcpy(&word, p + i, sizeof word), (word & 0x8080808080808080ull) == 0))
        i += sizeof word;
      if (i < n && p[i] < 0x80) ++i;
      continue;
    }
    const unsigned char c = p[i];
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string::npos;
}

// The name of a UTF-32 byte order mark at the start of `text`, or nullptr. (UTF-16 with its mark is
// decoded before this check, as kubectl does; kubectl does not decode UTF-32.)
const char* wide_encoding(const std::string& text) {
  auto starts = [&](std::string_view bom) { return text.compare(0, bom.size(), bom) == 0; };
  using namespace std::string_view_literals;
  if (starts("\x00\x00\xFE\xFF"sv) || starts("\xFF\xFE\x00\x00"sv)) return "UTF-32";
  return nullptr;
}

// Refuses text that Kubernetes would not decode: a UTF-32 file, binary data, invalid UTF-8. These
// would otherwise confuse yaml-cpp or reach the JSON and XML writers as invalid strings.
bool check_encoding(uint32_t file_id, const std::string& text, uint32_t line_offset, uint32_t col_offset,
                    std::vector<LoadError>& errors) {
  if (const char* wide = wide_encoding(text)) {
    errors.push_back({Loc{file_id, 1 + line_offset, 1 + col_offset},
                      "the input is " + std::string(wide) +
                          " (it starts with a byte order mark); Kubernetes manifests are UTF-8 (kubectl also "
                          "reads UTF-16 with its byte order mark)",
                      "convert it, e.g. iconv -f " + std::string(wide) + " -t UTF-8 FILE > FILE.utf8.yaml"});
    return false;
  }
  // A NUL byte never occurs in YAML text; yaml-cpp would report something confusing.
  size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    auto [line, col] = line_col(text, nul);
    errors.push_back({Loc{file_id, line + line_offset, col + col_offset}, "binary data (a NUL byte), not YAML",
                      "pass only YAML or JSON manifests"});
    return false;
  }
  size_t bad = first_invalid_utf8(text);
  if (bad != std::string::npos) {
    auto [line, col] = line_col(text, bad);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
    errors.push_back({Loc{file_id, line + line_offset, col + col_offset},
                      std::string("invalid UTF-8 (byte ") + byte + "); Kubernetes manifests must be UTF-8",
                      "re-save the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8), or fix the value at this "
                      "position"});
    return false;
  }
  return true;
}

bool has_yaml_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

bool hidden(const fs::path& p) {
  std::string name = p.filename().string();
  return name.size() > 1 && name[0] == '.' && name != "..";
}

const char* file_kind(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::fifo:
      return "a FIFO";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    case fs::file_type::directory:
      return "a directory";
    default:
      return "not a regular file";
  }
}

// Reads all of standard input with read(2), so that a closed or failing stdin is an error and not an
// empty input. Stops once more than `max_bytes` are read (parse() then refuses the input).
bool read_stdin(size_t max_bytes, std::string& text, std::string& error) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      return false;
    }
    if (n == 0) return true;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes) return true;
  }
}

// Whether an exclude pattern matches `p` (met while walking `root`): its path relative to `root`, or its
// name for a pattern without '/'.
bool excluded(const fs::path& p, const fs::path& root, const std::vector<std::string>& patterns) {
  const std::string rel = p.lexically_relative(root).string(), name = p.filename().string();
  for (const std::string& pattern : patterns) {
    if (fnmatch(pattern.c_str(), rel.c_str(), 0) == 0) return true;
    if (pattern.find('/') == std::string::npos && fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

struct Walk {
  fs::path root;
  const std::vector<std::string>& exclude;
  std::vector<fs::path> pending;
  std::vector<std::string> found;
};

// One entry met while walking a directory: a manifest to read, a directory to walk, or an error (an
// entry named like a manifest that cannot be read must not vanish from the analysis in silence).
void visit_entry(const fs::directory_entry& entry, Walk& walk, std::vector<LoadError>& errors) {
  const fs::path& p = entry.path();
  if (hidden(p) || excluded(p, walk.root, walk.exclude)) return;
  std::vector<fs::path>& pending = walk.pending;
  std::vector<std::string>& found = walk.found;
  std::error_code ec;
  // The common case without a stat call: readdir's file type says a directory or a regular file, and not a
  // symbolic link. Anything else (a link, a type readdir does not report, a FIFO, an error) takes the stat
  // calls below, which decide exactly as before.
  if (!entry.is_symlink(ec) && !ec) {
    if (entry.is_directory(ec) && !ec) {
      pending.push_back(p);
      return;
    }
    if (!ec && !has_yaml_extension(p)) return;
    if (!ec && entry.is_regular_file(ec) && !ec) {
      found.push_back(p.string());
      return;
    }
  }
  ec.clear();
  fs::file_status link = entry.symlink_status(ec);
  if (!ec && fs::is_directory(link)) {
    pending.push_back(p);  // symbolic links to directories are not followed, as before: no loops
    return;
  }
  if (!has_yaml_extension(p)) return;
  fs::file_status st = ec ? fs::file_status{} : entry.status(ec);
  if (ec) {
    std::string why = ec == std::errc::no_such_file_or_directory ? "a broken symbolic link" : ec.message();
    errors.push_back(
        {Loc{}, "cannot read '" + p.string() + "': " + why, "fix or remove it, or leave it out of the paths given"});
  } else if (fs::is_regular_file(st)) {
    found.push_back(p.string());
  } else if (!fs::is_directory(st)) {
    errors.push_back({Loc{}, "cannot read '" + p.string() + "': " + file_kind(st) + ", not a regular file",
                      "meshproof reads regular files inside directories; pipe anything else into `meshproof "
                      "check -`"});
  }
}

// fs::path's order (element by element) for paths found under one directory, without building a path per
// comparison: they share the directory's prefix and continue with names joined by single '/', so comparing
// bytes with '/' below every other byte is comparing their elements ("dir/x.yaml" before "dir-b.yaml").
bool path_order_less(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    auto rank = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    return rank(a[i]) < rank(b[i]);
  }
  return a.size() < b.size();
}

// The manifests under `root`, recursively: .yaml, .yml, .json; hidden and excluded entries skipped. A
// directory that cannot be listed is an error naming it.
std::vector<std::string> walk_directory(const std::string& root, const std::vector<std::string>& exclude,
                                        std::vector<LoadError>& errors) {
  Walk walk{fs::path(root), exclude, {fs::path(root)}, {}};
  std::vector<std::string>& found = walk.found;
  while (!walk.pending.empty()) {
    fs::path dir = std::move(walk.pending.back());
    walk.pending.pop_back();
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) visit_entry(*it, walk, errors);
    if (ec)
      errors.push_back({Loc{}, "cannot read directory '" + dir.string() + "': " + ec.message(),
                        "make it readable, or leave it out of the paths given"});
  }
  // kubectl's order (`kubectl apply -f DIR -R`: filepath.Walk, each directory's entries sorted by name):
  // compared name by name, so dir/x.yaml comes before dir-b.yaml ('/' is not compared with '-'). Of two
  // copies of one object, the later file's is the one in force (docs/semantics.md §2.7).
  std::sort(found.begin(), found.end(), path_order_less);
  return found;
}

// The text of a regular file of at most `max_bytes`, with one open, fstat and read loop; false, with nothing
// reported, in every other case (read_file_checked then reads it again and says what is wrong). Reading 10k
// small files, a stat by path and an ifstream with its buffer per file were a visible part of loading.
bool read_regular_file(const std::string& path, size_t max_bytes, std::string& text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uintmax_t>(st.st_size) <= max_bytes;
  if (ok) {
    text.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < text.size()) {
      const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok = n == 0;  // a file that shrank since fstat is read as it is now, as ifstream did
        break;
      }
      got += static_cast<size_t>(n);
    }
    text.resize(got);
  }
  ::close(fd);
  if (!ok) text.clear();
  return ok;
}

// The text of a file, or an error naming what is wrong: its size (refused above the limit before it is
// read), opening it, reading it.
bool read_file_checked(const std::string& path, Loc file_loc, size_t max_bytes, std::string& text,
                       std::vector<LoadError>& errors) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    errors.push_back({file_loc, "cannot read: " + ec.message(), ""});
    return false;
  }
  if (size > max_bytes) {
    errors.push_back(
        {file_loc, "file is " + human_size(size) + ", larger than the limit of " + human_size(max_bytes),
         "manifest files are rarely this large; split it, or raise the limit with --max-file-size"});
    return false;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    errors.push_back({file_loc, std::string("cannot open: ") + std::strerror(errno), ""});
    return false;
  }
  text.resize(size);
  f.read(text.data(), static_cast<std::streamsize>(size));
  if (f.bad()) {
    errors.push_back({file_loc, "cannot read: input/output error", ""});
    return false;
  }
  text.resize(static_cast<size_t>(f.gcount()));
  return true;
}

}  // namespace

std::vector<InputFile> Loader::expand(const std::vector<std::string>& paths, std::vector<LoadError>& errors) {
  std::vector<InputFile> out;
  bool stdin_used = false;
  for (const std::string& path : paths) {
    if (path == "-") {
      if (stdin_used) {
        errors.push_back({Loc{}, "'-' (standard input) given more than once", "pass '-' once"});
        continue;
      }
      stdin_used = true;
      std::string text, error;
      if (!read_stdin(limits_.max_file_bytes, text, error)) {
        errors.push_back({Loc{}, "cannot read standard input: " + error,
                          "pipe the manifests into meshproof (e.g. helm template chart | meshproof check -), or "
                          "pass files"});
        continue;
      }
      auto rendered_from = helm_sources(text);
      uint32_t id = sources_.add(SourceFile{"-", "<stdin>", std::make_shared<const std::string>(std::move(text))});
      sources_.set_helm_sources(id, std::move(rendered_from));
      out.push_back(InputFile{id, "-"});
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
      errors.push_back({Loc{}, "cannot read '" + path + "': " + ec.message(), "check the path and its permissions"});
      continue;
    }
    if (ec || !fs::exists(st)) {
      errors.push_back({Loc{}, "cannot read '" + path + "': no such file or directory",
                        "check the path; meshproof takes files, directories and '-' for stdin"});
      continue;
    }
    if (fs::is_directory(st)) {
      for (std::string& f : walk_directory(path, exclude_, errors)) {
        uint32_t id = sources_.add(SourceFile{f, f, nullptr});
        out.push_back(InputFile{id, std::move(f)});
      }
      continue;
    }
    if (!fs::is_regular_file(st)) {
      errors.push_back({Loc{}, "cannot read '" + path + "': " + file_kind(st) + ", not a regular file",
                        "pipe it into meshproof instead: cat '" + path + "' | meshproof check -"});
      continue;
    }
    uint32_t id = sources_.add(SourceFile{path, path, nullptr});
    out.push_back(InputFile{id, path});
  }
  return out;
}

bool Loader::parse(const InputFile& in, const std::function<void(Document&&)>& sink, std::vector<LoadError>& errors,
                   std::vector<LoadNote>& notes) const {
  const SourceFile& sf = sources_.file(in.file_id);
  Loc file_loc{in.file_id, 0, 0};
  if (sf.text) {  // stdin, read eagerly by expand()
    if (sf.text->size() > limits_.max_file_bytes) {
      errors.push_back({file_loc, "standard input is larger than the limit of " + human_size(limits_.max_file_bytes),
                        "pass the files directly, or raise the limit with --max-file-size"});
      return false;
    }
    // A pipe that delivers nothing is the input stage's to judge (app/pipeline.cpp: no Kubernetes object).
    return parse_text(in.file_id, *sf.text, sink, errors, notes);
  }
  std::string text;
  if (!read_regular_file(in.path, limits_.max_file_bytes, text) &&
      !read_file_checked(in.path, file_loc, limits_.max_file_bytes, text, errors))
    return false;
  return parse_text(in.file_id, text, sink, errors, notes);
}

bool Loader::parse_text(uint32_t file_id, const std::string& text, const std::function<void(Document&&)>& sink,
                        std::vector<LoadError>& errors, std::vector<LoadNote>& notes, uint32_t line_offset,
                        uint32_t col_offset) const {
  if (has_utf16_bom(text)) {  // kubectl reads UTF-16 with its byte order mark: so does meshproof
    size_t bad = 0;
    std::string decoded = utf16_to_utf8(text, bad);
    if (bad != std::string::npos) {
      auto [line, col] = line_col(decoded, bad);
      errors.push_back({Loc{file_id, line + line_offset, col + col_offset},
                        "invalid UTF-16 (an unpaired surrogate or an odd number of bytes)",
                        "re-save the file as UTF-8 or UTF-16, or fix the text at this position"});
      return false;
    }
    return parse_text(file_id, decoded, sink, errors, notes, line_offset, col_offset);
  }
  if (!check_encoding(file_id, text, line_offset, col_offset, errors)) return false;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    notes.push_back({Loc{file_id, 0, 0}, "empty input"});
    return true;
  }
  TreeBuilder builder(file_id, text, limits_, line_offset, col_offset, sink);
  builder.set_helm_sources(helm_sources(text));
  TextBuf buf(text);  // yaml-cpp reads the text in place, without a copy into a stringstream
  std::istream stream(&buf);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const LimitExceeded& e) {
    errors.push_back({e.loc, e.message, e.help});
    return false;
  } catch (const YAML::ParserException& e) {
    Loc where{file_id, e.mark.line >= 0 ? static_cast<uint32_t>(e.mark.line) + 1 + line_offset : 0,
              e.mark.column >= 0 ? static_cast<uint32_t>(e.mark.column) + 1 + col_offset : 0};
    std::string msg = e.msg;
    std::string help = "check indentation, quoting and that the file is complete near this line";
    if (msg.find("recursion") != std::string::npos || msg.find("depth") != std::string::npos)
      help = "the document nests too deeply to be a Kubernetes manifest";
    errors.push_back({where, "YAML syntax error: " + msg, help});
    return false;
  } catch (const YAML::Exception& e) {
    errors.push_back({Loc{file_id, 0, 0}, "YAML error: " + e.msg, "check that the file is valid YAML"});
    return false;
  } catch (const std::bad_alloc&) {
    errors.push_back({Loc{file_id, 0, 0}, "out of memory while reading this input", "split the input"});
    return false;
  }
  return true;
}

}  // namespace meshproof::load
