// From a replayed request to what a finding shows: base/finding.h's Witness, and the `meshproof query`
// command line that reproduces it (DESIGN.md §7). The request must already have been replayed through
// the concrete evaluator (Engine::find does that); `decision` is that replay's result.
#pragma once

#include <string>
#include <vector>

#include "base/finding.h"
#include "engine/evaluate.h"
#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine {

// The witness a finding carries. Only what the program can see is filled in: HTTP fields on an HTTP
// view, the JWT only where a RequestAuthentication applies. `input_paths` are the paths the user
// analyzed; they start the reproduce command.
Witness to_witness(const ir::Program& program, const ir::Request& request, const Decision& decision,
                   const std::vector<std::string>& input_paths = {});

// `meshproof query PATHS --to NS/WORKLOAD --port N [--protocol http|tcp] (--principal TD/ns/NS/sa/SA |
// --plaintext) [--source-ip IP] [--remote-ip IP] [--destination-ip IP] [--sni S] [--method M]
// [--path P] [--host H] [--header k=v]... [--request-principal ISS/SUB | --invalid-token]
// [--audience A]... [--presenter P]... [--claim k=v]...` — every argument shell-quoted. `--protocol`
// appears only for a sniffed port (which has both views).
std::string reproduce_command(const ir::Program& program, const ir::Request& request,
                              const std::vector<std::string>& input_paths = {});

// POSIX shell quoting: the text unchanged when it is made only of safe characters, else in single
// quotes with embedded single quotes written as '\''.
std::string shell_quote(const std::string& s);

}  // namespace meshproof::engine
