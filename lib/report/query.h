// Renderings of `meshproof query` and `meshproof explain` (docs/query.md): text for people, JSON for
// scripts. They read only the answer the analysis computed (analysis/query.h).
#pragma once

#include <string>

#include "analysis/query.h"
#include "base/location.h"

namespace meshproof::report {

std::string format_query_text(const analysis::QueryAnswer& answer, const SourceSet& sources);
std::string format_query_json(const analysis::QueryAnswer& answer, const SourceSet& sources);

std::string format_explanation_text(const analysis::Explanation& explanation, const SourceSet& sources);
std::string format_explanation_json(const analysis::Explanation& explanation, const SourceSet& sources);

}  // namespace meshproof::report
