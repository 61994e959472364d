// JUnit XML as test dashboards (Jenkins, GitLab, GitHub test reporters) read it.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "report/report.h"

namespace meshproof::report {

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
          out += ' ';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string case_name(const ResourceRef& r) { return r.display(); }

std::string finding_text(const Finding& f, const SourceSet& sources) {
  return describe_location(sources, f.loc) + ": " + to_string(f.severity) + "[" + f.check + "]: " + f.message +
         (f.help.empty() ? "" : "\nhelp: " + f.help) +
         (f.witness && !f.witness->reproduce.empty() ? "\nwitness: " + f.witness->reproduce : "");
}

struct SuiteCounts {
  size_t tests = 0, failures = 0, skipped = 0;
};

// One test case per finding: a <failure> at or above --fail-on; below it, or suppressed, <skipped> with
// the reason, so that dashboards show it (not green) without failing the build.
void write_finding_case(std::ostringstream& o, const Finding& f, const SourceSet& sources, const RunSummary& summary,
                        SuiteCounts& counts) {
  const SourceFile& file = sources.file(f.loc.file);
  const std::string helm = sources.helm_source(f.loc);
  o << "    <testcase classname=\"" << xml_escape(f.check) << "\" name=\""
    << xml_escape(case_name(f.resource) + " (" + describe_location(sources, f.loc) + ")") << "\" file=\""
    << xml_escape(helm.empty() ? file.display_name : helm) << "\"";
  if (helm.empty() && f.loc.known()) o << " line=\"" << f.loc.line << "\"";
  o << ">\n";
  ++counts.tests;
  if (fails_run(f, summary)) {
    ++counts.failures;
    o << "      <failure type=\"" << to_string(f.severity) << "\" message=\"" << xml_escape(f.message) << "\">"
      << xml_escape(finding_text(f, sources)) << "</failure>\n";
  } else {
    ++counts.skipped;
    const std::string why = !f.suppression.empty() ? "suppressed: " + f.suppression
                            : summary.fail_on_never
                                ? std::string(to_string(f.severity)) + " (--fail-on never)"
                                : std::string(to_string(f.severity)) + " below --fail-on " + to_string(summary.fail_on);
    o << "      <skipped message=\"" << xml_escape(why + ": " + f.message) << "\"/>\n"
      << "      <system-out>" << xml_escape(finding_text(f, sources)) << "</system-out>\n";
  }
  o << "    </testcase>\n";
}

}  // namespace

std::string format_junit(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary,
                         const std::vector<Evaluated>& evaluated) {
  // check -> findings in output order; every evaluated resource without a finding is a passing test case.
  std::map<std::string, std::vector<const Finding*>> by_check;
  std::map<std::string, std::set<std::string>> flagged;
  std::vector<std::string> order;
  auto touch = [&](const std::string& check) -> std::vector<const Finding*>& {
    if (!by_check.count(check)) order.push_back(check);
    return by_check[check];
  };
  for (const Evaluated& e : evaluated) touch(e.check);
  for (const Finding& f : findings) {
    touch(f.check).push_back(&f);
    flagged[f.check].insert(case_name(f.resource));
  }
  std::map<std::string, std::set<std::string>> passing;
  for (const Evaluated& e : evaluated)
    for (const ResourceRef& r : e.resources)
      if (!flagged[e.check].count(case_name(r))) passing[e.check].insert(case_name(r));

  std::ostringstream body;
  SuiteCounts total;
  for (const std::string& check : order) {
    SuiteCounts counts;
    std::ostringstream suite;
    for (const Finding* f : by_check[check]) write_finding_case(suite, *f, sources, summary, counts);
    for (const std::string& resource : passing[check]) {
      ++counts.tests;
      suite << "    <testcase classname=\"" << xml_escape(check) << "\" name=\"" << xml_escape(resource) << "\"/>\n";
    }
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.skipped += counts.skipped;
    body << "  <testsuite name=\"" << xml_escape(check) << "\" tests=\"" << counts.tests << "\" failures=\""
         << counts.failures << "\" errors=\"0\" skipped=\"" << counts.skipped << "\">\n"
         << suite.str() << "  </testsuite>\n";
  }
  if (!summary.skipped_files.empty()) {
    // Files left out unread: one errored case each, in a suite of their own.
    body << "  <testsuite name=\"meshproof-input\" tests=\"" << summary.skipped_files.size()
         << "\" failures=\"0\" errors=\"" << summary.skipped_files.size() << "\" skipped=\"0\">\n";
    for (const load::LoadError& e : summary.skipped_files)
      body << "    <testcase classname=\"meshproof-input\" name=\"" << xml_escape(sources.describe(e.loc))
           << "\" file=\"" << xml_escape(sources.file(e.loc.file).display_name) << "\"><error message=\""
           << xml_escape(e.message) << "\">" << xml_escape(e.message + "\nhelp: " + e.help) << "</error></testcase>\n";
    body << "  </testsuite>\n";
    total.tests += summary.skipped_files.size();
  }
  const size_t errors = summary.skipped_files.size();
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"meshproof\" tests=\"" << total.tests << "\" failures=\"" << total.failures
      << "\" errors=\"" << errors << "\" skipped=\"" << total.skipped << "\">\n"
      << body.str() << "</testsuites>\n";
  return out.str();
}

}  // namespace meshproof::report
