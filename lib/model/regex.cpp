// RE2 behind model/regex.h. Compiled patterns are cached: the gateway trace and the engine's concrete
// evaluator ask for the same few patterns many times, from several threads.
#include "model/regex.h"

#include <map>
#include <memory>
#include <mutex>

#include <re2/re2.h>

namespace meshproof::model {

namespace {

// Bounded so that a run over many distinct patterns does not grow without limit; the cache is cleared
// when full (patterns are cheap to recompile).
constexpr size_t kRegexCacheLimit = 4096;

std::shared_ptr<const RE2> compiled(const std::string& pattern) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const RE2>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(pattern);
    if (it != cache.end()) return it->second;
  }
  auto re = std::make_shared<const RE2>(pattern, RE2::Quiet);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= kRegexCacheLimit) cache.clear();
  cache.emplace(pattern, re);
  return re;
}

}  // namespace

std::optional<std::string> regex_error(const std::string& pattern) {
  const auto re = compiled(pattern);
  if (re->ok()) return std::nullopt;
  return re->error();
}

bool regex_full_match(const std::string& pattern, std::string_view text) {
  const auto re = compiled(pattern);
  return re->ok() && RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re);
}

std::optional<std::string> regex_replace_all(const std::string& pattern, std::string_view text,
                                             const std::string& rewrite) {
  const auto re = compiled(pattern);
  std::string error;
  if (!re->ok() || !re->CheckRewriteString(rewrite, &error)) return std::nullopt;
  std::string out(text);
  RE2::GlobalReplace(&out, *re, rewrite);
  return out;
}

}  // namespace meshproof::model
