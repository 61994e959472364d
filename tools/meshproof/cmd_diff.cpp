// `meshproof diff`: what a change to the policies changes (docs/diff.md). Two analyses (OLD and NEW, or a
// git revision and the working tree), one library call (diff::compare), the renderers, the exit code.
#include <sys/wait.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "base/text.h"
#include "commands.h"
#include "common.h"
#include "diff/diff.h"
#include "engine/query_memo.h"
#include "engine/witness.h"
#include "outputs.h"
#include "report/diff.h"

namespace meshproof::cli {

namespace {

namespace fs = std::filesystem;

struct DiffFlags {
  AnalysisFlags analysis;  // analysis.input.paths: OLD NEW, or with --git-base the working-tree PATHS
  std::string git_base;
  std::vector<std::string> outputs;
  std::string fail_on = "any";
  std::string expect;
  size_t max_classes = 5;
  bool stats = false;
  bool no_findings = false;
  bool no_reuse = false;
};

const std::vector<std::string> kDiffFormats = {"text", "json", "sarif", "md"};

// A temporary directory removed when the command ends.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

int run_command(const std::string& command) {
  int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Extracts `paths` (relative to the current directory, inside the repository) as they are at git revision
// `rev` into `dir`; returns the paths to analyze there, or nullopt with the error printed. `git archive`
// run in a subdirectory takes and stores paths relative to it.
std::optional<std::vector<std::string>> extract_revision(const std::string& rev, const std::vector<std::string>& paths,
                                                         const fs::path& dir) {
  if (run_command("git rev-parse --verify --quiet " + engine::shell_quote(rev + "^{commit}") + " >/dev/null") != 0) {
    std::cerr << "meshproof: error: --git-base " << rev << ": not a revision of a git repository here\n"
              << "  help: run meshproof diff inside the manifest repository's checkout, e.g. --git-base origin/main\n";
    return std::nullopt;
  }
  const fs::path tar = dir / "base.tar", tree = dir / "tree";
  fs::create_directories(tree);
  std::string pathspec;
  for (const auto& p : paths) pathspec += " " + engine::shell_quote(p);
  if (run_command("git archive --format=tar -o " + engine::shell_quote(tar.string()) + " " + engine::shell_quote(rev) +
                  " --" + pathspec) != 0 ||
      run_command("tar -xf " + engine::shell_quote(tar.string()) + " -C " + engine::shell_quote(tree.string())) != 0) {
    std::cerr << "meshproof: error: --git-base " << rev << ": could not extract " << join(paths, " ")
              << " at that revision\n"
              << "  help: the paths must exist at that revision, relative to the current directory and inside the "
                 "repository\n";
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back((tree / p).lexically_normal().string());
  return out;
}

// One tree's analysis; without the checks when the findings are not compared (--no-findings): the
// decisions need only the world.
std::unique_ptr<analysis::Analysis> analyze_side(const AnalysisFlags& base, const std::vector<std::string>& paths,
                                                 bool checks) {
  AnalysisFlags f = base;
  f.input.paths = paths;
  f.quiet = true;
  return run_analysis(f, checks);
}

diff::Expectation expectation_of(const std::string& e) {
  if (e == "equivalent") return diff::Expectation::Equivalent;
  if (e == "narrower") return diff::Expectation::Narrower;
  if (e == "wider") return diff::Expectation::Wider;
  return diff::Expectation::None;
}

std::string render(const std::string& format, const diff::Result& r, const report::DiffHeader& h) {
  if (format == "json") return report::format_diff_json(r, h);
  if (format == "sarif") return report::format_diff_sarif(r, h);
  if (format == "md") return report::format_diff_markdown(r, h);
  return report::format_diff_text(r, h);
}

// What the old tree says is located in the extracted copy, a temporary directory: say REV:path instead.
void name_revision_paths(diff::Result& result, const std::string& tree, const std::string& rev) {
  auto rename = [&](std::string& path) {
    if (path.rfind(tree, 0) == 0) path = rev + ":" + path.substr(tree.size());
  };
  for (auto& f : result.findings) rename(f.location);
  for (auto& p : result.ports)
    for (auto& c : p.classes) {
      rename(c.before.location);
      rename(c.before.file);
    }
}

// OLD and NEW, or the revision extracted into `temp` and the working tree: the paths and labels of each
// side. False (with the error printed) on a usage error or a failed extraction.
bool prepare_sides(const DiffFlags& flags, diff::Options& options, report::DiffHeader& header, TempDir& temp) {
  const std::vector<std::string>& paths = flags.analysis.input.paths;
  if (flags.git_base.empty() && paths.size() != 2) {
    std::cerr << "meshproof: error: diff takes two paths, OLD and NEW (" << paths.size() << " given)\n"
              << "  help: meshproof diff old/ new/, or meshproof diff --git-base REV PATHS... to compare a git "
                 "revision with the working tree\n";
    return false;
  }
  if (flags.git_base.empty()) {
    options.before_paths = {paths[0]};
    options.after_paths = {paths[1]};
    header.before = paths[0];
    header.after = paths[1];
  } else {
    temp.path = fs::temp_directory_path() / ("meshproof-diff-" + std::to_string(::getpid()));
    fs::create_directories(temp.path);
    auto extracted = extract_revision(flags.git_base, paths, temp.path);
    if (!extracted) return false;
    options.before_paths = *extracted;  // replaced below: the temporary directory does not outlive the run
    options.after_paths = paths;
    header.before = flags.git_base;
    header.after = "working tree";
  }
  return true;
}

// The process's query memo (engine/query_memo.h) while it is in scope.
struct MemoInUse {
  explicit MemoInUse(engine::QueryMemo* memo) { engine::set_query_memo(memo); }
  ~MemoInUse() { engine::set_query_memo(nullptr); }
  MemoInUse(const MemoInUse&) = delete;
  MemoInUse& operator=(const MemoInUse&) = delete;
};

int run_diff(DiffFlags flags) {
  std::string error;
  const auto targets = parse_output_targets(flags.outputs, kDiffFormats, "text", error);
  if (!targets) {
    std::cerr << "meshproof: error: " << error << "\n";
    return 2;
  }
  diff::Options options;
  report::DiffHeader header;
  TempDir temp;
  if (!prepare_sides(flags, options, header, temp)) return 2;
  using clock = std::chrono::steady_clock;
  auto ms_since = [](clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count();
  };
  const auto t0 = clock::now();
  // The new tree's checks take the old tree's solver answers for programs that did not change
  // (engine/query_memo.h); --no-reuse analyzes each tree on its own (what the test of the reuse compares).
  engine::QueryMemo memo;
  auto in_use = std::make_unique<MemoInUse>(!flags.no_findings && !flags.no_reuse ? &memo : nullptr);
  auto before = analyze_side(flags.analysis, options.before_paths, !flags.no_findings);
  if (!before) return 2;
  const auto t1 = clock::now();
  memo.set_mode(engine::QueryMemo::Mode::Reuse);
  auto after = analyze_side(flags.analysis, options.after_paths, !flags.no_findings);
  in_use.reset();  // the comparison's engines solve on their own
  if (!after) return 2;
  const auto t2 = clock::now();
  if (!flags.git_base.empty()) options.before_paths.clear();  // no reproduce command into a deleted directory
  options.timeout_ms = flags.analysis.timeout_ms;
  header.expect = expectation_of(flags.expect);
  header.max_classes_shown = flags.max_classes;
  diff::Result result = diff::compare(*before, *after, options);
  if (!flags.git_base.empty()) name_revision_paths(result, (temp.path / "tree").string() + "/", flags.git_base);
  if (flags.stats)
    std::cerr << "meshproof diff: analysis of the old tree "
              << std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count() << " ms, of the new tree "
              << std::chrono::duration_cast<std::chrono::milliseconds>(t2 - t1).count() << " ms, comparison "
              << ms_since(t2) << " ms (" << result.views_compared << " port views, " << result.views_solved
              << " solved); solver answers reused " << memo.hits() << " of " << memo.hits() + memo.misses() << "\n";
  if (!write_outputs(*targets, [&](const OutputTarget& t) { return render(t.format, result, header); })) return 2;
  const int code = diff::exit_code(result, flags.fail_on == "wider", header.expect);
  return finish_with_skipped(*after, finish_with_skipped(*before, code));
}

}  // namespace

void register_diff(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Compare two policy trees: the requests a change newly allows or denies, mTLS modes, findings");
  add_analysis_flags(cmd, flags->analysis);
  cmd->add_option("--git-base", flags->git_base,
                  "Compare git revision REV (the PATHS as they are there) with the working tree's PATHS");
  cmd->add_option("-o,--output", flags->outputs,
                  "Output FORMAT[=FILE], repeatable: text, json, sarif or md (a pull-request comment)")
      ->check(CLI::Validator([](std::string& v) { return check_output_value(v, kDiffFormats); },
                             "{" + join(kDiffFormats, ",") + "}[=FILE]"));
  cmd->add_option("--fail-on", flags->fail_on,
                  "Exit code 1 for any decision change (any, the default) or only for newly allowed requests (wider)")
      ->check(CLI::IsMember({"any", "wider"}));
  cmd->add_option("--expect", flags->expect,
                  "Prove a claim about the change: equivalent, narrower (nothing newly allowed) or wider "
                  "(nothing newly denied); exit 0 when proven, 1 with counterexamples")
      ->check(CLI::IsMember({"equivalent", "narrower", "wider"}));
  cmd->add_option("--max-classes", flags->max_classes, "Request classes shown per workload (default 5)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--no-findings", flags->no_findings,
                "Compare decisions and mTLS modes only: the checks do not run, findings are not compared");
  cmd->add_flag("--no-reuse", flags->no_reuse,
                "Analyze the new tree without the old tree's solver answers (slower; the findings are the same)");
  cmd->add_flag("--stats", flags->stats, "Print the time of each analysis and of the comparison to stderr");
  cmd->footer(
      "Examples:\n"
      "  meshproof diff samples/change-review/before samples/change-review/after\n"
      "  meshproof diff --git-base origin/main manifests/ -o md=diff.md -o sarif=diff.sarif\n"
      "  meshproof diff old/ new/ --expect equivalent\n"
      "Exit code 0 no decision changes (or --expect proven); 1 changes at or above --fail-on (or counterexamples);\n"
      "2 bad input; 4 inconclusive (the solver could not compare a port). See docs/diff.md.");
  cmd->callback([flags, &exit_code] { exit_code = run_diff(*flags); });
}

}  // namespace meshproof::cli
