// Istio's builder cases through the CLI: every case of expectations.json → authzBuilderCases is written as
// a manifest directory the way a user would hold it — the case's `-in.yaml`, the proxy as a Pod
// `foo/httpbin` (labels app=httpbin, version=v1) behind a Service, and the case's trust-domain bundle and
// extension providers in the `istio` ConfigMap — and `meshproof compile` must exit 0 (every table proven
// equivalent to the policies) with the table of foo/httpbin for the case's chain equal to Istio's golden
// filters as proto JSON (golden.h, the comparison of builder_conformance_test.cpp). docs/conformance.md.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include <nlohmann/json.hpp>

#include "compile/compile.h"
#include "golden.h"
#include "load/loader.h"
#include "test_support.h"

using namespace meshproof;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The mesh config text of a case: its trust-domain bundle, and its extension providers from
// meshConfigSummary ("extensionProviders[{...}]", Go flow syntax; header globs like *-suffix quoted so that
// YAML does not read them as aliases).
std::string mesh_text(const json& c) {
  std::string mesh;
  if (c["trustDomainBundle"].is_object()) {
    mesh += "trustDomain: " + c["trustDomainBundle"]["trustDomain"].get<std::string>() + "\n";
    mesh += "trustDomainAliases:\n";
    for (const auto& a : c["trustDomainBundle"]["aliases"]) mesh += "- " + a.get<std::string>() + "\n";
  }
  if (c["meshConfigSummary"].is_string()) {
    std::string s = c["meshConfigSummary"].get<std::string>();
    s = std::regex_replace(s, std::regex("^extensionProviders\\["), "extensionProviders: [");
    s = std::regex_replace(s, std::regex("([\\[,] ?)(\\*[^,\\]]*)"), "$1\"$2\"");
    mesh += s + "\n";
  }
  return mesh;
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += pad + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// The proxy of Istio's test (PROVENANCE.md §1) and the mesh config, as manifests.
std::string environment(const json& c) {
  std::string port_name = c["forTCP"].get<bool>() ? "tcp" : "http";
  std::string out =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: httpbin\n  namespace: foo\n"
      "  labels: {app: httpbin, version: v1}\nspec:\n  containers:\n  - name: httpbin\n    image: httpbin\n"
      "    ports:\n    - containerPort: 8000\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: httpbin\n  namespace: foo\nspec:\n"
      "  selector: {app: httpbin}\n  ports:\n  - name: " +
      port_name + "\n    port: 8000\n    targetPort: 8000\n";
  std::string mesh = mesh_text(c);
  if (!mesh.empty())
    out +=
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n"
        "  mesh: |\n" +
        indent(mesh, "    ");
  return out;
}

json golden_filters(const json& files, const std::string& root) {
  json out = json::array();
  for (const auto& f : files) {
    std::string path = root + "/" + f.get<std::string>();
    SourceSet sources;
    load::Node node;
    std::vector<std::string> errors;
    REQUIRE(compile::parse_text(test::slurp_file(path), path, sources, node, errors));
    out.push_back(test::node_json(node));
  }
  return out;
}

// "" when the CLI's table equals every variant's goldens; otherwise what went wrong.
std::string run_case(const json& c, const std::string& root, const fs::path& work) {
  std::string name = c["name"].get<std::string>() + (c["forTCP"].get<bool>() ? "-tcp" : "-http");
  fs::path dir = work / name;
  fs::create_directories(dir / "in");
  fs::copy_file(root + "/" + c["input"].get<std::string>(), dir / "in" / "policies.yaml");
  std::ofstream(dir / "in" / "environment.yaml") << environment(c);
  fs::path out = dir / "out";
  test::RunResult r = test::run_cli({"compile", (dir / "in").string(), "--out", out.string()});
  if (r.exit_code != 0) return "exit " + std::to_string(r.exit_code) + ": " + r.out + r.err;
  json manifest = json::parse(test::slurp_file((out / "manifest.json").string()));
  std::string protocol = c["forTCP"].get<bool>() ? "TCP" : "HTTP";
  json emitted;
  for (const auto& t : manifest["tables"])
    if (t["protocol"] == protocol && t["representative"] == "foo/httpbin")
      emitted = json::parse(test::slurp_file((out / t["file"].get<std::string>()).string()));
  if (!emitted.is_array()) return "no " + protocol + " table for foo/httpbin";
  for (const auto& variant : c["variants"]) {
    json golden = golden_filters(variant["expectedOutputs"], root);
    if (golden.size() != emitted.size())
      return std::to_string(emitted.size()) + " filters, Istio " + std::to_string(golden.size());
    for (size_t i = 0; i < golden.size(); ++i)
      if (!test::same_filter(golden[i], emitted[i])) return "filter " + std::to_string(i) + " differs";
  }
  return "";
}

}  // namespace

TEST_CASE("conformance: Istio builder inputs compiled by `meshproof compile` equal the goldens", "[conformance][cli]") {
  MESHPROOF_REQUIRE_SHARED();
  std::string root = test::shared_path("corpus/istio");
  json cases = json::parse(test::slurp_file(root + "/expectations.json"))["authzBuilderCases"];
  REQUIRE(cases.size() == 29);
  fs::path work = fs::temp_directory_path() / ("meshproof-builder-cli-" + std::to_string(::getpid()));
  fs::remove_all(work);
  size_t equal = 0;
  std::string report;
  for (const auto& c : cases) {
    std::string problem = run_case(c, root, work);
    if (problem.empty())
      ++equal;
    else
      report += "  " + c["name"].get<std::string>() + ": " + problem + "\n";
  }
  fs::remove_all(work);
  std::string summary = "conformance (CLI): " + std::to_string(equal) + "/29 builder inputs compiled by meshproof " +
                        "compile, every table proven, equal to Istio's goldens\n" + report;
  std::cout << summary << std::flush;
  WARN(summary);
  CHECK(equal == 29);
}
