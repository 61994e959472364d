// Loader: documents, positions, typing of plain scalars, Helm comments, and every input limit.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "load/loader.h"
#include "test_support.h"

using namespace meshproof;
namespace fs = std::filesystem;

namespace {

struct Parsed {
  SourceSet sources;
  std::vector<load::Document> docs;
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  bool ok = false;
};

std::unique_ptr<Parsed> parse(const std::string& text, load::Limits limits = {}) {
  auto p = std::make_unique<Parsed>();
  uint32_t id = p->sources.add(SourceFile{"mem.yaml", "mem.yaml", std::make_shared<const std::string>(text)});
  load::Loader loader(p->sources, limits);
  p->ok = loader.parse_text(
      id, text, [&](load::Document&& d) { p->docs.push_back(std::move(d)); }, p->errors, p->notes);
  return p;
}

fs::path temp_tree() {
  fs::path dir = fs::temp_directory_path() / ("meshproof-load-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "b" / "nested");
  fs::create_directories(dir / ".git");
  auto write = [&](const fs::path& p, const std::string& s) { std::ofstream(dir / p) << s; };
  write("b/nested/z.yml", "kind: A\n");
  write("a.yaml", "kind: B\n");
  write("c.json", "{\"kind\": \"C\"}\n");
  write("notes.txt", "kind: D\n");
  write(".git/config.yaml", "kind: E\n");
  return dir;
}

}  // namespace

TEST_CASE("multi-document streams yield each document in order with its index", "[load]") {
  auto p = parse("a: 1\n---\nb: 2\n---\n---\nc: 3\n");
  REQUIRE(p->ok);
  REQUIRE(p->docs.size() == 3);  // the empty document between the two `---` is not emitted
  CHECK(p->docs[0].root.find("a"));
  CHECK(p->docs[1].root.find("b"));
  CHECK(p->docs[2].root.find("c"));
  CHECK(p->docs[2].index == 3);
}

TEST_CASE("every node keeps its 1-based line and column", "[load]") {
  auto p = parse("apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - name: http\n    port: 80\n");
  REQUIRE(p->docs.size() == 1);
  const load::Node& root = p->docs[0].root;
  const load::Node* port = root.find("spec")->find("ports")->items.at(0).find("port");
  REQUIRE(port);
  CHECK(port->loc.line == 6);
  CHECK(port->loc.col == 11);
  CHECK(root.find("spec")->find("ports")->items.at(0).key_loc("name").line == 5);
  CHECK(root.find("spec")->find("ports")->items.at(0).key_loc("name").col == 5);
}

TEST_CASE("plain scalars resolve as Kubernetes' YAML 1.1 decoder does, quoted ones stay strings", "[load]") {
  auto p = parse("a: 7\nb: \"7\"\nc: 1.5\nd: yes\ne: ~\nf: STRICT\ng: |\n  text\nh: 0x1F\ni: '08:00'\n");
  REQUIRE(p->docs.size() == 1);
  const load::Node& r = p->docs[0].root;
  CHECK(std::string(r.find("a")->type_name()) == "integer");
  CHECK(std::string(r.find("b")->type_name()) == "string");
  CHECK(std::string(r.find("c")->type_name()) == "number");
  CHECK(std::string(r.find("d")->type_name()) == "boolean");
  CHECK(std::string(r.find("e")->type_name()) == "null");
  CHECK(std::string(r.find("f")->type_name()) == "string");
  CHECK(std::string(r.find("g")->type_name()) == "string");
  CHECK(r.find("g")->scalar == "text\n");
  CHECK(std::string(r.find("h")->type_name()) == "integer");
  CHECK(std::string(r.find("i")->type_name()) == "string");
}

TEST_CASE("duplicate keys are reported with both positions, the last value wins", "[load]") {
  auto p = parse("metadata:\n  name: a\n  name: b\n");
  REQUIRE(p->docs.size() == 1);
  REQUIRE(p->docs[0].problems.size() == 1);
  CHECK(p->docs[0].problems[0].loc.line == 3);
  CHECK_THAT(p->docs[0].problems[0].message, Catch::Contains("first at line 2"));
  CHECK(p->docs[0].root.find("metadata")->find("name")->scalar == "b");
}

TEST_CASE("anchors, aliases and merge keys expand", "[load]") {
  auto p = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\ncopy: *b\n");
  REQUIRE(p->ok);
  const load::Node& r = p->docs.at(0).root;
  CHECK(r.find("use")->find("x")->scalar == "1");
  CHECK(r.find("use")->find("y")->scalar == "3");  // explicit keys override merged ones
  CHECK(r.find("copy")->find("y")->scalar == "2");
}

TEST_CASE("Helm's '# Source:' comment is attached to the document it precedes", "[load]") {
  auto p = parse(
      "---\n# Source: chart/templates/a.yaml\nkind: A\n---\n# Source: chart/templates/b.yaml\nkind: B\n---\nkind: C\n");
  REQUIRE(p->docs.size() == 3);
  CHECK(p->docs[0].helm_source == "chart/templates/a.yaml");
  CHECK(p->docs[1].helm_source == "chart/templates/b.yaml");
  CHECK(p->docs[2].helm_source == "");
}

TEST_CASE("syntax errors report the position and stop that input", "[load][bad-input]") {
  auto p = parse("a: b\nc: [1, 2\n");
  CHECK_FALSE(p->ok);
  REQUIRE(p->errors.size() == 1);
  CHECK(p->errors[0].loc.line >= 2);
  CHECK_THAT(p->errors[0].message, Catch::StartsWith("YAML syntax error"));
  CHECK_FALSE(p->errors[0].help.empty());
}

TEST_CASE("binary input is refused with the line and column of the first NUL byte", "[load][bad-input]") {
  std::string text = "a: 1\nb: 2\nc: ";
  text += '\0';
  text += "garbage";
  auto p = parse(text);
  CHECK_FALSE(p->ok);
  REQUIRE(p->errors.size() == 1);
  CHECK(p->errors[0].loc.line == 3);
  CHECK(p->errors[0].loc.col == 4);
  CHECK_THAT(p->errors[0].message, Catch::Contains("binary"));
}

TEST_CASE("nesting deeper than the limit is refused before it can exhaust the stack", "[load][bad-input]") {
  std::string deep = "a: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  auto p = parse(deep);
  CHECK_FALSE(p->ok);
  REQUIRE(p->errors.size() == 1);
  CHECK_THAT(p->errors[0].message, Catch::Contains("nesting deeper than 100"));
  CHECK(p->errors[0].loc.line == 1);
}

TEST_CASE("an alias bomb stops at the node budget", "[load][bad-input]") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  auto p = parse(bomb);  // 10^10 nodes if expanded
  CHECK_FALSE(p->ok);
  REQUIRE(p->errors.size() == 1);
  CHECK_THAT(p->errors[0].message, Catch::Contains("alias expansion"));
}

TEST_CASE("a file over the size limit is refused without reading it", "[load][bad-input]") {
  fs::path f = fs::temp_directory_path() / ("meshproof-big-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(f);
    out << "a: " << std::string(2 << 20, 'x') << "\n";
  }
  SourceSet sources;
  load::Limits limits;
  limits.max_file_bytes = 1 << 20;
  load::Loader loader(sources, limits);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  auto files = loader.expand({f.string()}, errors);
  REQUIRE(files.size() == 1);
  size_t docs = 0;
  CHECK_FALSE(loader.parse(
      files[0], [&](load::Document&&) { ++docs; }, errors, notes));
  CHECK(docs == 0);
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0].message, Catch::Contains("larger than the limit of 1.0 MiB"));
  fs::remove(f);
}

TEST_CASE("directories are walked recursively, sorted, YAML/JSON only, hidden entries skipped", "[load]") {
  fs::path dir = temp_tree();
  SourceSet sources;
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  auto files = loader.expand({dir.string()}, errors);
  CHECK(errors.empty());
  REQUIRE(files.size() == 3);
  CHECK(fs::path(files[0].path).filename() == "a.yaml");
  CHECK(fs::path(files[1].path).filename() == "z.yml");
  CHECK(fs::path(files[2].path).filename() == "c.json");
  // JSON parses as YAML.
  std::vector<load::Document> docs;
  std::vector<load::LoadNote> notes;
  CHECK(loader.parse(
      files[2], [&](load::Document&& d) { docs.push_back(std::move(d)); }, errors, notes));
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].root.find("kind")->scalar == "C");
  fs::remove_all(dir);
}

// kubectl apply -f DIR -R walks with Go's filepath.Walk: each directory's entries sorted by name, depth
// first. Whole-path string order would put "b-c.yaml" before "b/x.yaml" ('-' < '/').
TEST_CASE("directories are read in kubectl's order: name by name, depth first", "[load]") {
  fs::path dir = fs::temp_directory_path() / ("meshproof-order-" + std::to_string(getpid()));
  fs::remove_all(dir);
  for (const char* rel : {"b/x.yaml", "b-c.yaml", "a.yaml", "b/a/z.yaml", "b0.yaml"}) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << "kind: X\n";
  }
  SourceSet sources;
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  auto files = loader.expand({dir.string()}, errors);
  CHECK(errors.empty());
  std::vector<std::string> got;
  for (const auto& f : files) got.push_back(fs::relative(f.path, dir).string());
  CHECK(got == std::vector<std::string>{"a.yaml", "b/a/z.yaml", "b/x.yaml", "b-c.yaml", "b0.yaml"});
  fs::remove_all(dir);
}

TEST_CASE("a missing path is an error naming it", "[load][bad-input]") {
  SourceSet sources;
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  auto files = loader.expand({"/definitely/not/here.yaml"}, errors);
  CHECK(files.empty());
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0].message, Catch::Contains("/definitely/not/here.yaml"));
}

TEST_CASE("empty input is a note, not an error", "[load]") {
  auto p = parse("\n# only a comment\n");
  CHECK(p->ok);
  CHECK(p->docs.empty());
}

TEST_CASE("positions inside embedded text are shifted by the offsets given", "[load]") {
  SourceSet sources;
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  std::vector<load::Document> docs;
  loader.parse_text(
      0, "rootNamespace: x\ntrustDomain: td\n", [&](load::Document&& d) { docs.push_back(std::move(d)); }, errors,
      notes, /*line_offset=*/10, /*col_offset=*/4);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].root.find("trustDomain")->loc.line == 12);
}

TEST_CASE("plain scalars that only look numeric stay strings, as go-yaml v2 reads them", "[load]") {
  auto p = parse("ip: 1.2.3.4\nver: 1.2.3\nf: 1.\ng: .5\nh: 1e3\ni: 1_000\n");
  REQUIRE(p->docs.size() == 1);
  const load::Node& r = p->docs[0].root;
  CHECK(std::string(r.find("ip")->type_name()) == "string");
  CHECK(std::string(r.find("ver")->type_name()) == "string");
  CHECK(std::string(r.find("f")->type_name()) == "number");
  CHECK(std::string(r.find("g")->type_name()) == "number");
  CHECK(std::string(r.find("h")->type_name()) == "number");
  CHECK(std::string(r.find("i")->type_name()) == "integer");
}

// Node::scalar_type decides most scalars by their first character; these are the forms that start like a
// number, a null or a boolean, each typed as before that shortcut (go-yaml v2's resolution).
TEST_CASE("plain scalars starting like a number, null or boolean are typed in full", "[load]") {
  auto p = parse(
      "a: _1\nb: -.inf\nc: +1\nd: off\ne: N\nf: nope\ng: o\nh: _x\ni: -_1\nj: 1_000_000\nk: .5e-3\nl: -0x1F\n"
      "m: 0o17\nn: +.5\no: y1\np: false1\nq: _\nr: '-'\ns: 12h\nt: 0x\nu: OFF\nv: ~\nw: NULL\nx: nul\n");
  REQUIRE(p->docs.size() == 1);
  const load::Node& r = p->docs[0].root;
  auto type = [&](const char* key) { return std::string(r.find(key)->type_name()); };
  CHECK(type("a") == "number");  // underscores are dropped before the float pattern
  CHECK(type("b") == "number");
  CHECK(type("c") == "integer");
  CHECK(type("d") == "boolean");
  CHECK(type("e") == "boolean");
  CHECK(type("f") == "string");
  CHECK(type("g") == "string");
  CHECK(type("h") == "string");
  CHECK(type("i") == "number");
  CHECK(type("j") == "integer");
  CHECK(type("k") == "number");
  CHECK(type("l") == "integer");
  CHECK(type("m") == "string");  // YAML 1.2's octal form is not YAML 1.1's
  CHECK(type("n") == "number");
  CHECK(type("o") == "string");
  CHECK(type("p") == "string");
  CHECK(type("q") == "string");
  CHECK(type("r") == "string");
  CHECK(type("s") == "string");
  CHECK(type("t") == "string");
  CHECK(type("u") == "boolean");
  CHECK(type("v") == "null");
  CHECK(type("w") == "null");
  CHECK(type("x") == "string");
}
