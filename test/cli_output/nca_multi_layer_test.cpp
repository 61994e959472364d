// NCA's NetworkPolicy+Istio multi-layer cases (docs/peers.md, "network-config-analyzer"): the requests whose
// answers agree with NCA's expected connectivity maps stay agreed. Reads ../shared/corpus/nca (the test schemes
// copied from np-guard/network-config-analyzer v2.1.0); skips with a message when it is absent.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace meshproof::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct NcaCase {
  const char* from;
  const char* to;
  const char* port;
  const char* path;
  const char* decision;  // NCA: in the expected map = ALLOW, absent = DENY
};

// NCA's expected map `expected_output/connectivity_map_of_onlineboutique_resources.txt` (query
// connectivity-map-of-onlineboutique of multi-layer-tests/onlineboutique-multi-layer-tests-scheme.yaml): pairs
// listed there (with their port, POST and one listed path) and pairs it leaves out.
const NcaCase kMultiLayerTests[] = {
    {"frontend", "cartservice", "7070", "/hipstershop.CartService/GetCart", "ALLOW"},
    {"recommendationservice", "productcatalogservice", "3550", "/hipstershop.ProductCatalogService/ListProducts",
     "ALLOW"},
    {"checkoutservice", "emailservice", "8080", "/hipstershop.EmailService/SendOrderConfirmation", "ALLOW"},
    {"frontend", "emailservice", "8080", "/hipstershop.EmailService/SendOrderConfirmation", "DENY"},
    {"frontend", "checkoutservice", "5050", "/hipstershop.CheckoutService/PlaceOrder", "ALLOW"},
    {"loadgenerator", "checkoutservice", "5050", "/hipstershop.CheckoutService/PlaceOrder", "DENY"},
    {"frontend", "recommendationservice", "8080", "/hipstershop.RecommendationService/ListRecommendations", "ALLOW"},
    {"checkoutservice", "recommendationservice", "8080", "/hipstershop.RecommendationService/ListRecommendations",
     "DENY"},
    {"checkoutservice", "shippingservice", "50051", "/hipstershop.ShippingService/GetQuote", "ALLOW"},
    {"adservice", "currencyservice", "7000", "/hipstershop.CurrencyService/Convert", "DENY"},
    {"checkoutservice", "cartservice", "7070", "/hipstershop.CartService/Other", "DENY"},
};

fs::path nca_case(const std::string& name) {
  return fs::path(MESHPROOF_SHARED_DIR) / "corpus/nca/tests/istio_testcases/example_policies" / name;
}

}  // namespace

TEST_CASE("nca multi-layer: multi-layer-tests agrees with NCA's expected connectivity map", "[cli][netpol][nca]") {
  const fs::path dir = nca_case("multi-layer-tests/onlineboutique-resources");
  if (!fs::exists(dir)) {
    WARN("skipped: " << dir.string() << " is absent (set MESHPROOF_SHARED_DIR to the shared folder with corpus/nca)");
    return;
  }
  for (const NcaCase& c : kMultiLayerTests) {
    const std::vector<std::string> args = {"query",  dir.string(), "--from", std::string("onlineboutique/") + c.from,
                                           "--to",   std::string("onlineboutique/") + c.to,  "--port", c.port,
                                           "--method", "POST",   "--path", c.path,  "-o", "json"};
    RunResult r = run_cli(args);
    INFO(c.from << " -> " << c.to << ":" << c.port << " " << c.path << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(json::parse(r.out)["decision"].get<std::string>() == c.decision);
  }
}

}  // namespace meshproof::test
