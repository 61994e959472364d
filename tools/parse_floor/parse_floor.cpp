// parse_floor — the parse-only floor for `meshproof check` (docs/performance.md).
//
// The least work any yaml-cpp program must do to analyze a manifest tree: find the files as meshproof's
// loader does (recursive, .yaml/.yml/.json, hidden entries skipped, sorted by path), read each one, parse
// every document with yaml-cpp and touch every node (count the nodes, sum the scalar lengths), then print
// the totals. Nothing is kept: no typed resources, no source positions, no node tree beyond the one
// yaml-cpp itself builds.
//
// Layering exception (DESIGN.md §1 says yaml-cpp lives in lib/load only): this program links yaml-cpp and
// NOTHING of meshproof, on purpose. It is the yardstick the loader and the whole `check` are measured
// against, so it must not go through the code it measures.
//
// Usage: parse_floor [--threads N] [--api events|nodes] PATH...
//   --threads N    files parsed in parallel, one file per task (default 1). meshproof's loader uses one
//                  thread per core; docs/performance.md gives the ratio against both 1 and 2 threads.
//   --api events   (default) yaml-cpp's event parser (YAML::Parser + EventHandler), the API meshproof's
//                  loader uses: the lowest cost of a yaml-cpp parse.
//   --api nodes    YAML::LoadAll, yaml-cpp's node tree, walked recursively: what a "typical" yaml-cpp
//                  program pays (for reference; the targets use `events`).
// Output (stdout, one line, independent of --threads): files, documents, nodes, scalar bytes.
// Exit codes: 0 success, 2 usage error or a file that could not be read or parsed.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Counts {
  uint64_t documents = 0, nodes = 0, scalar_bytes = 0;
  void add(const Counts& o) {
    documents += o.documents;
    nodes += o.nodes;
    scalar_bytes += o.scalar_bytes;
  }
};

// Touches every event: each node (scalar, null, alias, sequence, map) is counted, each scalar's value is
// read.
class CountingHandler : public YAML::EventHandler {
 public:
  explicit CountingHandler(Counts& c) : c_(c) {}
  void OnDocumentStart(const YAML::Mark&) override { ++c_.documents; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { ++c_.nodes; }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++c_.nodes; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string& value) override {
    ++c_.nodes;
    c_.scalar_bytes += value.size();
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++c_.nodes;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    ++c_.nodes;
  }
  void OnMapEnd() override {}

 private:
  Counts& c_;
};

void walk(const YAML::Node& n, Counts& c) {
  ++c.nodes;
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      c.scalar_bytes += n.Scalar().size();
      break;
    case YAML::NodeType::Sequence:
      for (const YAML::Node& child : n) walk(child, c);
      break;
    case YAML::NodeType::Map:
      for (const auto& kv : n) {
        walk(kv.first, c);
        walk(kv.second, c);
      }
      break;
    default:
      break;
  }
}

bool has_yaml_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

bool hidden(const fs::path& p) {
  std::string name = p.filename().string();
  return name.size() > 1 && name[0] == '.' && name != "..";
}

// The same expansion as load::Loader::expand: a file as given, a directory recursively, sorted.
bool expand(const std::vector<std::string>& paths, std::vector<std::string>& out) {
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      std::fprintf(stderr, "parse_floor: error: cannot read '%s': no such file or directory\n", path.c_str());
      return false;
    }
    if (!fs::is_directory(path, ec)) {
      out.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      if (hidden(p)) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && has_yaml_extension(p)) found.push_back(p.string());
    }
    if (ec) {
      std::fprintf(stderr, "parse_floor: error: cannot list '%s': %s\n", path.c_str(), ec.message().c_str());
      return false;
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return true;
}

// Reads the whole file, as the loader does, then parses it from memory.
bool parse_file(const std::string& path, bool events, Counts& c, std::string& error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream buf;
  buf << f.rdbuf();
  std::istringstream stream(buf.str());
  try {
    if (events) {
      CountingHandler handler(c);
      YAML::Parser parser(stream);
      while (parser.HandleNextDocument(handler)) {
      }
    } else {
      for (const YAML::Node& doc : YAML::LoadAll(stream)) {
        ++c.documents;
        walk(doc, c);
      }
    }
  } catch (const YAML::Exception& e) {
    error = path + ": YAML error: " + e.what();
    return false;
  }
  return true;
}

int usage(const char* msg) {
  std::fprintf(stderr, "parse_floor: error: %s\nusage: parse_floor [--threads N] [--api events|nodes] PATH...\n", msg);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned threads = 1;
  bool events = true;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      char* end = nullptr;
      long n = std::strtol(argv[++i], &end, 10);
      if (!end || *end || n < 1 || n > 256) return usage("--threads takes a number from 1 to 256");
      threads = static_cast<unsigned>(n);
    } else if (a == "--api" && i + 1 < argc) {
      std::string v = argv[++i];
      if (v != "events" && v != "nodes") return usage("--api takes 'events' or 'nodes'");
      events = v == "events";
    } else if (a == "-h" || a == "--help") {
      std::printf(
          "usage: parse_floor [--threads N] [--api events|nodes] PATH...\n"
          "Parses every .yaml/.yml/.json file under PATH with yaml-cpp, touches every node and prints\n"
          "the totals: the floor `meshproof check` is measured against (docs/performance.md).\n");
      return 0;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage(("unknown option '" + a + "'").c_str());
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage("no PATH given");

  std::vector<std::string> files;
  if (!expand(paths, files)) return 2;

  // Per-file counts, summed in file order: the output does not depend on scheduling.
  std::vector<Counts> per_file(files.size());
  std::vector<std::string> errors(files.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t i = next++; i < files.size() && !failed; i = next++)
      if (!parse_file(files[i], events, per_file[i], errors[i])) failed = true;
  };
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(1, files.size())));
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (failed) {
    for (const std::string& e : errors)
      if (!e.empty()) {
        std::fprintf(stderr, "parse_floor: error: %s\n", e.c_str());
        break;
      }
    return 2;
  }
  Counts total;
  for (const Counts& c : per_file) total.add(c);
  std::printf("files %zu documents %llu nodes %llu scalar_bytes %llu\n", files.size(),
              static_cast<unsigned long long>(total.documents), static_cast<unsigned long long>(total.nodes),
              static_cast<unsigned long long>(total.scalar_bytes));
  return 0;
}
