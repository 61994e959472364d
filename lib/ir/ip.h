// IP addresses and CIDR ranges as plain values (IPv4 and IPv6), for the IR's CIDR atoms and for
// concrete requests. No dependency on any socket header, so that every layer above can use it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meshproof::ir {

struct IpAddress {
  bool v6 = false;
  // Network byte order. IPv4 uses bytes[0..3] and leaves the rest zero, so that equality and ordering
  // are plain array comparisons.
  std::array<uint8_t, 16> bytes{};

  size_t width_bits() const { return v6 ? 128 : 32; }
  // Bit i (0 = most significant) of the address.
  bool bit(size_t i) const { return (bytes[i / 8] >> (7 - i % 8)) & 1; }
  std::string to_string() const;  // dotted quad, or RFC 5952 text for IPv6

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

// Parses "1.2.3.4" or an IPv6 literal ("::1", "2001:db8::7", "::ffff:1.2.3.4"). No zone ids, no brackets.
std::optional<IpAddress> parse_ip(std::string_view text);

// A CIDR range. A bare address in a policy means /32 or /128 (istio-semantics.md §5, `ipBlocks`).
// `base` is stored with the host bits cleared, as Envoy's CidrRange does.
struct Cidr {
  IpAddress base;
  uint8_t prefix_len = 0;  // 0..32 or 0..128

  // An IPv4 range never contains an IPv6 address and vice versa (IPv4-mapped IPv6 is not folded).
  bool contains(const IpAddress& a) const;
  std::string to_string() const;  // "10.0.0.0/8", "2001:db8::/32"

  friend bool operator==(const Cidr&, const Cidr&) = default;
  friend auto operator<=>(const Cidr&, const Cidr&) = default;
};

// Parses "a.b.c.d", "a.b.c.d/n", an IPv6 literal or "v6/n". nullopt when malformed or n too large.
std::optional<Cidr> parse_cidr(std::string_view text);

// A CIDR range as written: the address keeps its host bits (Istio's AddrStrToCidrRange emits it so).
struct WrittenCidr {
  IpAddress address;
  uint8_t prefix_len = 0;
};
// Which part of a CIDR text is wrong: the prefix length (not 1-3 digits, or longer than the address),
// or the address. The length's digits are checked first.
enum class CidrProblem : uint8_t { None, PrefixLength, Address };
// What parse_cidr accepts, unmasked; `problem` (when given) says why it is nullopt.
std::optional<WrittenCidr> parse_cidr_as_written(std::string_view text, CidrProblem* problem = nullptr);

}  // namespace meshproof::ir
