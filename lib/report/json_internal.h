// The JSON shapes of a finding and a witness, shared by the JSON, SARIF and auditor renderers. Private to
// lib/report: JSON stays out of the public headers (DESIGN.md §2).
#pragma once

#include <nlohmann/json.hpp>

#include "base/finding.h"
#include "base/location.h"

namespace meshproof::report {

nlohmann::json finding_to_json(const Finding& f, const SourceSet& sources);
nlohmann::json witness_to_json(const Witness& w);
// RFC 3986 path encoding for SARIF artifact URIs (sarif.cpp).
std::string uri_encode(const std::string& path);
// A SARIF 2.1.0 log of one run, as text (sarif.cpp; the findings' and diff's SARIF).
std::string sarif_log(nlohmann::json run);

}  // namespace meshproof::report
