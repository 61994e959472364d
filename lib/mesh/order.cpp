// Istio's order for policies (creationTimestamp, name, namespace), the namespace an object lives in,
// label-set helpers and the names of the mesh enums.
#include <algorithm>
#include <cctype>
#include <numeric>

#include "mesh/resolve_internal.h"
#include "model/parse.h"

namespace meshproof::mesh {

const char* to_string(WorkloadOrigin o) {
  switch (o) {
    case WorkloadOrigin::Declared:
      return "declared";
    case WorkloadOrigin::Synthetic:
      return "synthetic";
    case WorkloadOrigin::OtherWorkloads:
      return "other";
  }
  return "?";
}

const char* to_string(PortProtocol p) {
  switch (p) {
    case PortProtocol::Http:
      return "HTTP";
    case PortProtocol::Tcp:
      return "TCP";
    case PortProtocol::Sniffed:
      return "sniffed";
  }
  return "?";
}

const char* to_string(MtlsLevel l) {
  switch (l) {
    case MtlsLevel::Default:
      return "default";
    case MtlsLevel::Mesh:
      return "mesh";
    case MtlsLevel::Namespace:
      return "namespace";
    case MtlsLevel::Workload:
      return "workload";
    case MtlsLevel::WorkloadPort:
      return "workload-port";
  }
  return "?";
}

std::string effective_namespace(const model::ResourceBase& r) {
  return r.meta.ns.empty() ? std::string(model::kDefaultNamespace) : r.meta.ns;
}

bool labels_subset(const model::Labels& selector, const model::Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

namespace detail {

namespace {

// Reads exactly `n` digits at s[i...]; false if any is not a digit.
bool read_digits(const std::string& s, size_t& i, int n, int& out) {
  if (i + static_cast<size_t>(n) > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[i + static_cast<size_t>(k)];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  i += static_cast<size_t>(n);
  out = v;
  return true;
}

bool expect(const std::string& s, size_t& i, const char* alternatives) {
  if (i >= s.size()) return false;
  for (const char* a = alternatives; *a; ++a) {
    if (s[i] == *a) {
      ++i;
      return true;
    }
  }
  return false;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (civil-from-days inverse).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

Timestamp parse_timestamp(const std::string& s) {
  Timestamp t;  // zero time unless the whole string parses
  size_t i = 0;
  int year, month, day, hour, minute, second;
  if (!read_digits(s, i, 4, year) || !expect(s, i, "-") || !read_digits(s, i, 2, month) || !expect(s, i, "-") ||
      !read_digits(s, i, 2, day) || !expect(s, i, "Tt ") || !read_digits(s, i, 2, hour) || !expect(s, i, ":") ||
      !read_digits(s, i, 2, minute) || !expect(s, i, ":") || !read_digits(s, i, 2, second))
    return t;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return t;
  int32_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (digits < 9) nanos = nanos * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return t;
    for (int k = digits; k < 9; ++k) nanos *= 10;
  }
  int64_t offset = 0;
  if (expect(s, i, "Zz")) {
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!read_digits(s, i, 2, oh) || !expect(s, i, ":") || !read_digits(s, i, 2, om)) return t;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return t;
  }
  if (i != s.size()) return t;
  t.known = true;
  t.seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 +
              minute * 60 + second - offset;
  t.nanos = nanos;
  return t;
}

std::string labels_key(const model::Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

template <class T>
std::vector<uint32_t> istio_ranks(const std::vector<T>& objects) {
  struct Key {
    Timestamp time;
    const std::string* name;
    std::string ns;
  };
  std::vector<Key> keys;
  keys.reserve(objects.size());
  for (const T& o : objects)
    keys.push_back(Key{parse_timestamp(o.meta.creation_timestamp), &o.meta.name, effective_namespace(o)});
  std::vector<uint32_t> order(objects.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Key& x = keys[a];
    const Key& y = keys[b];
    if (x.time != y.time) return x.time < y.time;
    if (*x.name != *y.name) return *x.name < *y.name;
    return x.ns < y.ns;
  });
  std::vector<uint32_t> rank(objects.size());
  for (uint32_t pos = 0; pos < order.size(); ++pos) rank[order[pos]] = pos;
  return rank;
}

template std::vector<uint32_t> istio_ranks(const std::vector<model::AuthorizationPolicy>&);
template std::vector<uint32_t> istio_ranks(const std::vector<model::RequestAuthentication>&);
template std::vector<uint32_t> istio_ranks(const std::vector<model::PeerAuthentication>&);
template std::vector<uint32_t> istio_ranks(const std::vector<model::Service>&);
template std::vector<uint32_t> istio_ranks(const std::vector<model::Sidecar>&);

}  // namespace detail

// Go's sortConfigByCreationTime (pilot/pkg/model/config.go): time.Compare, then name, then namespace.
// An absent timestamp is Go's zero time, which is older than any real one.
bool istio_older(const model::ResourceBase& a, const model::ResourceBase& b) {
  detail::Timestamp ta = detail::parse_timestamp(a.meta.creation_timestamp);
  detail::Timestamp tb = detail::parse_timestamp(b.meta.creation_timestamp);
  if (ta != tb) return ta < tb;
  if (a.meta.name != b.meta.name) return a.meta.name < b.meta.name;
  return effective_namespace(a) < effective_namespace(b);
}

}  // namespace meshproof::mesh
