// Envoy's path normalization per meshConfig.pathNormalization mode (ir/path.h). The expectations are
// Istio's own end-to-end table (istio tests/integration/security/normalization_test.go), which checks what
// the application behind the sidecar receives for each mode.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ir/path.h"

using namespace meshproof;
using ir::PathNormalization;

namespace {

struct Case {
  const char* in;
  const char* out;
};

void check_table(PathNormalization mode, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO(ir::to_string(mode) << ": " << c.in);
    ir::NormalizedPath n = ir::normalize_path(c.in, mode);
    REQUIRE_FALSE(n.rejected);
    CHECK(n.url_path + n.query == c.out);
    // What the mode produces, it leaves as it is (the symbolic engine relies on it).
    CHECK(ir::is_normalized_path(n.url_path, mode));
  }
}

}  // namespace

TEST_CASE("path normalization: Istio's table for NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES", "[ir][path]") {
  check_table(PathNormalization::None, {{"/", "/"},
                                        {"/app#foo", "/app"},
                                        {"/app/../admin", "/app/../admin"},
                                        {"/app//", "/app//"},
                                        {"/app/%2f", "/app/%2f"},
                                        {"/xyz%30..//abc", "/xyz%30..//abc"},
                                        {"/app/%2E./admin", "/app/%2E./admin"},
                                        {R"(/app\admin)", R"(/app\admin)"},
                                        {"/app//../../admin", "/app//../../admin"}});
  check_table(PathNormalization::Base,
              {{"/", "/"},
               {"/app#foo", "/app"},
               {"/app/", "/app/"},
               {"/app/../admin", "/admin"},
               {"/app//", "/app//"},
               {"/app/%2f", "/app/%2f"},
               {"/app%2f/", "/app%2f/"},
               {"/xyz%30..//abc", "/xyz0..//abc"},
               {"/app/%2E./admin", "/admin"},
               {R"(/app\admin)", "/app/admin"},
               {R"(/app/\/\/\admin)", "/app//////admin"},
               {R"(/%2Fapp%5cadmin%5Cabc)", R"(/%2Fapp%5cadmin%5Cabc)"},
               {R"(/%5Capp%2f%5c%2F%2e%2e%2fadmin%5c\abc)", R"(/%5Capp%2f%5c%2F..%2fadmin%5c/abc)"},
               {"/app//../admin", "/app/admin"},
               {"/app//../../admin", "/admin"}});
  check_table(PathNormalization::MergeSlashes, {{"/app//", "/app/"},
                                                {"/app/%2f", "/app/%2f"},
                                                {"/xyz%30..//abc", "/xyz0../abc"},
                                                {R"(/app/\/\/\admin)", "/app/admin"},
                                                {R"(/%2Fapp%5cadmin%5Cabc)", R"(/%2Fapp%5cadmin%5Cabc)"},
                                                {"/app//../admin", "/app/admin"}});
  check_table(PathNormalization::DecodeAndMergeSlashes, {{"/app/%2f", "/app/"},
                                                         {"/app%2f/", "/app/"},
                                                         {R"(/%2Fapp%5cadmin%5Cabc)", "/app/admin/abc"},
                                                         {R"(/%5Capp%2f%5c%2F%2e%2e%2fadmin%5c\abc)", "/app/admin/abc"},
                                                         {"/%c0%2e%c0%2e/admin", "/%c0.%c0./admin"},
                                                         {"/%c0%2fadmin", "/%c0/admin"},
                                                         {"/..;/admin", "/..;/admin"},
                                                         {"/%252e%252e/admin", "/%252e%252e/admin"},
                                                         {"/ADMIN", "/ADMIN"},
                                                         {"/.../admin", "/.../admin"}});
}

TEST_CASE("path normalization: escapes of unreserved characters are decoded, others kept (Chromium)", "[ir][path]") {
  // Istio's PercentEncoded group: %XX of a letter, digit, '-', '.', '_', '~' is decoded.
  CHECK(ir::normalize_path("/admin%41", PathNormalization::Base).url_path == "/adminA");
  CHECK(ir::normalize_path("/admin%7e", PathNormalization::Base).url_path == "/admin~");
  CHECK(ir::normalize_path("/admin%2e", PathNormalization::Base).url_path == "/admin.");
  CHECK(ir::normalize_path("/admin%20", PathNormalization::Base).url_path == "/admin%20");
  CHECK(ir::normalize_path("/admin%5c", PathNormalization::DecodeAndMergeSlashes).url_path == "/admin/");
  // Characters a path may not hold unescaped are escaped (upper-case hex).
  CHECK(ir::normalize_path("/a b", PathNormalization::Base).url_path == "/a%20b");
  // A query is kept aside; the path before it is normalized.
  ir::NormalizedPath q = ir::normalize_path("/x/../admin?a=../b", PathNormalization::Base);
  CHECK(q.url_path == "/admin");
  CHECK(q.query == "?a=../b");
}

TEST_CASE("path normalization: what Envoy refuses before any filter", "[ir][path]") {
  for (auto mode : {PathNormalization::None, PathNormalization::Base, PathNormalization::MergeSlashes,
                    PathNormalization::DecodeAndMergeSlashes}) {
    CHECK(ir::normalize_path(R"(\admin)", mode).rejected);  // 404: not starting with '/'
    CHECK(ir::normalize_path("admin", mode).rejected);
    CHECK_FALSE(ir::normalize_path("", mode).rejected);  // no path at all: the model's "absent"
  }
  CHECK(ir::normalize_path("/admin%00", PathNormalization::DecodeAndMergeSlashes).rejected);  // Istio: 400
  CHECK_FALSE(ir::normalize_path("/admin%00", PathNormalization::None).rejected);
}

TEST_CASE("path normalization: the modes' names and which atoms a normalized path can satisfy", "[ir][path]") {
  CHECK(ir::parse_path_normalization("") == PathNormalization::Base);
  CHECK(ir::parse_path_normalization("DEFAULT") == PathNormalization::Base);
  CHECK(ir::parse_path_normalization("NONE") == PathNormalization::None);
  CHECK(ir::parse_path_normalization("MERGE_SLASHES") == PathNormalization::MergeSlashes);
  CHECK(ir::parse_path_normalization("DECODE_AND_MERGE_SLASHES") == PathNormalization::DecodeAndMergeSlashes);
  CHECK_FALSE(ir::is_normalized_path("/a/../b", PathNormalization::Base));
  CHECK(ir::is_normalized_path("/a/../b", PathNormalization::None));
  CHECK_FALSE(ir::is_normalized_path("admin", PathNormalization::None));
  CHECK(ir::normalized_prefix_possible("/admin/.", PathNormalization::Base));  // "/admin/.x"
  CHECK_FALSE(ir::normalized_prefix_possible("/admin/./", PathNormalization::Base));
  CHECK_FALSE(ir::normalized_suffix_possible("/..", PathNormalization::Base));
  CHECK(ir::normalized_suffix_possible("..", PathNormalization::Base));  // "/x.."
  CHECK(ir::normalized_prefix_possible("//", PathNormalization::Base));
  CHECK_FALSE(ir::normalized_prefix_possible("//a", PathNormalization::MergeSlashes));
  CHECK_FALSE(ir::normalized_suffix_possible("%2Fa", PathNormalization::DecodeAndMergeSlashes));
  for (char c : ir::path_middle_characters())
    for (auto mode : {PathNormalization::Base, PathNormalization::DecodeAndMergeSlashes})
      CHECK(ir::is_normalized_path(std::string("/%") + c + "/" + c + ".." + c, mode));
}
