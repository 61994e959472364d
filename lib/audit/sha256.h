// SHA-256 (FIPS 180-4), for the input fingerprints of auditor reports. Written here rather than taken from
// a crypto library because the audit layer needs nothing else from one; tested against the FIPS 180-2
// example vectors (test/report/sha256_test.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshproof::audit {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::array<uint8_t, 32> finish();  // the object must not be used afterwards
  std::string finish_hex();          // 64 lowercase hex digits

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes
};

// Hex digest of a byte string.
std::string sha256_hex(std::string_view data);

// Hex digest of a file's bytes; false when the file cannot be read.
bool sha256_file(const std::string& path, std::string& hex, uint64_t& size);

}  // namespace meshproof::audit
