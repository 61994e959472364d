// What the HTML and Markdown renderings of the auditor report share.
#include "report/auditor_render.h"

#include "base/text.h"

namespace meshproof::report {

std::vector<std::pair<std::string, std::string>> witness_fields(const Witness& w) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) out.emplace_back(k, v);
  };
  add("Connection", w.mtls ? "mTLS as " + (w.source_principal.empty() ? std::string("(any peer)") : w.source_principal)
                           : std::string("plaintext (no peer identity)"));
  if (w.mtls) add("Source namespace", w.source_namespace);
  add("Source IP", w.source_ip);
  add("Remote IP", w.remote_ip);
  add("Destination", w.destination);
  if (w.port) add("Port", std::to_string(w.port) + (w.port_protocol.empty() ? "" : " (" + w.port_protocol + ")"));
  add("Destination IP", w.destination_ip);
  add("SNI", w.sni);
  if (w.port_protocol != "TCP") {
    add("Method", w.method);
    add("Path", w.path);
    add("Host", w.host);
    std::vector<std::string> headers;
    for (const auto& [k, v] : w.headers) headers.push_back(k + ": " + v);
    add("Headers", join(headers, "; "));
  }
  if (w.has_token) {
    std::string jwt = "issuer " + w.jwt_issuer + ", subject " + w.jwt_subject;
    if (!w.audiences.empty()) jwt += ", audiences [" + join(w.audiences) + "]";
    if (!w.presenters.empty()) jwt += ", presenters [" + join(w.presenters) + "]";
    for (const auto& [k, v] : w.claims) jwt += ", claim " + k + "=" + v;
    add("JWT", jwt);
  } else {
    add("JWT", "none");
  }
  add("Decision", w.decision);
  add("Decided by", w.decided_by);
  add("Reproduce", w.reproduce);
  return out;
}

std::array<size_t, audit::kControlStatusCount> controls_by_status(const AuditReport& r) {
  std::array<size_t, audit::kControlStatusCount> counts{};
  for (const ControlResult& c : r.controls) ++counts[static_cast<size_t>(c.status)];
  return counts;
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string access_state_text(const AccessCell& c) {
  if (c.kind == AccessKind::None) return "no ALLOW rule admits it: denied";
  if (c.basis == audit::AccessBasis::NoProxy) return "no Istio proxy: nothing is enforced, every request reaches it";
  if (c.basis == audit::AccessBasis::NoAllowPolicy)
    return "no enforced ALLOW policy applies: allowed unless a DENY policy stops it";
  if (c.kind == AccessKind::Conditional) return "admitted by an ALLOW rule for some requests only";
  return "admitted by an ALLOW rule without conditions";
}

std::string result_mark(const std::string& result) {
  if (result == "pass") return "PASS";
  if (result == "inconclusive") return "INCONCLUSIVE";
  if (result == "not analyzed") return "NOT ANALYZED";
  return "FAIL";
}

std::string result_class(const std::string& result) {
  return result == "inconclusive" || result == "not analyzed" ? "incomplete" : result;
}

std::string result_sentence(const std::string& result) {
  if (result == "pass") return "no finding at or above the threshold without an exception";
  if (result == "inconclusive")
    return "no finding at or above the threshold without an exception, but some proofs were inconclusive (the "
           "solver answered unknown), so the controls that rely on them are incomplete";
  if (result == "not analyzed")
    return "the input holds no Istio policy, only objects whose policy meshproof does not model, so nothing was "
           "analyzed (see the scope)";
  return "findings at or above the threshold without an exception";
}

}  // namespace meshproof::report
