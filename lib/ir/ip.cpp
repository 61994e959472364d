#include "ir/ip.h"

#include <cstdio>
#include <vector>

#include "base/text.h"

namespace meshproof::ir {

namespace {

std::optional<std::array<uint8_t, 4>> parse_v4(std::string_view s) {
  std::array<uint8_t, 4> out{};
  size_t part = 0, i = 0;
  while (part < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    unsigned v = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      if (v > 255 || i - start >= 3) return std::nullopt;
      ++i;
    }
    // Leading zeros ("01") are ambiguous (octal in some parsers); Go's netip rejects them, and so do we.
    if (i - start > 1 && s[start] == '0') return std::nullopt;
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

std::optional<std::array<uint8_t, 16>> parse_v6(std::string_view s) {
  // Split on "::" at most once; each side is a list of hex groups, the last may be an IPv4 tail.
  std::vector<uint16_t> head, tail;
  bool has_gap = false;
  auto parse_groups = [](std::string_view part, std::vector<uint16_t>& out, bool allow_v4) -> bool {
    if (part.empty()) return true;
    size_t i = 0;
    while (true) {
      size_t j = part.find(':', i);
      std::string_view g = part.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
      if (j == std::string_view::npos && allow_v4 && g.find('.') != std::string_view::npos) {
        auto v4 = parse_v4(g);
        if (!v4) return false;
        out.push_back(static_cast<uint16_t>((*v4)[0] << 8 | (*v4)[1]));
        out.push_back(static_cast<uint16_t>((*v4)[2] << 8 | (*v4)[3]));
        return true;
      }
      if (g.empty() || g.size() > 4) return false;
      unsigned v = 0;
      for (char c : g) {
        int h = hex_digit_value(c);
        if (h < 0) return false;
        v = v * 16 + static_cast<unsigned>(h);
      }
      out.push_back(static_cast<uint16_t>(v));
      if (j == std::string_view::npos) return true;
      i = j + 1;
    }
  };
  size_t gap = s.find("::");
  if (gap != std::string_view::npos) {
    has_gap = true;
    if (s.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
    std::string_view left = s.substr(0, gap), right = s.substr(gap + 2);
    if (!parse_groups(left, head, false) || !parse_groups(right, tail, true)) return std::nullopt;
  } else {
    if (!parse_groups(s, head, true)) return std::nullopt;
  }
  size_t total = head.size() + tail.size();
  if (has_gap ? total > 7 : total != 8) return std::nullopt;
  std::array<uint16_t, 8> groups{};
  for (size_t k = 0; k < head.size(); ++k) groups[k] = head[k];
  for (size_t k = 0; k < tail.size(); ++k) groups[8 - tail.size() + k] = tail[k];
  std::array<uint8_t, 16> out{};
  for (size_t k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<uint8_t>(groups[k] >> 8);
    out[2 * k + 1] = static_cast<uint8_t>(groups[k] & 0xff);
  }
  return out;
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  IpAddress a;
  if (text.find(':') != std::string_view::npos) {
    auto v6 = parse_v6(text);
    if (!v6) return std::nullopt;
    a.v6 = true;
    a.bytes = *v6;
    return a;
  }
  auto v4 = parse_v4(text);
  if (!v4) return std::nullopt;
  for (size_t i = 0; i < 4; ++i) a.bytes[i] = (*v4)[i];
  return a;
}

std::string IpAddress::to_string() const {
  char buf[64];
  if (!v6) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
    return buf;
  }
  std::array<unsigned, 8> g{};
  for (size_t k = 0; k < 8; ++k) g[k] = static_cast<unsigned>(bytes[2 * k] << 8 | bytes[2 * k + 1]);
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on ties.
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[static_cast<size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[static_cast<size_t>(j)] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[static_cast<size_t>(i)]);
    out += buf;
  }
  return out;
}

bool Cidr::contains(const IpAddress& a) const {
  if (a.v6 != base.v6) return false;
  for (size_t i = 0; i < prefix_len; ++i)
    if (a.bit(i) != base.bit(i)) return false;
  return true;
}

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(prefix_len); }

std::optional<WrittenCidr> parse_cidr_as_written(std::string_view text, CidrProblem* problem) {
  auto fail = [&](CidrProblem p) -> std::optional<WrittenCidr> {
    if (problem) *problem = p;
    return std::nullopt;
  };
  size_t slash = text.find('/');
  std::optional<unsigned> bits;
  if (slash != std::string_view::npos) {
    std::string_view n = text.substr(slash + 1);
    if (n.empty() || n.size() > 3) return fail(CidrProblem::PrefixLength);
    unsigned v = 0;
    for (char ch : n) {
      if (ch < '0' || ch > '9') return fail(CidrProblem::PrefixLength);
      v = v * 10 + static_cast<unsigned>(ch - '0');
    }
    bits = v;
  }
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return fail(CidrProblem::Address);
  if (bits && *bits > ip->width_bits()) return fail(CidrProblem::PrefixLength);
  if (problem) *problem = CidrProblem::None;
  return WrittenCidr{*ip, static_cast<uint8_t>(bits.value_or(ip->width_bits()))};
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  auto written = parse_cidr_as_written(text);
  if (!written) return std::nullopt;
  Cidr c;
  c.prefix_len = written->prefix_len;
  c.base = written->address;
  // Clear host bits so that equal ranges compare equal.
  for (size_t i = c.prefix_len; i < c.base.width_bits(); ++i)
    c.base.bytes[i / 8] = static_cast<uint8_t>(c.base.bytes[i / 8] & ~(1u << (7 - i % 8)));
  return c;
}

}  // namespace meshproof::ir
