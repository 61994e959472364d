#include "checks/run.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <set>
#include <stdexcept>
#include <tuple>

#include "base/parallel.h"
#include "base/text.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "checks/linkerd_rules.h"

namespace meshproof::checks {

namespace {

const char* const kExpiredException = "expired-exception";
const char* const kNeverMatchingRule = "never-matching-rule";

// MESHPROOF_GAP_STATS=1 (for performance work, not an interface): each check's time, in registry order. The
// first symbolic check's time holds the whole shared pass (checks/gap_pass.cpp prints its breakdown).
void print_check_times(const std::vector<const Check*>& run, const std::vector<double>& spent_ms) {
  const char* e = std::getenv("MESHPROOF_GAP_STATS");
  if (!e || *e != '1') return;
  std::fprintf(stderr, "checks (ms, wall time of each run(); the others ran in parallel after the symbolic ones):\n");
  for (size_t i = 0; i < run.size(); ++i)
    if (spent_ms[i] >= 0.05) std::fprintf(stderr, "  %-32s %9.1f\n", run[i]->info().name.c_str(), spent_ms[i]);
}

}  // namespace

std::vector<std::string> check_names() {
  std::vector<std::string> names;
  for (const auto& c : all_checks()) names.push_back(c->info().name);
  std::sort(names.begin(), names.end());
  return names;
}

std::string unknown_check_message(const std::string& name) {
  std::string msg = "unknown check '" + name + "'";
  std::string hint = closest(name, check_names(), 3);
  if (!hint.empty()) msg += "; did you mean '" + hint + "'?";
  return msg;
}

namespace {

// The port a finding is about, for port-specific exceptions: the numeric `port` property, or none
// (workload-level findings say port "*").
std::optional<uint32_t> finding_port(const Finding& f) {
  auto it = f.properties.find("port");
  if (it == f.properties.end() || it->second.empty()) return std::nullopt;
  uint32_t port = 0;
  for (char c : it->second) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
    if (port > 65535) return std::nullopt;
  }
  return port;
}

auto identity(const Finding& f) {
  return std::tie(f.check, f.id, f.severity, f.message, f.help, f.resource.kind, f.resource.ns, f.resource.name, f.loc,
                  f.fingerprint, f.properties, f.suppression);
}

}  // namespace

model::Labels parse_label_selector(const std::string& text) {
  model::Labels labels;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    size_t eq = part.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("bad namespace selector '" + text + "': '" + part +
                                  "' is not key=value (e.g. compliance.example.com/scope=pci)");
    std::string key = trim(part.substr(0, eq));
    std::string value = trim(part.substr(eq + 1));
    if (key.empty())
      throw std::invalid_argument("bad namespace selector '" + text + "': empty label key in '" + part + "'");
    auto label_char = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/';
    };
    if (!std::all_of(key.begin(), key.end(), label_char) || !std::all_of(value.begin(), value.end(), label_char))
      throw std::invalid_argument("bad namespace selector '" + text +
                                  "': only key=value equality on label "
                                  "keys and values (letters, digits, '.', '_', '-', '/') is supported");
    if (labels.count(key) && labels[key] != value)
      throw std::invalid_argument("bad namespace selector '" + text + "': label '" + key +
                                  "' is required to have two different values");
    labels[key] = value;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return labels;
}

std::vector<std::string> regulated_namespaces(const mesh::Mesh& mesh, const profile::Profile& profile,
                                              const std::vector<std::string>& cli_names,
                                              const std::vector<std::string>& cli_selectors) {
  std::vector<model::Labels> selectors;
  for (const std::string& s : cli_selectors) selectors.push_back(parse_label_selector(s));

  std::set<std::string> out(profile.regulated_names.begin(), profile.regulated_names.end());
  for (const std::string& n : cli_names)
    if (!trim(n).empty()) out.insert(trim(n));
  for (const auto& [name, info] : mesh.namespaces) {
    if (profile.is_regulated(info)) out.insert(name);
    for (const model::Labels& sel : selectors)
      if (mesh::labels_subset(sel, info.labels)) out.insert(name);
  }
  return {out.begin(), out.end()};
}

// A rule that never-matching-rule proves dead matches no request, so what other checks say about the
// requests it matches (a bypass, a redundancy, a widening) would describe nothing: only the
// never-matching-rule finding is kept for it. Findings about a rule carry its index as property "rule".
void drop_findings_on_dead_rules(std::vector<Finding>& out) {
  auto rule_key = [](const Finding& f) {
    auto r = f.properties.find("rule");
    if (r == f.properties.end()) return std::string();
    return f.resource.kind + "/" + f.resource.ns + "/" + f.resource.name + "#" + r->second;
  };
  std::set<std::string> dead;
  for (const Finding& f : out)
    if (f.check == kNeverMatchingRule && !f.properties.count("scope") && !f.properties.count(kInconclusiveProperty))
      dead.insert(rule_key(f));
  dead.erase("");
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const Finding& f) { return f.check != kNeverMatchingRule && dead.count(rule_key(f)); }),
            out.end());
}

std::vector<Finding> run_checks(const Context& ctx, const std::vector<std::string>& only) {
  const std::string today = effective_today(ctx.options);
  std::set<std::string> selected;
  for (const std::string& name : only) {
    if (!find_check(name)) throw std::invalid_argument(unknown_check_message(name));
    selected.insert(name);
  }

  // The checks to run, in registry order, each into its own slot; the slots are joined in registry order, so
  // the output does not depend on the thread count. The symbolic checks run first, one after another: they
  // share one pass over the workload classes (parallel inside, checks/gap_pass.h), and their Linkerd parts
  // share engines built on first use (checks/linkerd_rules.h). The other checks only read the Context, so
  // they run in parallel on the --threads workers.
  std::vector<const Check*> run;
  std::vector<bool> expired_only;  // run for the exceptions of the selected checks only
  for (const auto& check : all_checks()) {
    const std::string& name = check->info().name;
    const bool requested = only.empty() || selected.count(name);
    const bool expired_for_selected = !requested && name == kExpiredException;
    if (!requested && !expired_for_selected) continue;
    run.push_back(check.get());
    expired_only.push_back(expired_for_selected);
  }
  std::vector<std::vector<Finding>> found(run.size());
  std::mutex progress_mutex;
  size_t progress_done = 0;
  const size_t progress_total = only.empty() ? all_checks().size() : selected.size();
  std::vector<double> spent_ms(run.size(), 0.0);
  auto run_one = [&](size_t i) {
    if (ctx.options.progress && !expired_only[i]) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      ctx.options.progress(progress_done++, progress_total, run[i]->info().name);
    }
    const auto start = std::chrono::steady_clock::now();
    run[i]->run(ctx, found[i]);
    spent_ms[i] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  std::vector<size_t> independent;
  for (size_t i = 0; i < run.size(); ++i) {
    if (dynamic_cast<const gaps::SymbolicCheck*>(run[i]))
      run_one(i);
    else
      independent.push_back(i);
  }
  if (ctx.linkerd) linkerd::linkerd_pass(ctx);  // made before the workers share it
  parallel_for(independent.size(), ctx.options.threads, [&](size_t k) { run_one(independent[k]); });
  print_check_times(run, spent_ms);

  std::vector<Finding> out;
  for (size_t i = 0; i < run.size(); ++i) {
    for (Finding& f : found[i]) {
      if (expired_only[i]) {
        // Exceptions belong to the checks they except: when only some checks run, their expired
        // exceptions are still reported, because an expired exception no longer suppresses anything.
        auto about = f.properties.find("exception_check");
        if (about == f.properties.end() || !selected.count(about->second)) continue;
      }
      out.push_back(std::move(f));
    }
  }
  if (ctx.options.progress) ctx.options.progress(progress_total, progress_total, "");
  drop_findings_on_dead_rules(out);

  for (Finding& f : out) {
    auto sev = ctx.profile.severity_overrides.find(f.check);
    if (sev != ctx.profile.severity_overrides.end()) f.severity = sev->second;

    const profile::Exception* ex = ctx.profile.exception_for(f.check, f.resource, finding_port(f), today);
    if (!ex) continue;
    f.suppression = "exception: " + ex->justification + " (approved by " + ex->approver + ", " +
                    (ex->expires.empty() ? std::string("no expiry") : "expires " + ex->expires) + ")";
    f.related.push_back(RelatedLocation{"excepted by profile " + ctx.profile.name + ": " + ex->describe(),
                                        ResourceRef{"Profile", "", ctx.profile.name, ex->loc, ""}, ex->loc});
  }

  std::stable_sort(out.begin(), out.end(),
                   [&](const Finding& a, const Finding& b) { return finding_less(a, b, ctx.sources); });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Finding& a, const Finding& b) { return identity(a) == identity(b); }),
            out.end());
  return out;
}

void validate_profile_checks(const profile::Profile& profile, std::vector<profile::ProfileError>& errors) {
  auto require = [&](const std::string& name, Loc loc, const std::string& where) {
    if (!find_check(name)) errors.push_back(profile::ProfileError{loc, unknown_check_message(name) + " in " + where});
  };
  for (const profile::Control& c : profile.controls)
    for (size_t i = 0; i < c.checks.size(); ++i)
      require(c.checks[i], i < c.check_locs.size() ? c.check_locs[i] : c.loc, "control " + c.id);
  for (const auto& [name, sev] : profile.severity_overrides) {
    auto it = profile.severity_override_locs.find(name);
    require(name, it == profile.severity_override_locs.end() ? Loc{} : it->second, "severity");
  }
  for (const profile::Exception& e : profile.exceptions)
    require(e.check, e.check_loc.known() ? e.check_loc : e.loc, "an exception");
}

std::string today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string effective_today(const Options& options) { return options.today.empty() ? today_utc() : options.today; }

}  // namespace meshproof::checks
