// Small string helpers that every layer needs. One definition here, so that the layers do not each keep a
// copy that drifts (ASCII case folding in one, locale folding in another).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace meshproof {

// ASCII lower case. Kubernetes names, Istio enum values and HTTP header names are ASCII; bytes above 0x7F
// are left as they are, so the result never depends on the process locale.
std::string ascii_lower(std::string s);
// ASCII upper case, likewise (HTTP methods).
std::string ascii_upper(std::string s);

// The value of one hexadecimal digit (either case), or -1.
int hex_digit_value(char c);

// `s` without leading and trailing ASCII white space.
std::string trim(std::string_view s);

// The items joined with `sep` ("a, b, c"); an empty list gives "".
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

// `s` split at every `sep`; "a,,b" gives {"a", "", "b"}, "" gives {""}.
std::vector<std::string> split(std::string_view s, char sep);

// Levenshtein distance (insert, delete, substitute each cost 1): the measure behind "did you mean".
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace meshproof
