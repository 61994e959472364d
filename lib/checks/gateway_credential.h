// What Istio's credential reader makes of a gateway's TLS Secret (docs/semantics.md#gateways, G14): the
// server certificate is `cert` (with `key`) or else `tls.crt` (with `tls.key`), both values non-empty
// (pilot/pkg/credentials/kube/secrets.go ExtractCertInfo), and it must be a PEM block holding X.509
// certificates that are valid on the day of the analysis (pilot/pkg/xds/sds.go ValidateCertificate).
#pragma once

#include <string>

#include "model/resources.h"

namespace meshproof::checks {

// Why Istio rejects the Secret as a server credential, or "" when it accepts it. `today` is YYYY-MM-DD.
// A Secret declared by a cert-manager Certificate, or whose certificate and key keys are written with empty
// values (a placeholder filled outside the manifests), is not judged: its content is not in the input.
std::string credential_problem(const model::Secret& secret, const std::string& today);

// Why `pem` is not a valid server certificate on `today` ("" when it is): not PEM, not X.509, expired or not
// yet valid. Dates are compared by day (UTC).
std::string certificate_problem(const std::string& pem, const std::string& today);

}  // namespace meshproof::checks
