// libFuzzer target: the loader, bytes → documents (lib/load). The input is given as standard input
// would be (`meshproof check -`), so it takes the same path: size limit, UTF-8 check, the parser's
// progress guard, limits on depth and nodes, duplicate and merge keys. Every error's location is
// rendered as the CLI renders it (file:line:column and the source line under it).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "load/loader.h"

using namespace meshproof;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SourceSet sources;
  auto text = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  uint32_t id = sources.add(SourceFile{"-", "<stdin>", text});
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  size_t nodes = 0;
  loader.parse(
      load::InputFile{id, "-"}, [&](load::Document&& doc) { nodes += doc.root.node_count(); }, errors, notes);
  for (const load::LoadError& e : errors) {
    std::string where = sources.describe(e.loc) + sources.line_text(e.loc);
    (void)where;
  }
  return 0;
}
