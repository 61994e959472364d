// `meshproof map`: who may call whom (docs/map.md). The analysis as `query` runs it, one library call
// (map::build_map), the renderers, the exit code: 0, or 2 for bad input.
#include <iostream>

#include "base/text.h"
#include "commands.h"
#include "common.h"
#include "map/map.h"
#include "outputs.h"
#include "report/map.h"

namespace meshproof::cli {

namespace {

struct MapFlags {
  AnalysisFlags analysis;  // the world, the profile and --regulated (regulated workloads are marked)
  std::vector<std::string> outputs;
  unsigned max_classes = 20;
};

const std::vector<std::string> kMapFormats = {"dot", "mermaid", "html", "json"};

std::string render_map(const std::string& format, const map::Map& m, const std::string& title) {
  if (format == "mermaid") return report::format_map_mermaid(m);
  if (format == "html") return report::format_map_html(m, title);
  if (format == "json") return report::format_map_json(m);
  return report::format_map_dot(m);
}

int run_map(const MapFlags& flags) {
  std::string error;
  const auto targets = parse_output_targets(flags.outputs, kMapFormats, "dot", error);
  if (!targets) {
    std::cerr << "meshproof: error: " << error << "\n";
    return 2;
  }
  AnalysisFlags af = flags.analysis;
  af.quiet = true;
  std::unique_ptr<analysis::Analysis> a = run_analysis(af, /*checks=*/false);
  if (!a) return 2;
  map::Options options;
  options.paths = flags.analysis.input.paths;
  options.max_classes = flags.max_classes;
  options.timeout_ms = flags.analysis.timeout_ms;
  const map::Map m = map::build_map(*a, options);
  const std::string title = "meshproof map: " + join(flags.analysis.input.paths, " ");
  if (!write_outputs(*targets, [&](const OutputTarget& t) { return render_map(t.format, m, title); })) return 2;
  return finish_with_skipped(*a, 0);
}

}  // namespace

void register_map(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<MapFlags>();
  CLI::App* cmd = app.add_subcommand("map", "Who may call whom: caller classes × workloads, what each edge admits");
  add_analysis_flags(cmd, flags->analysis);
  cmd->add_option("-o,--output", flags->outputs, "Output FORMAT[=FILE], repeatable: dot (default), mermaid, html, json")
      ->check(CLI::Validator([](std::string& v) { return check_output_value(v, kMapFormats); },
                             "{" + join(kMapFormats, ",") + "}[=FILE]"));
  cmd->add_option("--max-classes", flags->max_classes, "Request classes per workload port view (default 20)")
      ->check(CLI::Range(1, 1000));
  cmd->footer(
      "Examples:\n"
      "  meshproof map samples/change-review/after -o html=map.html\n"
      "  meshproof map manifests/ -o dot | dot -Tsvg > map.svg\n"
      "Exit code 0; 2 bad input. See docs/map.md.");
  cmd->callback([flags, &exit_code] { exit_code = run_map(*flags); });
}

}  // namespace meshproof::cli
