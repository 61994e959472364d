// Replaying witnesses (issue #11): each `witness.reproduce` command that `check -o json` prints is run as
// written (only the program name replaced by the built binary), and `query` must give the witness's
// decision and deciding rule. Shared by the samples/fixtures test (cli_output) and the realworld test.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli_helpers.h"

namespace meshproof::test::replay {

using nlohmann::json;

// POSIX shell words as engine::shell_quote writes them: bare words, '...' quoted, and '\'' inside quotes.
inline std::vector<std::string> shell_split(const std::string& cmd) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < cmd.size(); ++i) {
    char c = cmd[i];
    if (c == '\'') {
      size_t end = cmd.find('\'', i + 1);
      word += cmd.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '\\' && i + 1 < cmd.size()) {
      word += cmd[++i];
      in_word = true;
    } else if (c == ' ') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

inline std::string decided_by_text(const json& answer) {
  const json& by = answer.value("decided_by", json());
  if (!by.is_object()) return "";
  return by.value("policy", "") + " rule " + std::to_string(by.value("rule", -1));
}

// A string field, "" when absent or null (a witness that no rule decided has "decided_by": null).
inline std::string text_of(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

struct ReplayCount {
  int replayed = 0;
  std::vector<std::string> failures;
};

// The manifests under `dir` except `skip`, sorted, as `meshproof check DIR` would read them.
inline std::vector<std::string> manifests_except(const std::string& dir, const std::set<std::string>& skip) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json") && !skip.count(e.path().string()))
      files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// `check -o json` on a repository. The corpus holds documentation snippets that are not YAML: such files
// are left out and reported (`input_errors`, exit code 2) while the rest is analyzed.
inline json check_repository(const std::string& dir) {
  RunResult r = run_cli({"check", "-o", "json", dir});
  INFO(dir << ": exit " << r.exit_code << ": " << r.err);
  REQUIRE(r.exit_code <= 2);  // 3 and 4 are failures of meshproof
  REQUIRE_FALSE(r.out.empty());
  json report = json::parse(r.out);
  // 2 also when nothing was analyzed (only policies meshproof does not model).
  const bool nothing_analyzed = report.contains("summary") && report["summary"].contains("nothing_analyzed");
  CHECK((r.exit_code == 2) == (report.contains("input_errors") || nothing_analyzed));
  return report;
}

// Runs a `meshproof query ...` command as meshproof printed it (a witness's, a map edge's, a check property's)
// with `-o json`; it must answer (exit 0).
inline json query_json(const std::string& command) {
  std::vector<std::string> args = shell_split(command);
  REQUIRE(args.at(0) == "meshproof");
  args.erase(args.begin());
  args.insert(args.end(), {"-o", "json"});
  RunResult q = run_cli(args);
  INFO(command << "\n" << q.err);
  REQUIRE(q.exit_code == 0);
  return json::parse(q.out);
}

// Replays each distinct witness of one `check -o json` report.
inline void replay_witnesses(const json& report, std::set<std::string>& seen, ReplayCount& count) {
  for (const json& f : report.at("findings")) {
    if (!f.contains("witness") || !f["witness"].is_object()) continue;
    const json& w = f["witness"];
    const std::string cmd = text_of(w, "reproduce");
    if (cmd.empty() || !seen.insert(cmd).second) continue;
    std::vector<std::string> args = shell_split(cmd);
    REQUIRE(args.size() > 2);
    REQUIRE(args[0] == "meshproof");
    args.erase(args.begin());
    args.insert(args.end(), {"-o", "json"});
    RunResult q = run_cli(args);
    ++count.replayed;
    // Exit code 2 with an answer: files of the input that are not YAML were left out, as `check` left them
    // out when it found the witness.
    const bool answered = q.exit_code == 0 || (q.exit_code == 2 && !q.out.empty());
    std::string got = answered ? text_of(json::parse(q.out), "decision") : "exit " + std::to_string(q.exit_code);
    std::string got_by = answered ? decided_by_text(json::parse(q.out)) : q.err;
    const std::string want_by = text_of(w, "decided_by");
    if (got != text_of(w, "decision") || (!want_by.empty() && got_by != want_by))
      count.failures.push_back(f.value("check", "") + ": " + cmd + "\n  witness " + text_of(w, "decision") + " by " +
                               want_by + "; query " + got + " by " + got_by);
  }
}

inline void require_all_replay(const ReplayCount& count) {
  std::string all;
  for (const auto& f : count.failures) all += f + "\n";
  INFO(count.failures.size() << " of " << count.replayed << " witnesses do not replay:\n" << all);
  CHECK(count.failures.empty());
}

}  // namespace meshproof::test::replay
