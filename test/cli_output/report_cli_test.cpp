// `meshproof report`: formats, atomic --out, pinned generation time, and the HTML rendered by headless
// Chromium to a PNG that is not blank.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"
#include "report/auditor.h"

using namespace meshproof;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> report_args(const std::string& format, const std::string& out) {
  return {"report",
          test::fixture("report/failing"),
          "--profile",
          test::fixture("report/profiles/expired.yaml"),
          "-o",
          format,
          "--out",
          out,
          "--generated-at",
          "2026-06-01T08:00:00Z"};
}

// The headless browser the rendering tests use, "" when none is installed.
std::string chromium_binary() {
  for (const char* b : {"chromium", "chromium-browser", "google-chrome"})
    if (test::have_command(b)) return b;
  return "";
}

// Runs the browser headless on `html` with `action` (--screenshot=..., --print-to-pdf=..., --dump-dom), its
// standard output into `out`; returns the shell status. Each run gets its own profile directory.
int run_chromium(const std::string& browser, const fs::path& dir, const fs::path& html, const std::string& action,
                 const fs::path& out) {
  static int runs = 0;
  const fs::path profile = dir / ("chromium-profile-" + std::to_string(runs++));
  std::string cmd = "timeout 300 " + browser +
                    " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
                    " --disable-component-update --disable-sync --user-data-dir='" +
                    profile.string() + "' " + action + " 'file://" + html.string() + "' >'" + out.string() + "' 2>>'" +
                    (dir / "chromium.log").string() + "'";
  return std::system(cmd.c_str());
}

}  // namespace

TEST_CASE("report cli: html, md and json files with every section") {
  fs::path dir = test::temp_dir("report-formats");
  for (const std::string& format : {"html", "md", "json"}) {
    fs::path out = dir / ("report." + format);
    auto r = test::run_cli(report_args(format, out.string()));
    INFO(format << "\n" << r.err);
    CHECK(r.exit_code == 1);  // mtls-not-strict errors, as `check` would exit
    CHECK(r.out.empty());     // --out: nothing on stdout
    REQUIRE(fs::exists(out));
    std::string text = test::read_file(out);
    if (format == "html") {
      for (const std::string& id : report::audit_sections()) CHECK_THAT(text, Catch::Contains("id=\"" + id + "\""));
      CHECK_THAT(text, Catch::Contains("2026-06-01T08:00:00Z"));
    } else if (format == "md") {
      CHECK_THAT(text, Catch::Contains("## 5. Effective mTLS of regulated workloads"));
    } else {
      json j = json::parse(text);
      CHECK(j["result"] == "fail");
      CHECK(j["scope"]["profile"]["name"] == "test-expired");
      CHECK(j["scope"]["z3_version"].get<std::string>().find('.') != std::string::npos);
      CHECK(j["exceptions"][0]["status"] == "expired");
      CHECK(j["scope"]["exception_date"] == "2026-06-01");  // defaults to the generation date
    }
  }
  // Left over temporaries would be partial outputs.
  for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().string().find("meshproof-tmp") == std::string::npos);
}

TEST_CASE("report cli: the generation time is pinned by --generated-at or SOURCE_DATE_EPOCH") {
  fs::path dir = test::temp_dir("report-pinned");
  auto a = test::run_cli(report_args("html", (dir / "a.html").string()));
  auto b = test::run_cli(report_args("html", (dir / "b.html").string()));
  REQUIRE(a.exit_code == b.exit_code);
  CHECK(test::read_file(dir / "a.html") == test::read_file(dir / "b.html"));

  ::setenv("SOURCE_DATE_EPOCH", "1780300800", 1);  // 2026-06-01T08:00:00Z
  auto c =
      test::run_cli({"report", test::fixture("report/failing"), "--profile",
                     test::fixture("report/profiles/expired.yaml"), "-o", "html", "--out", (dir / "c.html").string()});
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  auto bad_env = test::run_cli({"report", test::fixture("report/failing"), "-o", "json"});
  ::unsetenv("SOURCE_DATE_EPOCH");
  CHECK(c.exit_code == a.exit_code);
  CHECK(test::read_file(dir / "c.html") == test::read_file(dir / "a.html"));
  CHECK(bad_env.exit_code == 2);
  CHECK_THAT(bad_env.err, Catch::Contains("SOURCE_DATE_EPOCH"));

  auto bad_flag = test::run_cli({"report", test::fixture("report/failing"), "--generated-at", "June 1st"});
  CHECK(bad_flag.exit_code == 2);
  CHECK_THAT(bad_flag.err, Catch::Contains("--generated-at"));
}

TEST_CASE("report cli: --out is written atomically, a failed run leaves no partial file") {
  fs::path dir = test::temp_dir("report-atomic");
  fs::path out = dir / "report.html";
  test::write_file(out, "previous report");
  auto bad = test::run_cli({"report", test::fixture("report/bad/broken.yaml"), "--out", out.string()});
  CHECK(bad.exit_code == 2);
  CHECK(test::read_file(out) == "previous report");

  auto bad_profile = test::run_cli({"report", test::fixture("report/failing"), "--profile",
                                    test::fixture("report/bad/broken.yaml"), "--out", out.string()});
  CHECK(bad_profile.exit_code == 2);
  CHECK_THAT(bad_profile.err, Catch::Contains("broken.yaml:"));
  CHECK(test::read_file(out) == "previous report");

  auto no_dir = test::run_cli(report_args("html", (dir / "missing" / "r.html").string()));
  CHECK(no_dir.exit_code == 2);
  CHECK_THAT(no_dir.err, Catch::Contains("cannot write"));
  CHECK_FALSE(fs::exists(dir / "missing"));

  auto ok = test::run_cli(report_args("html", out.string()));
  CHECK(ok.exit_code == 1);
  CHECK_THAT(test::read_file(out), Catch::StartsWith("<!DOCTYPE html>"));
  for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename() == "report.html");
}

TEST_CASE("report cli: the HTML renders in headless Chromium to a non-blank page and loads nothing") {
  fs::path dir = test::temp_dir("report-render");
  fs::path html = dir / "report.html";
  auto r = test::run_cli(report_args("html", html.string()));
  REQUIRE(fs::exists(html));
  const std::string text = test::read_file(html);
  // Self-contained: nothing that a browser would fetch.
  // (A URL as text, such as a git remote in the scope, loads nothing; URLs in attributes would.)
  for (const char* needle : {"href=\"http", "src=", "<script", "<link", "<img", "@import", "url(http"}) {
    INFO(needle);
    CHECK(text.find(needle) == std::string::npos);
  }

  const std::string browser = chromium_binary();
  if (browser.empty()) {
    WARN("skipped rendering: chromium is not installed (apt-get install -y chromium)");
    return;
  }
  fs::path png = dir / "out.png";
  int status =
      run_chromium(browser, dir, html, "--screenshot='" + png.string() + "' --window-size=1280,2000", dir / "stdout");
  INFO(test::read_file(dir / "chromium.log"));
  CHECK(WIFEXITED(status));
  REQUIRE(fs::exists(png));
  auto stats = test::run_script("png_stats.py", {png.string()});
  INFO(stats.err);
  REQUIRE(stats.exit_code == 0);
  json s = json::parse(stats.out);
  CHECK(s["width"] == 1280);
  CHECK(s["height"] == 2000);
  // A blank page has no non-white pixel; a rendered report has text, badges and tables.
  CHECK(s["nonwhite"].get<long>() > 20000);
  CHECK(s["colors"].get<long>() > 20);
}

// The number of pages of a PDF as Chromium (Skia) writes it: one "/Type /Page" object per page.
size_t pdf_pages(const std::string& pdf) {
  size_t pages = 0;
  for (size_t at = pdf.find("/Type /Page"); at != std::string::npos; at = pdf.find("/Type /Page", at + 1))
    if (at + 11 < pdf.size() && pdf[at + 11] != 's') ++pages;
  return pages;
}

TEST_CASE("report cli: the printed report (headless Chromium PDF) has every section, the charts and page numbers") {
  fs::path dir = test::temp_dir("report-print");
  fs::path html = dir / "report.html";
  test::run_cli(report_args("html", html.string()));
  REQUIRE(fs::exists(html));
  const std::string browser = chromium_binary();
  if (browser.empty()) {
    WARN("skipped printing: chromium is not installed (apt-get install -y chromium)");
    return;
  }
  // The DOM as the browser built it: every section and both pictures are there after parsing.
  fs::path dom = dir / "dom.html";
  run_chromium(browser, dir, html, "--dump-dom", dom);
  const std::string dom_text = test::read_file(dom);
  INFO(test::read_file(dir / "chromium.log"));
  for (const std::string& id : report::audit_sections()) {
    INFO(id);
    CHECK_THAT(dom_text, Catch::Contains("<section id=\"" + id + "\">"));
  }
  CHECK_THAT(dom_text, Catch::Contains("id=\"mtls-chart\""));
  CHECK_THAT(dom_text, Catch::Contains("id=\"access-chart\""));

  // Printed: a cover page, then each of the eight sections on pages of its own.
  fs::path pdf = dir / "report.pdf";
  run_chromium(browser, dir, html, "--no-pdf-header-footer --print-to-pdf='" + pdf.string() + "'", dir / "stdout");
  REQUIRE(fs::exists(pdf));
  const std::string pdf_bytes = test::read_file(pdf);
  CHECK_THAT(pdf_bytes, Catch::StartsWith("%PDF-"));
  CHECK(pdf_bytes.size() > 20000);
  CHECK(pdf_pages(pdf_bytes) >= 1 + report::audit_sections().size());
  if (!test::have_command("pdftotext")) {
    WARN(
        "pdftotext is not installed (apt-get install -y poppler-utils): the PDF's text is not checked, only its "
        "pages and the DOM");
    return;
  }
  fs::path txt = dir / "report.txt";
  REQUIRE(std::system(("pdftotext '" + pdf.string() + "' '" + txt.string() + "'").c_str()) == 0);
  const std::string text = test::read_file(txt);
  for (const char* heading : {"1. Scope", "2. Regulated namespaces", "3. Controls", "4. Findings", "5. Effective mTLS",
                              "6. Who may call", "7. Exceptions", "8. What this report", "Coverage per namespace",
                              "STRICT", "PERMISSIVE", "Page 1 of", "Page 2 of"}) {
    INFO(heading);
    CHECK_THAT(text, Catch::Contains(heading));
  }
}
