#include "engine/witness.h"

#include <cctype>

namespace meshproof::engine {

std::string shell_quote(const std::string& s) {
  bool safe = !s.empty();
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == ':' || c == '=' || c == ',' ||
          c == '@' || c == '+' || c == '%'))
      safe = false;
  if (safe) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

namespace {

std::string decided_by_text(const Decision& d) {
  const ir::Rule* r = d.decided_by;
  if (!r) return "";
  return r->policy.display() + " rule " + std::to_string(r->index);  // finding.h: "ns/name rule i"
}

}  // namespace

Witness to_witness(const ir::Program& program, const ir::Request& request, const Decision& decision,
                   const std::vector<std::string>& input_paths) {
  // What the program sees (no HTTP fields on TCP, no token without jwt_authn).
  const ir::Request r = effective_request(program, request);
  Witness w;
  w.mtls = r.mtls;
  if (r.mtls) {
    w.source_principal = r.principal();
    w.source_namespace = r.peer_namespace;
  }
  if (r.source_ip) w.source_ip = r.source_ip->to_string();
  if (r.remote_ip && (!r.source_ip || *r.remote_ip != *r.source_ip)) w.remote_ip = r.remote_ip->to_string();
  w.destination = program.workload;
  w.port = r.port;
  w.port_protocol = ir::to_string(program.protocol);
  if (r.destination_ip) w.destination_ip = r.destination_ip->to_string();
  w.sni = r.sni;
  if (program.protocol == ir::Protocol::Http) {
    w.method = r.method;
    w.path = r.path;
    w.host = r.host;
    for (const auto& [k, v] : r.headers) w.headers.emplace_back(k, v);
  }
  w.has_token = r.token != ir::TokenState::None;
  if (r.token == ir::TokenState::Valid) {
    w.jwt_issuer = r.jwt_issuer;
    w.jwt_subject = r.jwt_subject;
    w.audiences = r.audiences;
    w.presenters = r.presenters;
    for (const auto& [k, vs] : r.claims)
      for (const auto& v : vs) w.claims.emplace_back(k, v);
  }
  w.decision = to_string(decision.verdict);
  w.decided_by = decided_by_text(decision);
  w.reproduce = reproduce_command(program, request, input_paths);
  return w;
}

std::string reproduce_command(const ir::Program& program, const ir::Request& request,
                              const std::vector<std::string>& input_paths) {
  const ir::Request r = effective_request(program, request);
  std::string cmd = "meshproof query";
  auto arg = [&](const std::string& flag, const std::string& value) { cmd += " " + flag + " " + shell_quote(value); };
  for (const auto& p : input_paths) cmd += " " + shell_quote(p);
  arg("--to", program.workload);
  arg("--port", std::to_string(r.port));
  if (program.sniffed) arg("--protocol", program.protocol == ir::Protocol::Tcp ? "tcp" : "http");
  if (r.mtls)
    arg("--principal", r.principal());
  else
    cmd += " --plaintext";
  if (r.source_ip) arg("--source-ip", r.source_ip->to_string());
  if (r.remote_ip && (!r.source_ip || *r.remote_ip != *r.source_ip)) arg("--remote-ip", r.remote_ip->to_string());
  if (r.destination_ip) arg("--destination-ip", r.destination_ip->to_string());
  if (!r.sni.empty()) arg("--sni", r.sni);
  if (program.protocol == ir::Protocol::Http) {
    if (!r.method.empty()) arg("--method", r.method);
    if (!r.path.empty()) arg("--path", r.path);
    if (!r.host.empty()) arg("--host", r.host);
    for (const auto& [k, v] : r.headers) arg("--header", k + "=" + v);
  }
  if (r.token == ir::TokenState::Invalid) cmd += " --invalid-token";
  if (r.token == ir::TokenState::Valid) {
    // ir::Request::set_request_principal splits at the last '/', so ISS/SUB reproduces both parts as long
    // as the subject has no '/' (an issuer may have many).
    arg("--request-principal", r.jwt_issuer + "/" + r.jwt_subject);
    for (const auto& a : r.audiences) arg("--audience", a);
    for (const auto& p : r.presenters) arg("--presenter", p);
    for (const auto& [k, vs] : r.claims)
      for (const auto& v : vs) arg("--claim", k + "=" + v);
  }
  return cmd;
}

}  // namespace meshproof::engine
