// gateway-credential-missing (MP3005): a SIMPLE, MUTUAL or OPTIONAL_MUTUAL Gateway server whose
// credentialName names a Secret the input does not hold where Istio reads it: in the namespace of the
// gateway pods, not of the Gateway resource (G5, docs/semantics.md#gateways; istioctl analyze IST0101), or
// a MUTUAL/OPTIONAL_MUTUAL server without a client CA (the Secret's cacert/ca.crt key, a `<name>-cacert`
// Secret, or caCertCredentialName; G3), or a Secret Istio rejects as a server credential: without the keys
// tls.crt/tls.key or cert/key, or whose certificate is not X.509 PEM, expired or not yet valid (G14,
// checks/gateway_credential.h; istioctl analyze IST0161). Only when the input declares Secrets (or
// cert-manager Certificates): certificates are usually created outside the manifests.
#include <algorithm>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gateway_credential.h"
#include "checks/gateway_facts.h"

namespace meshproof::checks {
namespace {

const model::Secret* find_secret(const Context& ctx, const std::string& ns, const std::string& name) {
  for (const model::Secret& s : ctx.resources.secrets)
    if (s.meta.ns == ns && s.meta.name == name) return &s;
  return nullptr;
}

std::vector<std::string> namespaces_holding(const Context& ctx, const std::string& name) {
  std::vector<std::string> out;
  for (const model::Secret& s : ctx.resources.secrets)
    if (s.meta.name == name && std::find(out.begin(), out.end(), s.meta.ns) == out.end()) out.push_back(s.meta.ns);
  return out;
}

bool has_key(const model::Secret& s, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (std::find(s.keys.begin(), s.keys.end(), k) != s.keys.end()) return true;
  return false;
}

class GatewayCredentialMissing final : public Check {
 public:
  GatewayCredentialMissing()
      : Check(CheckInfo{
            "gateway-credential-missing", "MP3005", Severity::Error,
            "A Gateway server's TLS credential is missing, in the wrong namespace, invalid, or has no client CA",
            "A SIMPLE, MUTUAL or OPTIONAL_MUTUAL Istio Gateway server whose credentialName names a Secret that the "
            "input does not declare in the namespace of the gateway pods (where Istio reads it, not the Gateway's "
            "namespace), whose Secret Istio rejects (no tls.crt/tls.key or cert/key, not an X.509 PEM certificate, "
            "expired), or a MUTUAL/OPTIONAL_MUTUAL server without a client CA. The server then has no certificate "
            "(TLS handshakes fail) or cannot verify clients. Checked only when the input declares Secrets or "
            "cert-manager Certificates."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override { return gateway_subjects(ctx); }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const mesh::ApiGateway& g : mesh::gateway_api_ingress(ctx.mesh))
      for (const mesh::ApiListener& l : g.listeners)
        if (l.terminates_tls)
          for (const mesh::ApiCertificate& c : l.certificates) check_api_certificate(ctx, g, l, c, out);
    if (ctx.resources.secrets.empty()) return;
    for (const mesh::GatewayInfo& g : ctx.mesh.gateways) {
      for (const mesh::GatewayListener& l : g.listeners) {
        const std::string& m = l.tls_mode;
        if (!l.terminates_tls || (m != "SIMPLE" && m != "MUTUAL" && m != "OPTIONAL_MUTUAL")) continue;
        const model::Str& cred = l.server->tls.credential_name;
        if (cred.value.empty() || cred.value.find("://") != std::string::npos) continue;  // files or SDS URLs
        check_credential(ctx, g, l, cred, out);
      }
    }
  }

 private:
  // A certificateRef of a Gateway API listener: another namespace needs a ReferenceGrant (checked before
  // existence, as Istio does: RefNotPermitted); then the Secret must exist (when the input declares Secrets)
  // and be a usable server credential (G10, docs/semantics.md#gateway-api-routes).
  void check_api_certificate(const Context& ctx, const mesh::ApiGateway& g, const mesh::ApiListener& l,
                             const mesh::ApiCertificate& c, std::vector<Finding>& out) const {
    const std::string subject = describe_listener(g, l);
    const std::string secret = c.ns + "/" + c.name;
    std::string message, help, reason;
    if (!c.is_secret) return;
    if (!c.permitted) {
      reason = "not-permitted";
      message = subject + " names certificate Secret " + secret + " in another namespace, but no ReferenceGrant in " +
                c.ns + " lets Gateways of namespace " + g.ns +
                " refer to it; Istio refuses the reference (RefNotPermitted) and does not program the listener";
      help = "create a ReferenceGrant in namespace " + c.ns +
             " with from: [{group: gateway.networking.k8s.io, kind: "
             "Gateway, namespace: " +
             g.ns + "}] and to: [{group: \"\", kind: Secret, name: " + c.name + "}], or move the Secret to namespace " +
             g.ns;
    } else if (!c.declared) {
      if (ctx.resources.secrets.empty()) return;
      reason = "missing";
      message = subject + " names certificate Secret " + secret + ", but the input declares no such Secret";
      help = "create Secret " + secret + " (type kubernetes.io/tls, keys tls.crt and tls.key)";
    } else {
      const model::Secret* s = find_secret(ctx, c.ns, c.name);
      std::string problem = s ? credential_problem(*s, ctx.options.today) : "";
      if (problem.empty()) return;
      reason = "invalid";
      message = subject + " uses Secret " + secret + ", but Istio rejects it as a server credential: " + problem;
      help = "store a valid PEM certificate and its key in Secret " + secret + " under the keys tls.crt and tls.key";
    }
    message +=
        "; without it the listener has no certificate and TLS handshakes fail "
        "(docs/semantics.md#gateway-api-routes)";
    Finding f = make(g.gateway->ref(), c.ref->loc.known() ? c.ref->loc : listener_loc(l), std::move(message),
                     std::move(help), "listener=" + l.listener->name + ";" + reason + ";" + secret);
    f.properties["listener"] = l.listener->name;
    f.properties["reason"] = reason;
    f.properties["credential"] = secret;
    out.push_back(std::move(f));
  }

  void check_credential(const Context& ctx, const mesh::GatewayInfo& g, const mesh::GatewayListener& l,
                        const model::Str& cred, std::vector<Finding>& out) const {
    const std::string subject = describe_listener(g, l);
    std::vector<std::string> where = namespaces_holding(ctx, cred.value);
    if (g.pod_namespaces.empty()) {
      // No gateway pod in the input: the namespace Istio reads from is unknown; only a Secret missing
      // everywhere is certain.
      if (!where.empty()) return;
      emit(g, l, cred.loc,
           subject + " uses credentialName " + cred.value + ", but the input declares no Secret of that name",
           "create Secret " + cred.value + " (keys tls.crt and tls.key) in the gateway pods' namespace", "missing",
           out);
      return;
    }
    for (const std::string& ns : g.pod_namespaces) {
      const model::Secret* s = find_secret(ctx, ns, cred.value);
      if (!s) {
        report_absent(g, l, cred, ns, where, out);
        continue;
      }
      if (std::string problem = credential_problem(*s, ctx.options.today); !problem.empty()) {
        emit(g, l, cred.loc,
             subject + " uses Secret " + ns + "/" + cred.value +
                 ", but Istio rejects it as a server credential: " + problem +
                 "; the gateway then has no certificate for the server and TLS handshakes fail "
                 "(docs/semantics.md#gateways)",
             "store a valid PEM certificate and its key in Secret " + ns + "/" + cred.value +
                 " under the keys tls.crt and tls.key",
             "invalid", out);
        continue;
      }
      if (l.tls_mode == "SIMPLE" || has_ca(ctx, *s, l.server->tls, ns)) continue;
      emit(g, l, cred.loc,
           subject + " requires client certificates (" + l.tls_mode + "), but Secret " + ns + "/" + cred.value +
               " has no cacert or ca.crt key and no Secret " + ns + "/" + cred.value +
               "-cacert or caCertCredentialName provides a CA, so client certificates cannot be verified "
               "(docs/semantics.md#gateways)",
           "add the client CA as key ca.crt of Secret " + cred.value + ", or as Secret " + cred.value + "-cacert in " +
               ns,
           "no-ca", out);
    }
  }

  static bool has_ca(const Context& ctx, const model::Secret& s, const model::GatewayTls& t, const std::string& ns) {
    if (s.from_certificate || has_key(s, {"cacert", "ca.crt"})) return true;
    if (find_secret(ctx, ns, s.meta.name + "-cacert")) return true;
    return !t.ca_cert_credential_name.value.empty() && find_secret(ctx, ns, t.ca_cert_credential_name.value);
  }

  void report_absent(const mesh::GatewayInfo& g, const mesh::GatewayListener& l, const model::Str& cred,
                     const std::string& ns, const std::vector<std::string>& where, std::vector<Finding>& out) const {
    std::string message = describe_listener(g, l) + " uses credentialName " + cred.value +
                          ", which Istio reads from namespace " + ns + " (where its gateway pods run)";
    std::string help;
    std::string reason = "missing";
    if (!where.empty()) {
      message += ", but the input declares that Secret only in " + join(where, ", ");
      if (std::find(where.begin(), where.end(), namespace_of(*g.gateway)) != where.end())
        message += " (the Gateway's namespace is not where the Secret is read)";
      help =
          "create the Secret in namespace " + ns + " (the gateway pods' namespace), or run the gateway in " + where[0];
      reason = "wrong-namespace";
    } else {
      message += ", but the input declares no Secret of that name";
      help = "create Secret " + cred.value + " (keys tls.crt and tls.key) in namespace " + ns;
    }
    message += "; without it the server has no certificate and TLS handshakes fail (docs/semantics.md#gateways)";
    emit(g, l, cred.loc, std::move(message), std::move(help), reason, out);
  }

  void emit(const mesh::GatewayInfo& g, const mesh::GatewayListener& l, Loc loc, std::string message, std::string help,
            const std::string& reason, std::vector<Finding>& out) const {
    Finding f = make(g.gateway->ref(), loc.known() ? loc : server_loc(l), std::move(message), std::move(help),
                     "server=" + std::to_string(l.index) + ";" + reason);
    f.properties["server"] = std::to_string(l.index);
    f.properties["reason"] = reason;
    f.properties["credential"] = l.server->tls.credential_name.value;
    out.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_gateway_credential_missing_check() { return std::make_unique<GatewayCredentialMissing>(); }

}  // namespace meshproof::checks
