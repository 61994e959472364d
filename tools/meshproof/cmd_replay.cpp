// `meshproof replay`: recorded traffic decided under candidate policies (docs/replay.md). Reads the log,
// runs the analysis as `meshproof query` does, one library call (replay::replay), the renderers, the
// exit code: 0 nothing would break, 1 something would, 2 bad input.
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/text.h"
#include "commands.h"
#include "common.h"
#include "engine/witness.h"
#include "outputs.h"
#include "replay/log.h"
#include "replay/replay.h"
#include "report/replay.h"

namespace meshproof::cli {

namespace {

struct ReplayFlags {
  InputFlags input;
  std::string log;
  std::string format = "envoy-json";
  std::string to;
  std::vector<std::string> outputs;
};

const std::vector<std::string> kReplayFormats = {"text", "json", "md", "sarif"};

std::optional<std::string> read_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string render_replay(const std::string& format, const replay::Result& r, const report::ReplayHeader& h) {
  if (format == "json") return report::format_replay_json(r, h);
  if (format == "md") return report::format_replay_markdown(r, h);
  if (format == "sarif") return report::format_replay_sarif(r, h);
  return report::format_replay_text(r, h);
}

int run_replay(const ReplayFlags& flags) {
  std::string error;
  const auto targets = parse_output_targets(flags.outputs, kReplayFormats, "text", error);
  if (!targets) {
    std::cerr << "meshproof: error: " << error << "\n";
    return 2;
  }
  const auto format = replay::format_named(flags.format);
  const auto text = read_log(flags.log);
  if (!text) {
    std::cerr << "meshproof: error: --log " << flags.log << ": cannot read the file\n";
    return 2;
  }
  const replay::ParsedLog log = replay::parse_log(*text, {*format, flags.to});
  std::unique_ptr<analysis::Analysis> a = run_analysis(flags.input, /*keep_going=*/true);
  if (!a) return 2;
  const replay::Result result = replay::replay(*a, log);
  std::vector<std::string> quoted;
  for (const auto& p : flags.input.paths) quoted.push_back(engine::shell_quote(p));
  const report::ReplayHeader header{join(quoted, " "), flags.log, flags.format};
  if (!write_outputs(*targets, [&](const OutputTarget& t) { return render_replay(t.format, result, header); }))
    return 2;
  if (result.replayed == 0 && !result.unread.empty()) {
    std::cerr << "meshproof: error: no line of " << flags.log << " could be replayed (" << result.unread.size()
              << " not replayed; see above)\n";
    return finish_with_skipped(*a, 2);
  }
  return finish_with_skipped(*a, result.would_break.empty() ? 0 : 1);
}

}  // namespace

void register_replay(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Decide recorded requests (an access log) under the policies: what would break, what would be allowed");
  add_input_flags(cmd, flags->input);
  cmd->add_option("--log", flags->log, "Access log FILE, one record per line")->required();
  cmd->add_option("--format", flags->format, "Log format: envoy-json (default), envoy-text or hubble-json")
      ->check(CLI::IsMember({"envoy-json", "envoy-text", "hubble-json"}));
  cmd->add_option("--to", flags->to,
                  "The workload NAMESPACE/NAME whose proxy wrote the lines that do not name their destination");
  cmd->add_option("-o,--output", flags->outputs, "Output FORMAT[=FILE], repeatable: text, json, md or sarif")
      ->check(CLI::Validator([](std::string& v) { return check_output_value(v, kReplayFormats); },
                             "{" + join(kReplayFormats, ",") + "}[=FILE]"));
  cmd->footer(
      "Examples:\n"
      "  meshproof replay samples/change-review/after --log samples/change-review/access-log.jsonl\n"
      "  kubectl logs deploy/payments -c istio-proxy > p.log &&\n"
      "    meshproof replay manifests/ --log p.log --format envoy-text --to shop/payments -o json\n"
      "Exit code 0 nothing would break; 1 some served request would be denied; 2 bad input (or no line\n"
      "could be replayed). See docs/replay.md.");
  cmd->callback([flags, &exit_code] { exit_code = run_replay(*flags); });
}

}  // namespace meshproof::cli
