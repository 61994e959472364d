#include "common.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/config_file.h"
#include "profile/profile.h"
#include "profile_arg.h"
#include "report/run.h"

namespace meshproof::cli {

namespace {

// A namespace name is an RFC 1123 label (lowercase letters, digits, '-'; at most 63 characters).
std::string namespace_name(const std::string& s) {
  bool ok = !s.empty() && s.size() <= 63 && s.front() != '-' && s.back() != '-';
  for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  return ok ? std::string() : "'" + s + "' is not a namespace name (lowercase letters, digits and '-', at most 63)";
}

// CLI11 validator: a real calendar date written YYYY-MM-DD ("" when it is one).
std::string calendar_date(const std::string& s) {
  return profile::is_valid_date(s) ? std::string() : "'" + s + "' is not a date written YYYY-MM-DD (e.g. 2026-12-31)";
}

}  // namespace

void add_input_flags(CLI::App* cmd, InputFlags& flags) {
  cmd->add_option("paths", flags.paths,
                  "Manifest files or directories (recursive: .yaml, .yml, .json); '-' reads stdin")
      ->required();
  cmd->add_option("-n,--namespace", flags.default_namespace,
                  "Namespace of objects without metadata.namespace, as kubectl's (default: default)")
      ->check(namespace_name);
  cmd->add_flag("--namespaces-complete", flags.namespaces_complete,
                "The input declares every namespace of the cluster: a policy naming another one is reported "
                "(as the profile's `namespaces: complete`)");
  cmd->add_option("--data-plane", flags.data_plane,
                  "Data plane of workloads whose namespace the input does not declare: sidecar (default), "
                  "ambient or none (docs/semantics.md#data-plane-membership)")
      ->check(CLI::IsMember({"sidecar", "ambient", "none"}));
  cmd->add_option("--linkerd-default-policy", flags.linkerd_default_policy,
                  "Linkerd's install value proxy.defaultInboundPolicy, for pods without a valid "
                  "config.linkerd.io/default-inbound-policy (default: all-unauthenticated, Linkerd's own; "
                  "docs/semantics.md#linkerd-policy)")
      ->check(CLI::IsMember({"all-unauthenticated", "all-authenticated", "cluster-unauthenticated",
                             "cluster-authenticated", "deny", "audit"}));
  cmd->add_option("--root-namespace", flags.root_namespace,
                  "Istio root namespace (default: the mesh config's rootNamespace, else istio-system)");
  cmd->add_option("--max-file-size", flags.max_file_mb, "Refuse input files larger than this many MiB")
      ->default_val(64)
      ->check(CLI::Range(1, 4096));
  cmd->add_flag("--allow-empty", flags.allow_empty,
                "Accept an input that holds no Kubernetes object (by default it is an input error, exit code 2)");
  cmd->add_option("--exclude", flags.exclude,
                  "Skip entries of the directories given whose relative path (or, for a pattern without '/', "
                  "name) matches GLOB, e.g. 'test/fixtures/*' or '*.values.yaml' (repeatable; '*' also matches '/')");
  cmd->add_option(
      "--threads", flags.threads,
      "Worker threads for parsing and the symbolic analysis (default: one per core; output does not depend on it)");
}

void add_analysis_flags(CLI::App* cmd, AnalysisFlags& flags) {
  add_input_flags(cmd, flags.input);
  cmd->add_option("--regulated", flags.regulated, "Treat namespace NS as regulated (repeatable)");
  cmd->add_option("--regulated-selector", flags.regulated_selectors,
                  "Treat namespaces with label KEY=VALUE as regulated (repeatable)");
  cmd->add_option("--profile", flags.profile,
                  "Compliance profile: a file (YAML, see docs/profiles.md) or the name of a shipped one "
                  "(hipaa, pci-dss-4, soc2, nist-800-207); default rules/default.yaml's built-in copy");
  cmd->add_option("--assert", flags.assert_file,
                  "Prove the assertions in FILE (deny/allow/only, see docs/assertions.md); a violated one is an "
                  "assertion-violated finding with a counterexample");
  cmd->add_option("--today", flags.today, "Date (YYYY-MM-DD) used for exception expiry; default: today (UTC)")
      ->check(calendar_date);
  add_solver_limit_flags(cmd, flags.rlimit, flags.timeout_ms);
  cmd->add_option("--config", flags.config,
                  "Read defaults from FILE instead of the nearest .meshproof.yaml (docs/output.md, Config file)");
  cmd->add_flag("--no-config", flags.no_config, "Ignore .meshproof.yaml");
}

bool apply_config_file(AnalysisFlags& flags, std::string& fail_on, bool with_baseline) {
  std::error_code ec;
  const std::string path = !flags.config.empty() ? flags.config
                           : flags.no_config     ? std::string()
                                                 : app::find_config_file(std::filesystem::current_path(ec).string());
  if (path.empty()) {
    if (fail_on.empty()) fail_on = "error";
    return true;
  }
  SourceSet sources;
  std::vector<load::LoadError> errors;
  const std::optional<app::ConfigFile> c = app::read_config_file(path, sources, errors);
  if (!c) {
    std::cerr << report::format_load_errors(errors, sources);
    return false;
  }
  auto fill = [](auto& flag, const auto& value) {
    if (flag.empty()) flag = value;
  };
  fill(flags.profile, c->profile);
  fill(fail_on, c->fail_on.empty() ? std::string("error") : c->fail_on);
  if (with_baseline) fill(flags.baseline, c->baseline);  // `check` only: the report shows every finding
  fill(flags.input.data_plane, c->data_plane);
  fill(flags.input.linkerd_default_policy, c->linkerd_default_policy);
  fill(flags.input.exclude, c->exclude);
  if (flags.regulated.empty() && flags.regulated_selectors.empty()) {
    flags.regulated = c->regulated;
    flags.regulated_selectors = c->regulated_selectors;
  }
  return true;
}

void add_solver_limit_flags(CLI::App* cmd, unsigned& rlimit, unsigned& timeout_ms) {
  cmd->add_option("--rlimit", rlimit,
                  "Solver resource budget per check (Z3 rlimit units; deterministic: the same answer on any machine "
                  "and load; 0: none). A check that needs more is inconclusive, never a pass")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", timeout_ms,
                  "Wall-clock backstop per solver check, in ms (0: none); set far above --rlimit, so that "
                  "results do not depend on machine load")
      ->capture_default_str();
}

namespace {

app::InputOptions input_options(const InputFlags& flags, bool progress) {
  app::InputOptions o;
  o.paths = flags.paths;
  if (!flags.root_namespace.empty()) o.root_namespace = flags.root_namespace;
  o.default_namespace = flags.default_namespace;
  if (!flags.data_plane.empty()) o.assumed_data_plane = *mesh::parse_assumed_data_plane(flags.data_plane);
  o.linkerd_default_policy = flags.linkerd_default_policy;
  o.limits.max_file_bytes = flags.max_file_mb << 20;
  o.threads = flags.threads;
  o.allow_empty = flags.allow_empty;
  o.exclude = flags.exclude;
  o.progress = progress;
  return o;
}

// A status line on stderr: "meshproof: check 3/24 redundant-rule, 4.2 s", and while the symbolic pass (run
// once for all symbolic checks) visits the workload classes "... redundant-rule: workload class 1200/2200,
// 31.0 s". Shown once the checks have run for half a second, redrawn at most every 100 ms, erased at the
// end; nothing when stderr is not a terminal, so that redirected and machine-readable runs never carry
// progress text.
class StatusLine {
 public:
  void check(size_t done, size_t total, const std::string& name) {
    if (done >= total) return erase();
    label_ = "check " + std::to_string(done + 1) + "/" + std::to_string(total) + " " + name;
    draw(true);
  }
  void workload_class(size_t done, size_t total) {
    detail_ = done >= total ? "" : ": workload class " + std::to_string(done) + "/" + std::to_string(total);
    draw(false);
  }

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool always) {
    const auto now = Clock::now();
    if (!shown_ && now - start_ < std::chrono::milliseconds(500)) return;
    if (!always && now - drawn_ < std::chrono::milliseconds(100)) return;
    shown_ = true;
    drawn_ = now;
    std::fprintf(stderr, "\rmeshproof: %s%s, %.1f s\033[K", label_.c_str(), detail_.c_str(),
                 std::chrono::duration<double>(now - start_).count());
    std::fflush(stderr);
  }
  void erase() {
    if (shown_) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
  Clock::time_point start_ = Clock::now();
  Clock::time_point drawn_;
  bool shown_ = false;
  std::string label_, detail_;
};

void show_progress(analysis::Options& o) {
  if (!isatty(STDERR_FILENO)) return;
  auto line = std::make_shared<StatusLine>();
  o.progress = [line](size_t done, size_t total, const std::string& name) { line->check(done, total, name); };
  o.class_progress = [line](size_t done, size_t total) { line->workload_class(done, total); };
}

std::unique_ptr<analysis::Analysis> finish(std::unique_ptr<analysis::Analysis> a) {
  if (!a->failed()) return a;
  std::cerr << report::format_failure(*a);
  return nullptr;
}

}  // namespace

std::unique_ptr<analysis::Analysis> run_analysis(const InputFlags& flags, bool keep_going) {
  analysis::Options o;
  o.input = input_options(flags, /*progress=*/false);
  o.input.keep_going = keep_going;
  o.namespaces_complete = flags.namespaces_complete;
  o.run_checks = false;
  return finish(analysis::run(o));
}

std::unique_ptr<analysis::Analysis> run_analysis(const AnalysisFlags& flags, bool checks) {
  const std::optional<std::string> profile_path = resolve_profile_arg(flags.profile);
  if (!profile_path) return nullptr;
  analysis::Options o;
  o.input = input_options(flags.input, /*progress=*/true);
  o.input.keep_going = true;  // a broken file is reported and left out; the rest is analyzed (exit code 2)
  o.namespaces_complete = flags.input.namespaces_complete;
  o.profile_path = *profile_path;
  o.assertions_path = flags.assert_file;
  o.regulated = flags.regulated;
  o.regulated_selectors = flags.regulated_selectors;
  o.run_checks = checks;
  o.only_checks = flags.only;
  o.today = flags.today;
  o.query_timeout_ms = flags.timeout_ms;
  o.solver_rlimit = flags.rlimit;
  o.baseline_path = flags.baseline;
  if (!flags.quiet) show_progress(o);
  return finish(analysis::run(o));
}

int finish_with_skipped(const analysis::Analysis& a, int exit_code) {
  const std::string skipped = report::format_skipped_files(a);
  std::cerr << skipped;
  return skipped.empty() ? exit_code : 2;
}

bool write_file_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path tmp = target;
  tmp += ".meshproof-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      std::cerr << "meshproof: error: cannot write '" << path
                << "'\n  help: check that the directory exists and is writable\n";
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      std::cerr << "meshproof: error: writing '" << path << "' failed\n";
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::cerr << "meshproof: error: cannot write '" << path << "': " << ec.message() << "\n";
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

bool write_stdout(const std::string& text) {
  errno = 0;
  std::cout << text;
  std::cout.flush();
  if (std::cout) return true;
  const std::string why = errno ? std::string(": ") + std::strerror(errno) : " (closed pipe or full disk)";
  std::cerr << "meshproof: error: writing the results to standard output failed" << why
            << "\n  help: the results are incomplete; check the disk space or the command reading the output\n";
  return false;
}

}  // namespace meshproof::cli
