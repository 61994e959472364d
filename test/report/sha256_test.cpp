// SHA-256 against the FIPS 180-2 example vectors and block-boundary lengths (digests from an
// independent implementation), one-shot and in odd-sized pieces.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "audit/sha256.h"

using meshproof::audit::Sha256;
using meshproof::audit::sha256_file;
using meshproof::audit::sha256_hex;

TEST_CASE("sha256: FIPS 180-2 example vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmn"
                   "opqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: lengths around the 64-byte block and the 56-byte padding boundary") {
  struct V {
    size_t n;
    const char* hex;
  };
  const V vectors[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
      {1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"},
  };
  for (const V& v : vectors) {
    INFO("length " << v.n);
    CHECK(sha256_hex(std::string(v.n, 'a')) == v.hex);
  }
}

TEST_CASE("sha256: feeding the input in pieces gives the same digest") {
  std::string data;
  for (int i = 0; i < 3; ++i)
    for (int b = 0; b < 256; ++b) data += static_cast<char>(b);
  const std::string expected = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363";
  REQUIRE(sha256_hex(data) == expected);
  for (size_t piece : {1u, 3u, 7u, 63u, 64u, 65u, 500u}) {
    Sha256 h;
    for (size_t i = 0; i < data.size(); i += piece) h.update(std::string_view(data).substr(i, piece));
    INFO("piece " << piece);
    CHECK(h.finish_hex() == expected);
  }
}

TEST_CASE("sha256: digest of a file and of an unreadable path") {
  namespace fs = std::filesystem;
  fs::path p = fs::temp_directory_path() / "meshproof-sha256-test.bin";
  {
    std::ofstream out(p, std::ios::binary);
    out << "abc";
  }
  std::string hex;
  uint64_t size = 0;
  REQUIRE(sha256_file(p.string(), hex, size));
  CHECK(size == 3);
  CHECK(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs::remove(p);
  CHECK_FALSE(sha256_file(p.string(), hex, size));
}
