#include "outputs.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>

#include "base/text.h"
#include "common.h"

namespace meshproof::cli {

namespace {

bool allowed(const std::string& format, const std::vector<std::string>& formats) {
  return std::find(formats.begin(), formats.end(), format) != formats.end();
}

OutputTarget split_value(const std::string& value) {
  const size_t eq = value.find('=');
  if (eq == std::string::npos) return {value, ""};
  return {value.substr(0, eq), value.substr(eq + 1)};
}

}  // namespace

std::string check_output_value(const std::string& value, const std::vector<std::string>& formats) {
  const OutputTarget t = split_value(value);
  if (!allowed(t.format, formats))
    return "'" + t.format + "' is not an output format; use one of " + join(formats, ", ") +
           ", optionally followed by =FILE (e.g. -o sarif=meshproof.sarif)";
  if (value.find('=') != std::string::npos && t.file.empty())
    return "'" + value + "' names no file after '='; write -o " + t.format + " for standard output";
  return "";
}

std::optional<std::vector<OutputTarget>> parse_output_targets(const std::vector<std::string>& values,
                                                              const std::vector<std::string>& formats,
                                                              const std::string& fallback, std::string& error) {
  std::vector<OutputTarget> targets;
  std::map<std::string, std::string> seen_files;
  size_t to_stdout = 0;
  for (const std::string& v : values) {
    if (error = check_output_value(v, formats); !error.empty()) return std::nullopt;
    OutputTarget t = split_value(v);
    if (t.file.empty() || t.file == "-") {
      t.file.clear();
      if (++to_stdout > 1) {
        error = "more than one output format goes to standard output; give each but one a file (-o FORMAT=FILE)";
        return std::nullopt;
      }
    } else if (auto [it, fresh] = seen_files.emplace(t.file, t.format); !fresh) {
      error = "two outputs write to '" + t.file + "' (" + it->second + " and " + t.format + ")";
      return std::nullopt;
    }
    targets.push_back(t);
  }
  if (targets.empty()) targets.push_back({fallback, ""});
  return targets;
}

std::string format_of_extension(const std::string& file, const std::vector<std::string>& formats) {
  static const std::map<std::string, std::string> by_extension = {
      {"md", "md"},       {"markdown", "md"}, {"html", "html"}, {"htm", "html"},   {"json", "json"},
      {"sarif", "sarif"}, {"xml", "junit"},   {"txt", "text"},  {"junit", "junit"}};
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos || file.find('/', dot) != std::string::npos) return "";
  std::string ext = file.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (file.size() > 11 && file.substr(file.size() - 11) == ".sarif.json") ext = "sarif";
  auto it = by_extension.find(ext);
  return it != by_extension.end() && allowed(it->second, formats) ? it->second : "";
}

bool write_outputs(const std::vector<OutputTarget>& targets,
                   const std::function<std::string(const OutputTarget&)>& render) {
  std::vector<std::string> texts;
  for (const OutputTarget& t : targets) texts.push_back(render(t));
  for (size_t i = 0; i < targets.size(); ++i)
    if (!targets[i].file.empty() && !write_file_atomically(targets[i].file, texts[i])) return false;
  for (size_t i = 0; i < targets.size(); ++i)
    if (targets[i].file.empty() && !write_stdout(texts[i])) return false;
  return true;
}

bool use_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org: set and not empty
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}

}  // namespace meshproof::cli
