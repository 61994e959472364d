// SourceSet::line_text: the line a caret or an end column is drawn from, for files on disk (read again when
// they change), UTF-16 files and standard input.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "base/location.h"

using namespace meshproof;

namespace {

std::filesystem::path write_file(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

TEST_CASE("line_text: lines of a file on disk, CRLF stripped, nothing past the end", "[base][location]") {
  const auto path = write_file("meshproof-line-text.yaml", "kind: A\r\nmetadata:\n  name: x\n");
  SourceSet sources;
  const uint32_t f = sources.add(SourceFile{path.string(), path.string(), nullptr});
  CHECK(sources.line_text(Loc{f, 1, 1}) == "kind: A");
  CHECK(sources.line_text(Loc{f, 3, 3}) == "  name: x");
  CHECK(sources.line_text(Loc{f, 2, 1}) == "metadata:");
  CHECK(sources.line_text(Loc{f, 4, 1}).empty());
  CHECK(sources.line_text(Loc{f, 99, 1}).empty());
  CHECK(sources.line_text(Loc{0, 1, 1}).empty());

  // Rewritten (another size): the new text is read, not a kept copy of the old.
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  write_file("meshproof-line-text.yaml", "kind: B\n");
  CHECK(sources.line_text(Loc{f, 1, 1}) == "kind: B");
  CHECK(sources.line_text(Loc{f, 2, 1}).empty());

  std::filesystem::remove(path);
  CHECK(sources.line_text(Loc{f, 1, 1}).empty());
}

TEST_CASE("line_text: a UTF-16 file counts lines of its UTF-8 decoding, and stdin is kept in memory",
          "[base][location]") {
  // "a: 1\nb: 2\n" in UTF-16LE with its byte order mark.
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("a: 1\nb: 2\n")) utf16 += std::string{c, '\0'};
  const auto path = write_file("meshproof-line-text-16.yaml", utf16);
  SourceSet sources;
  const uint32_t f = sources.add(SourceFile{path.string(), path.string(), nullptr});
  CHECK(sources.line_text(Loc{f, 2, 1}) == "b: 2");
  std::filesystem::remove(path);

  const uint32_t in = sources.add(SourceFile{"-", "<stdin>", std::make_shared<const std::string>("x: 1\ny: 2")});
  CHECK(sources.line_text(Loc{in, 2, 1}) == "y: 2");
  CHECK(sources.line_text(Loc{in, 3, 1}).empty());
}
