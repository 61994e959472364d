// Requests as text: built from `meshproof query` flags, and written back as the flags that reproduce
// them (for witnesses' `reproduce` lines). Kept in the library so that both directions are tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/request.h"

namespace meshproof::ir {

struct RequestFlags {
  std::string principal;  // "td/ns/NS/sa/SA" (optional "spiffe://"); "" = plaintext
  std::string source_ip, remote_ip, destination_ip, sni;
  uint32_t port = 0;
  std::string method, path, host;
  std::vector<std::string> headers;  // "Name=value" (the name is lower-cased)
  std::string request_principal;     // "ISS/SUB" → a valid token
  bool invalid_token = false;        // a token that fails verification
  std::vector<std::string> claims;   // "path=value" (path "a.b"; repeat for list claims)
  std::vector<std::string> audiences, presenters;
};

// Fills `out`; returns an error message ("--source-ip: \"x\" is not an IP address") on a bad value.
std::optional<std::string> build_request(const RequestFlags& flags, Request& out);

// The flags that reproduce `r` with `meshproof query` (without PATHS and --to), shell-quoted, in a
// fixed order: "--port 8080 --principal cluster.local/ns/a/sa/b --method GET --path /x ...".
std::string to_query_args(const Request& r);

}  // namespace meshproof::ir
