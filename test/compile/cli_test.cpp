// `meshproof compile` and `meshproof verify-envoy` end to end, and the config-dump fixtures:
// test/fixtures/compile/config_dump.json is built from the tables `compile` emits for bank/api (as Envoy's
// /config_dump prints them: snake_case, an inbound `virtualInbound` listener with one chain per port and
// protocol); config_dump_drifted.json is the same with one matcher changed. Regenerate both with
//   MESHPROOF_REGENERATE_FIXTURES=1 build/test/test_compile "config dump fixtures*"
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "compile/compile.h"
#include "compile/config_dump.h"
#include "compile/emit/emit.h"
#include "test_support.h"

using namespace meshproof;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("meshproof-cli-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string snake(const std::string& k) {
  if (k == "@type") return k;
  std::string out;
  for (char c : k) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Envoy's /config_dump spells proto field names in snake_case; policy names (map keys) stay as they are.
json to_snake(const json& j, bool map_of_names = false) {
  if (j.is_array()) {
    json a = json::array();
    for (const auto& i : j) a.push_back(to_snake(i));
    return a;
  }
  if (!j.is_object()) return j;
  json o = json::object();
  for (auto it = j.begin(); it != j.end(); ++it)
    o[map_of_names ? it.key() : snake(it.key())] = to_snake(it.value(), it.key() == "policies");
  return o;
}

json chain(const std::string& name, std::optional<uint32_t> port, const json& filters, bool http) {
  json c = json::object();
  c["name"] = name;
  if (port) c["filter_chain_match"] = json{{"destination_port", *port}, {"transport_protocol", "tls"}};
  json fs = json::array();
  fs.push_back(json{{"name", "istio.metadata_exchange"},
                    {"typed_config", json{{"@type", "type.googleapis.com/udpa.type.v1.TypedStruct"}}}});
  if (http) {
    json hf = to_snake(filters);
    hf.push_back(
        json{{"name", "envoy.filters.http.router"},
             {"typed_config", json{{"@type", "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}}});
    fs.push_back(json{
        {"name", "envoy.filters.network.http_connection_manager"},
        {"typed_config",
         json{{"@type",
               "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"},
              {"stat_prefix", "inbound_0.0.0.0_" + std::to_string(port.value_or(0))},
              {"http_filters", hf}}}});
  } else {
    for (const auto& f : to_snake(filters)) fs.push_back(f);
    fs.push_back(json{
        {"name", "envoy.filters.network.tcp_proxy"},
        {"typed_config", json{{"@type", "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"},
                              {"stat_prefix", "inbound|" + std::to_string(port.value_or(0)) + "||"},
                              {"cluster", "inbound|" + std::to_string(port.value_or(0)) + "||"}}}});
  }
  c["filters"] = fs;
  return c;
}

// The dump a sidecar of bank/api holds when it runs the emitted tables.
json build_dump(const json& http_filters, const json& tcp_filters) {
  json chains = json::array();
  chains.push_back(chain("0.0.0.0_8080", 8080, http_filters, true));
  chains.push_back(chain("0.0.0.0_9000", 9000, tcp_filters, false));
  chains.push_back(chain("virtualInbound-catchall-http", std::nullopt, http_filters, true));
  chains.push_back(chain("virtualInbound", std::nullopt, tcp_filters, false));
  chains.push_back(json{
      {"name", "virtualInbound-blackhole"},
      {"filter_chain_match", json{{"destination_port", 15006}}},
      {"filters",
       json::array({json{{"name", "envoy.filters.network.tcp_proxy"},
                         {"typed_config",
                          json{{"@type", "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"},
                               {"cluster", "BlackHoleCluster"},
                               {"stat_prefix", "BlackHoleCluster"}}}}})}});
  json listener{{"name", "virtualInbound"},
                {"address", json{{"socket_address", json{{"address", "0.0.0.0"}, {"port_value", 15006}}}}},
                {"filter_chains", chains}};
  json dump{{"configs", json::array({json{{"@type", "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump"}},
                                     json{{"@type", "type.googleapis.com/envoy.admin.v3.ListenerConfigDump"},
                                          {"version_info", "2026-11-22T00:00:00Z/1"},
                                          {"dynamic_listeners",
                                           json::array({json{{"name", "virtualInbound"},
                                                             {"active_state", json{{"version_info", "1"},
                                                                                   {"listener", listener}}}}})}}})}};
  return dump;
}

struct Tables {
  json http, tcp;
};

Tables bank_tables() {
  auto in = test::load_paths({test::fixture("compile/bank.yaml")});
  REQUIRE(in->errors.empty());
  compile::CompileOptions opts;
  opts.threads = 1;
  compile::CompileResult r = compile::compile_mesh(in->mesh, opts);
  Tables t;
  for (const auto& tb : r.tables)
    if (tb.representative == "bank/api") (tb.protocol == ir::Protocol::Http ? t.http : t.tcp) = tb.filters;
  REQUIRE(t.http.is_array());
  REQUIRE(t.tcp.is_array());
  return t;
}

// The drift: the DENY rule on /debug* now only covers /debugz* (a one-character change).
json drift(json dump) {
  json& hf = dump["configs"][1]["dynamic_listeners"][0]["active_state"]["listener"]["filter_chains"][0]["filters"][1]
                 ["typed_config"]["http_filters"];
  json& rules = hf[1]["typed_config"]["rules"]["policies"]["ns[bank]-policy[deny-debug]-rule[0]"]["permissions"][0]
                  ["and_rules"]["rules"][0]["or_rules"]["rules"][0]["url_path"]["path"];
  REQUIRE(rules["prefix"] == "/debug");
  rules["prefix"] = "/debugz";
  return dump;
}

}  // namespace

TEST_CASE("config dump fixtures are the emitted tables, and verify in the library", "[compile][verify]") {
  Tables t = bank_tables();
  json dump = build_dump(t.http, t.tcp);
  json drifted = drift(dump);
  if (std::getenv("MESHPROOF_REGENERATE_FIXTURES")) {
    std::ofstream(test::fixture("compile/config_dump.json")) << dump.dump(2) << "\n";
    std::ofstream(test::fixture("compile/config_dump_drifted.json")) << drifted.dump(2) << "\n";
  }
  // The committed fixtures are exactly what the emitter produces today.
  CHECK(json::parse(slurp(test::fixture("compile/config_dump.json"))) == dump);
  CHECK(json::parse(slurp(test::fixture("compile/config_dump_drifted.json"))) == drifted);

  auto in = test::load_paths({test::fixture("compile/bank.yaml")});
  const mesh::Workload* w = in->mesh.find("bank", "api");
  REQUIRE(w);
  ir::LowerContext ctx = ir::LowerContext::from(in->mesh.config);
  for (int drifted_case = 0; drifted_case < 2; ++drifted_case) {
    SourceSet s;
    load::Node root;
    std::vector<std::string> errs;
    REQUIRE(compile::parse_text((drifted_case ? drifted : dump).dump(), "dump.json", s, root, errs));
    std::vector<compile::InboundChain> chains;
    std::vector<compile::DecodeError> derrs;
    REQUIRE(compile::inbound_chains(root, chains, derrs));
    REQUIRE(chains.size() == 4);  // the blackhole chain is skipped
    CHECK(chains[0].protocol == ir::Protocol::Http);
    CHECK(chains[0].port == 8080u);
    CHECK(chains[1].protocol == ir::Protocol::Tcp);
    std::vector<compile::ChainVerdict> verdicts;
    REQUIRE(compile::verify_chains(chains, *w, ctx, {}, verdicts, derrs));
    REQUIRE(verdicts.size() == 4);
    for (size_t i = 0; i < verdicts.size(); ++i) {
      bool expect_diff = drifted_case && i == 0;
      INFO("chain " << i);
      CHECK((verdicts[i].result.status == engine::EquivalenceStatus::Differs) == expect_diff);
      if (!expect_diff) CHECK(verdicts[i].result.status == engine::EquivalenceStatus::Proven);
    }
    if (drifted_case) {
      const auto& d = *verdicts[0].result.difference;
      REQUIRE(d.has_witness);
      CHECK(d.witness.path.rfind("/debug", 0) == 0);
      CHECK(d.witness.path.rfind("/debugz", 0) != 0);
      CHECK(d.witness.mtls);  // reachable on the STRICT port
      CHECK(d.left.reason == "deny-matched");
      CHECK(d.right.reason != "deny-matched");
    }
  }
}

TEST_CASE("meshproof compile writes proven tables and a manifest", "[compile][cli]") {
  fs::path out = temp_dir("out") / "rbac";
  auto r = test::run_cli({"compile", test::fixture("compile/bank.yaml"), "--out", out.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("proven  bank/api") != std::string::npos);
  json m = json::parse(slurp(out / "manifest.json"));
  CHECK(m["allProven"] == true);
  REQUIRE(m["tables"].size() >= 2);
  for (const auto& t : m["tables"]) {
    CHECK(t["proof"]["status"] == "proven");
    CHECK(fs::exists(out / t["file"].get<std::string>()));
  }
  // The same again, as YAML, replacing the previous output; identical input gives identical files.
  std::string first = slurp(out / "manifest.json");
  auto r2 = test::run_cli({"compile", test::fixture("compile/bank.yaml"), "--out", out.string()});
  REQUIRE(r2.exit_code == 0);
  CHECK(slurp(out / "manifest.json") == first);
  auto y = test::run_cli(
      {"compile", test::fixture("compile/bank.yaml"), "--out", out.string(), "-o", "yaml", "--workload", "bank/api"});
  INFO(y.out << y.err);
  REQUIRE(y.exit_code == 0);
  json my = json::parse(slurp(out / "manifest.json"));
  CHECK(my["format"] == "yaml");
  for (const auto& t : my["tables"]) CHECK(t["file"].get<std::string>().find(".yaml") != std::string::npos);
}

TEST_CASE("meshproof compile: bad input and bad arguments exit 2, nothing written", "[compile][cli]") {
  fs::path dir = temp_dir("bad");
  fs::path bad = dir / "bad.yaml";
  std::ofstream(bad) << "apiVersion: v1\nkind: Service\nmetadata: {name: x\n";
  fs::path out = dir / "out";
  auto r = test::run_cli({"compile", bad.string(), "--out", out.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bad.yaml:") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  auto w =
      test::run_cli({"compile", test::fixture("compile/bank.yaml"), "--out", out.string(), "--workload", "bank/nope"});
  CHECK(w.exit_code == 2);
  CHECK(w.err.find("bank/nope") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  // An existing directory that is not a meshproof output is never replaced.
  fs::create_directories(dir / "mine");
  std::ofstream(dir / "mine" / "keep.txt") << "x";
  auto k = test::run_cli({"compile", test::fixture("compile/bank.yaml"), "--out", (dir / "mine").string()});
  CHECK(k.exit_code == 2);
  CHECK(fs::exists(dir / "mine" / "keep.txt"));
}

TEST_CASE("meshproof verify-envoy: consistent, drifted and malformed dumps", "[compile][cli][verify]") {
  std::string mesh = test::fixture("compile/bank.yaml");
  auto ok = test::run_cli(
      {"verify-envoy", mesh, "--config-dump", test::fixture("compile/config_dump.json"), "--workload", "bank/api"});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("all 4 inbound filter chains") != std::string::npos);

  auto drifted = test::run_cli({"verify-envoy", mesh, "--config-dump",
                                test::fixture("compile/config_dump_drifted.json"), "--workload", "bank/api"});
  INFO(drifted.out << drifted.err);
  CHECK(drifted.exit_code == 1);
  CHECK(drifted.out.find("differs") != std::string::npos);
  CHECK(drifted.out.find("request:") != std::string::npos);
  CHECK(drifted.out.find("\"/debug") != std::string::npos);
  CHECK(drifted.out.find("config_dump_drifted.json:") != std::string::npos);

  fs::path dir = temp_dir("dump");
  fs::path broken = dir / "broken.json";
  std::ofstream(broken) << "{\"configs\": [ {\"@type\": \"x\", \n";
  auto b = test::run_cli({"verify-envoy", mesh, "--config-dump", broken.string(), "--workload", "bank/api"});
  CHECK(b.exit_code == 2);
  CHECK(b.err.find("broken.json:") != std::string::npos);

  // A matcher kind the decoder does not know: exit 2 with its position.
  std::string text = slurp(test::fixture("compile/config_dump.json"));
  size_t at = text.find("\"url_path\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 10, "\"url_pathx\"");
  fs::path unknown = dir / "unknown.json";
  std::ofstream(unknown) << text;
  auto u = test::run_cli({"verify-envoy", mesh, "--config-dump", unknown.string(), "--workload", "bank/api"});
  CHECK(u.exit_code == 2);
  CHECK(u.err.find("unknown.json:") != std::string::npos);
  CHECK(u.err.find("url_pathx") != std::string::npos);

  auto nw = test::run_cli(
      {"verify-envoy", mesh, "--config-dump", test::fixture("compile/config_dump.json"), "--workload", "bank/none"});
  CHECK(nw.exit_code == 2);
}
