// The headline of a finding's message: messages are written "what happens: why", so a long one is cut at
// its first ": " or "; " outside quotes within about 120 characters; the rest is the detail. Shared by the
// text and Markdown emitters.
#pragma once

#include <string>

namespace meshproof::report {

inline constexpr size_t kHeadlineMax = 120;

// Where the headline ends (the index of the ':' or ';'), or npos when the message is printed whole.
size_t headline_end(const std::string& message);

// The message up to headline_end.
inline std::string headline(const std::string& message) { return message.substr(0, headline_end(message)); }

}  // namespace meshproof::report
