// Istio's own validation cases (../shared/corpus/istio, see its PROVENANCE.md):
//  - pkg/config/validation/testdata/crds/*.yaml: each document is checked by Istio against the CRD schema
//    and the webhook; a top-level `_err` holds the expected error substring (invalid), no `_err` = valid.
//    For the three security kinds and DestinationRule meshproof must agree document by document, and its error must
//    name the same thing as Istio's (the message, or the field path the CRD error names). Other kinds are not validated
//    by meshproof: they must parse, and the valid ones without errors.
//  - pkg/test/datasets/validation/dataset/*.yaml: every object is valid.
#include <catch2/catch.hpp>

#include <filesystem>

#include "model_test_util.h"
#include "test_support.h"

using namespace meshproof;
using namespace meshproof::model;
namespace fs = std::filesystem;

namespace {

struct CorpusDoc {
  std::string file;
  uint32_t index = 0;
  std::string kind, name, expected_error;  // expected_error "" = valid
  ResourceSet set;
};

std::vector<CorpusDoc> load_corpus_file(const std::string& path, SourceSet& sources) {
  std::vector<CorpusDoc> out;
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  auto inputs = loader.expand({path}, errors);
  REQUIRE(errors.empty());
  REQUIRE(inputs.size() == 1);
  ParseContext ctx{&sources, &loader};
  loader.parse(
      inputs[0],
      [&](load::Document&& doc) {
        if (doc.root.is_null()) return;
        CorpusDoc c;
        c.file = fs::path(path).filename().string();
        c.index = doc.index;
        if (const load::Node* k = doc.root.find("kind")) c.kind = k->scalar;
        if (const load::Node* md = doc.root.find("metadata"))
          if (const load::Node* n = md->find("name")) c.name = n->scalar;
        if (const load::Node* e = doc.root.find("_err")) c.expected_error = e->scalar;
        add_document(doc, c.set, ctx);
        validate_all(c.set);
        out.push_back(std::move(c));
      },
      errors, notes);
  REQUIRE(errors.empty());
  return out;
}

// The part of a CRD error that names a field: "spec.targetRef.name: Required value" -> "spec.targetRef.name",
// "audiences[0] in body should be at least 1 chars long" -> "audiences[0]".
std::string field_part(const std::string& expected) {
  size_t end = expected.find_first_of(" :");
  return expected.substr(0, end);
}

bool names_same_thing(const Diagnostic& d, const std::string& expected) {
  if (d.message.find(expected) != std::string::npos) return true;
  std::string f = field_part(expected);
  if (f.empty()) return false;
  // The CRD names the field; meshproof's field path must end with it (or be it).
  return d.field.size() >= f.size() && d.field.compare(d.field.size() - f.size(), f.size(), f) == 0;
}

// The kinds validated as Istio does whose counts are pinned together: the security kinds and DestinationRule
// (model/validate_destination_rule.cpp).
bool security_kind(const std::string& k) {
  return k == "AuthorizationPolicy" || k == "PeerAuthentication" || k == "RequestAuthentication" ||
         k == "DestinationRule";
}

// Kinds meshproof validates beyond the security ones, document by document (docs/semantics.md §12). Telemetry is
// not among them: the corpus's invalid Telemetries are about metrics, which meshproof does not read.
bool validated_kind(const std::string& k) { return security_kind(k) || k == "ServiceEntry"; }

}  // namespace

TEST_CASE("Istio CRD validation cases: meshproof agrees on every security document", "[model][corpus]") {
  MESHPROOF_REQUIRE_SHARED();
  const std::string dir = test::shared_path("corpus/istio/pkg/config/validation/testdata/crds");
  REQUIRE(fs::is_directory(dir));
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 12);

  SourceSet sources;
  size_t security_docs = 0, security_invalid = 0, other_docs = 0, se_docs = 0, se_invalid = 0;
  for (const std::string& f : files) {
    for (CorpusDoc& c : load_corpus_file(f, sources)) {
      INFO(c.file << " document " << c.index << " (" << c.kind << " " << c.name
                  << "), expected: " << (c.expected_error.empty() ? "valid" : c.expected_error) << "\n"
                  << test::dump(c.set));
      auto errors = test::diags(c.set, Severity::Error);
      // `_err` is a key of the test harness, not of the object; meshproof does not check top-level fields.
      const std::string id = c.file + "#" + std::to_string(c.index);
      if (!validated_kind(c.kind) || id == "serviceentry-valid.yaml#0") {
        ++other_docs;
        if (id == "serviceentry-valid.yaml#0") {
          // Known disagreement (docs/semantics.md §2): `addresses: [1.2.3.4, 001:db8::]` - go-yaml v2 reads
          // `001:db8::` inside a flow list as a string, yaml-cpp as a one-entry map. When the loader learns
          // go-yaml's rule this check fails: then drop the exception.
          CHECK(errors.size() == 1);
          continue;
        }
        if (c.expected_error.empty()) CHECK(errors.empty());
        continue;
      }
      const bool security = security_kind(c.kind);
      ++(security ? security_docs : se_docs);
      if (c.expected_error.empty()) {
        CHECK(errors.empty());
        continue;
      }
      ++(security ? security_invalid : se_invalid);
      REQUIRE_FALSE(errors.empty());
      bool matched = false;
      for (const Diagnostic* d : errors) matched |= names_same_thing(*d, c.expected_error);
      CHECK(matched);
    }
  }
  // Every document of the corpus was seen (PROVENANCE.md: 64 documents: 33 of the security kinds, 7
  // DestinationRules, 17 ServiceEntries and 7 others).
  CHECK(security_docs == 40);
  CHECK(security_invalid == 31);
  CHECK(se_docs + other_docs == 24);
  CHECK(se_docs == 16);  // serviceentry-valid.yaml#0 is counted with the others (the known disagreement)
  CHECK(se_invalid == 12);
}

TEST_CASE("Istio validation dataset: every object is valid", "[model][corpus]") {
  MESHPROOF_REQUIRE_SHARED();
  const std::string dir = test::shared_path("corpus/istio/pkg/test/datasets/validation/dataset");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 11);
  SourceSet sources;
  size_t objects = 0;
  for (const std::string& f : files) {
    for (CorpusDoc& c : load_corpus_file(f, sources)) {
      INFO(c.file << "\n" << test::dump(c.set));
      CHECK(test::count(c.set, Severity::Error) == 0);
      CHECK(c.set.notes.empty());
      size_t n = c.set.authorization_policies.size() + c.set.peer_authentications.size() +
                 c.set.request_authentications.size() + c.set.destination_rules.size() + c.set.gateways.size() +
                 c.set.service_entries.size() + c.set.sidecars.size() + c.set.telemetries.size();
      CHECK(n == 1);
      objects += n;
    }
  }
  CHECK(objects == 11);
}

TEST_CASE("every YAML file of the shared corpora parses without a crash", "[model][corpus]") {
  MESHPROOF_REQUIRE_SHARED();
  SourceSet sources;
  load::Loader loader(sources);
  std::vector<load::LoadError> errors;
  std::vector<load::LoadNote> notes;
  auto inputs = loader.expand({test::shared_path("corpus")}, errors);
  REQUIRE(inputs.size() > 500);
  ResourceSet set;
  ParseContext ctx{&sources, &loader};
  size_t docs = 0;
  for (const auto& in : inputs)
    loader.parse(
        in,
        [&](load::Document&& d) {
          ++docs;
          add_document(d, set, ctx);
        },
        errors, notes);
  validate_all(set);
  CHECK(docs > 2000);
  CHECK(set.authorization_policies.size() > 300);
  CHECK(set.peer_authentications.size() > 100);
  // Every diagnostic is placed in a file.
  for (const Diagnostic& d : set.diagnostics) {
    INFO(d.message);
    CHECK(d.loc.file != 0);
  }
}
