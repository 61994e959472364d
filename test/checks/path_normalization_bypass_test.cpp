// path-normalization-bypass end to end: under the default normalization (BASE) `//p`, `/%2Fp`, `/%5Cp` and
// `/P` are allowed while `/p` is denied; DECODE_AND_MERGE_SLASHES with an ALLOW list leaves nothing open.
#include <catch2/catch.hpp>

#include "engine/evaluate.h"
#include "harness.h"

using namespace meshproof;

TEST_CASE("path-normalization-bypass reports exact and prefix DENY paths walked around with //",
          "[checks][path-normalization-bypass]") {
  auto run = test::run_fixture("checks/path-normalization-bypass/positive.yaml", {{}, {"path-normalization-bypass"}});
  INFO("findings:" << run->dump());
  auto found = run->of("path-normalization-bypass");
  REQUIRE(found.size() == 1);
  const Finding& f = *found[0];
  CHECK(f.id == "MP2011");
  CHECK(f.severity == Severity::Warning);
  CHECK(f.resource.name == "deny-admin-console");
  CHECK(f.properties.at("paths") == "/admin; /jobs/");
  CHECK(f.properties.at("normalization") == "BASE");
  CHECK(f.properties.at("spellings") == "double-slash; encoded-slash; encoded-backslash; case");
  CHECK(f.properties.count("reproduce.case") == 1);
  REQUIRE(f.witness.has_value());
  CHECK(f.witness->path == "//admin");
  CHECK(f.witness->decision == "ALLOW");
  CHECK(f.witness->port == 8042);
  // The caller is one the DENY means to stop (not pacs-admin) and one the ALLOW admits (the viewer).
  CHECK(f.witness->source_principal == "cluster.local/ns/imaging/sa/viewer");
  CHECK(f.message.find("it is denied") != std::string::npos);
}

TEST_CASE("path-normalization-bypass is quiet when the mesh decodes and merges and the ALLOW list names paths",
          "[checks][path-normalization-bypass]") {
  auto run = test::run_fixture("checks/path-normalization-bypass/negative.yaml", {{}, {"path-normalization-bypass"}});
  INFO("findings:" << run->dump());
  REQUIRE(run->input->mesh.config.path_normalization == "DECODE_AND_MERGE_SLASHES");
  CHECK(run->of("path-normalization-bypass").empty());
}
