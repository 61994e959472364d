// Issue #14 item 5: the new tree's analysis with the old tree's solver answers (engine/query_memo.h, what
// `meshproof diff` does) finds exactly what it finds on its own, and does reuse answers.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/analysis.h"
#include "engine/query_memo.h"
#include "../cli_output/cli_helpers.h"

namespace meshproof::test {

namespace {

namespace fs = std::filesystem;

// Everything a finding says, witness included, as one string.
std::string finding_text(const Finding& f, const SourceSet& sources) {
  std::ostringstream o;
  o << f.check << "|" << f.id << "|" << static_cast<int>(f.severity) << "|" << f.message << "|" << f.help << "|"
    << f.resource.kind << "/" << f.resource.ns << "/" << f.resource.name << "|" << sources.describe(f.loc) << "|"
    << f.fingerprint << "|" << f.suppression << "|";
  for (const auto& [k, v] : f.properties) o << k << "=" << v << ";";
  for (const auto& r : f.related) o << "|related " << r.message << " " << sources.describe(r.loc);
  if (f.witness) {
    const Witness& w = *f.witness;
    o << "|witness " << w.mtls << " " << w.source_principal << " " << w.source_ip << " " << w.destination << ":"
      << w.port << " " << w.method << " " << w.path << " " << w.host << " " << w.decision << " " << w.decided_by << " "
      << w.reproduce;
    for (const auto& [k, v] : w.headers) o << " " << k << "=" << v;
  }
  return o.str();
}

std::string findings_text(const analysis::Analysis& a) {
  REQUIRE_FALSE(a.failed());
  std::string out;
  for (const Finding& f : a.findings) out += finding_text(f, a.input->sources) + "\n";
  return out;
}

std::unique_ptr<analysis::Analysis> analyze(const std::string& path) {
  analysis::Options o;
  o.input.paths = {path};
  o.today = "2026-01-01";
  return analysis::run(o);
}

// samples/hospital, and a copy whose patients policy also allows HEAD where it allowed GET.
std::pair<std::string, std::string> hospital_pair() {
  const fs::path dir = temp_dir("incremental-diff");
  fs::copy(source_dir() + "/samples/hospital", dir / "old", fs::copy_options::recursive);
  fs::copy(source_dir() + "/samples/hospital", dir / "new", fs::copy_options::recursive);
  const fs::path changed = dir / "new" / "patients" / "authorization.yaml";
  std::ifstream in(changed);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const std::string from = "methods: [\"GET\"]";
  REQUIRE(s.find(from) != std::string::npos);
  s.replace(s.find(from), from.size(), "methods: [\"GET\", \"HEAD\"]");
  write_file(changed, s);
  return {(dir / "old").string(), (dir / "new").string()};
}

// The process's query memo while in scope.
struct MemoScope {
  explicit MemoScope(engine::QueryMemo& m) { engine::set_query_memo(&m); }
  ~MemoScope() { engine::set_query_memo(nullptr); }
};

}  // namespace

TEST_CASE("incremental diff: the new tree's findings with the old tree's answers are its own", "[diff][incremental]") {
  const auto [old_tree, new_tree] = hospital_pair();
  const std::string alone = findings_text(*analyze(new_tree));
  const std::string old_alone = findings_text(*analyze(old_tree));
  REQUIRE_FALSE(alone.empty());

  engine::QueryMemo memo;
  std::string old_recorded, reused;
  {
    MemoScope scope(memo);
    old_recorded = findings_text(*analyze(old_tree));
    REQUIRE(memo.size() > 0);
    memo.set_mode(engine::QueryMemo::Mode::Reuse);
    reused = findings_text(*analyze(new_tree));
  }
  CHECK(old_recorded == old_alone);  // recording changes nothing
  CHECK(reused == alone);            // byte for byte, witnesses included
  CHECK(memo.hits() > 0);            // the unchanged classes took the old answers
}

TEST_CASE("incremental diff: a memo hands an answer only to a program that decides the same", "[diff][incremental]") {
  // The same tree twice: every query is a hit; a tree with other policies: what differs is a miss.
  const std::string tree = source_dir() + "/samples/hospital";
  const std::string other = source_dir() + "/samples/fintech";
  engine::QueryMemo memo;
  std::string again, changed;
  {
    MemoScope scope(memo);
    analyze(tree);
    memo.set_mode(engine::QueryMemo::Mode::Reuse);
    again = findings_text(*analyze(tree));
    const uint64_t hits = memo.hits();
    CHECK(memo.misses() == 0);
    CHECK(hits > 0);
    changed = findings_text(*analyze(other));
  }
  CHECK(again == findings_text(*analyze(tree)));
  CHECK(changed == findings_text(*analyze(other)));
}

}  // namespace meshproof::test
