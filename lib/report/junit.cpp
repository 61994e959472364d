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

}  // namespace

std::string format_junit(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary,
                         const std::vector<Evaluated>& evaluated) {
  // check -> resource display -> findings; every evaluated pair gets a test case even with no finding.
  std::map<std::string, std::map<std::string, std::vector<const Finding*>>> cases;
  std::vector<std::string> order;
  auto touch = [&](const std::string& check) {
    if (!cases.count(check)) order.push_back(check);
    return &cases[check];
  };
  for (const Evaluated& e : evaluated) {
    auto* c = touch(e.check);
    for (const ResourceRef& r : e.resources) (*c)[case_name(r)];
  }
  for (const Finding& f : findings) (*touch(f.check))[case_name(f.resource)].push_back(&f);

  std::ostringstream body;
  size_t total_tests = 0, total_failures = 0, total_skipped = 0;
  for (const std::string& check : order) {
    const auto& by_resource = cases[check];
    size_t failures = 0, skipped = 0;
    std::ostringstream suite;
    for (const auto& [resource, list] : by_resource) {
      std::vector<const Finding*> failing, other;
      for (const Finding* f : list) (fails_run(*f, summary) ? failing : other).push_back(f);
      bool all_suppressed =
          !list.empty() && failing.empty() &&
          std::all_of(list.begin(), list.end(), [](const Finding* f) { return !f->suppression.empty(); });
      suite << "    <testcase classname=\"meshproof." << xml_escape(check) << "\" name=\"" << xml_escape(resource)
            << "\"";
      if (failing.empty() && other.empty()) {
        suite << "/>\n";
        continue;
      }
      suite << ">\n";
      if (!failing.empty()) {
        ++failures;
        for (const Finding* f : failing) {
          suite << "      <failure type=\"" << to_string(f->severity) << "\" message=\"" << xml_escape(f->message)
                << "\">"
                << xml_escape(
                       sources.describe(f->loc) + ": " + f->message + (f->help.empty() ? "" : "\nhelp: " + f->help) +
                       (f->witness && !f->witness->reproduce.empty() ? "\nwitness: " + f->witness->reproduce : ""))
                << "</failure>\n";
        }
      } else if (all_suppressed) {
        ++skipped;
        suite << "      <skipped message=\"" << xml_escape("suppressed: " + list.front()->suppression) << "\"/>\n";
      }
      if (!other.empty()) {
        suite << "      <system-out>";
        for (const Finding* f : other)
          suite << xml_escape(sources.describe(f->loc) + ": " + to_string(f->severity) + "[" + f->check + "]: " +
                              f->message + (f->suppression.empty() ? "" : " (suppressed: " + f->suppression + ")"))
                << "\n";
        suite << "</system-out>\n";
      }
      suite << "    </testcase>\n";
    }
    total_tests += by_resource.size();
    total_failures += failures;
    total_skipped += skipped;
    body << "  <testsuite name=\"" << xml_escape(check) << "\" tests=\"" << by_resource.size() << "\" failures=\""
         << failures << "\" errors=\"0\" skipped=\"" << skipped << "\">\n"
         << suite.str() << "  </testsuite>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"meshproof\" tests=\"" << total_tests << "\" failures=\"" << total_failures
      << "\" errors=\"0\" skipped=\"" << total_skipped << "\">\n"
      << body.str() << "</testsuites>\n";
  return out.str();
}

}  // namespace meshproof::report
