// `-o FORMAT[=FILE]` (repeatable): one run writes several formats, each to standard output or to a file.
// Every output is rendered before any is written, and files are written atomically, so that a failure
// leaves no partial file behind.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshproof::cli {

struct OutputTarget {
  std::string format;
  std::string file;  // "" = standard output
};

// Parses the -o values against the allowed formats; at most one may go to standard output. With no
// value, `fallback` goes to standard output. On a bad value returns nullopt with `error` set.
std::optional<std::vector<OutputTarget>> parse_output_targets(const std::vector<std::string>& values,
                                                              const std::vector<std::string>& formats,
                                                              const std::string& fallback, std::string& error);

// The format a file name's extension names among `formats` ("report.md" -> "md", "x.sarif" -> "sarif",
// "x.htm" -> "html", "x.xml" -> "junit" when allowed), else "".
std::string format_of_extension(const std::string& file, const std::vector<std::string>& formats);

// Renders every target with `render` and writes them; false (an error printed) when a write failed.
bool write_outputs(const std::vector<OutputTarget>& targets,
                   const std::function<std::string(const OutputTarget&)>& render);

// --color: "always", "never" or "auto" (standard output is a terminal, NO_COLOR unset, TERM not dumb).
bool use_color(const std::string& mode);

// CLI11 validator text for one -o value, "" when it is well formed.
std::string check_output_value(const std::string& value, const std::vector<std::string>& formats);

}  // namespace meshproof::cli
