// Helpers for the CLI output tests: temporary files, running the helper scripts under test/scripts, and
// whether the optional tools (python3-jsonschema, chromium) are present.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_support.h"

namespace meshproof::test {

inline std::filesystem::path temp_dir(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("meshproof-cli-output-" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

struct ScriptResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs `python3 test/scripts/<script> args...` (arguments single-quoted).
inline ScriptResult run_script(const std::string& script, const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  static int counter = 0;
  fs::path dir = temp_dir("scripts-" + std::to_string(counter++));
  std::string cmd = "python3 '" + source_dir() + "/test/scripts/" + script + "'";
  for (const std::string& a : args) cmd += " '" + a + "'";
  cmd += " >'" + (dir / "out").string() + "' 2>'" + (dir / "err").string() + "'";
  int status = std::system(cmd.c_str());
  ScriptResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(dir / "out");
  r.err = read_file(dir / "err");
  return r;
}

// A PERMISSIVE namespace-wide PeerAuthentication in `patients` and one Deployment it governs: the smallest
// input with an mtls-not-strict finding when `patients` is regulated (kPermissivePatients), also as
// `helm template` renders it (outputs_test.cpp).
inline const std::string kPatientsPeerAuthentication = R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: patients
spec:
  mtls:
    mode: PERMISSIVE
)";
inline const std::string kPatientsApiDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: patients
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: a, image: x}]}
)";
inline const std::string kPermissivePatients = kPatientsPeerAuthentication + "---\n" + kPatientsApiDeployment;

inline bool have_command(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::string sarif_schema() { return std::string(MESHPROOF_SHARED_DIR) + "/schemas/sarif-schema-2.1.0.json"; }

}  // namespace meshproof::test
