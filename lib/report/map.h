// Renderers of `meshproof map` (map/map.h, docs/map.md): Graphviz dot, Mermaid, one self-contained HTML
// page (inline SVG laid out in two layers, a filter box, no external resources) and JSON (schema
// meshproof.map/v1). They read the map only.
#pragma once

#include <string>

#include "map/map.h"

namespace meshproof::report {

std::string format_map_dot(const map::Map& m);
std::string format_map_mermaid(const map::Map& m);
std::string format_map_html(const map::Map& m, const std::string& title);
std::string format_map_json(const map::Map& m);

// One admission in words: "port 8080 HTTP: methods: [POST] (payments/allow-orders rules[0])".
std::string map_admission_text(const map::Admission& a);
// What the L3/L4 layer says of an admission: "; BLOCKED at L3/L4 by NetworkPolicy ns/n (...) at f:l:c",
// "; L3/L4: 2 of 3 sources admitted", "; L3/L4: admitted"; "" without L3/L4 policies in the input.
std::string map_network_text(const map::Admission& a);
// An edge's label: its admissions, at most `max_lines`, then "and N more".
std::string map_edge_label(const map::Edge& e, size_t max_lines, const std::string& separator);

}  // namespace meshproof::report
