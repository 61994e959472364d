// What Istio's admission webhook and CRD schema reject or warn about (istio-semantics.md §9). Pure
// functions over typed resources. Every rule is listed in docs/semantics.md §2. Objects given more than
// once are not invalid: the last one is in force (model/apply.h).
#pragma once

#include <vector>

#include "base/location.h"
#include "model/resources.h"

namespace meshproof::model {

void validate(const AuthorizationPolicy& p, std::vector<Diagnostic>& out);
void validate(const PeerAuthentication& p, std::vector<Diagnostic>& out);
void validate(const RequestAuthentication& p, std::vector<Diagnostic>& out);
// networking.istio.io Gateway (validate_gateway.cpp).
void validate(const Gateway& g, std::vector<Diagnostic>& out);
// ServiceEntry, Sidecar and Telemetry (validate_egress.cpp).
void validate(const ServiceEntry& se, std::vector<Diagnostic>& out);
void validate(const Sidecar& sc, std::vector<Diagnostic>& out);
void validate(const Telemetry& t, std::vector<Diagnostic>& out);
// networking.istio.io VirtualService: its routes' match conditions (validate_virtual_service.cpp).
void validate(const VirtualService& v, std::vector<Diagnostic>& out);
// networking.istio.io DestinationRule (validate_destination_rule.cpp).
void validate(const DestinationRule& d, std::vector<Diagnostic>& out);
// gateway.networking.k8s.io Gateway (validate_gateway_api.cpp).
void validate(const gwapi::Gateway& g, std::vector<Diagnostic>& out);
// HTTPRoute, GRPCRoute, TLSRoute, TCPRoute and ReferenceGrant (validate_gateway_api_routes.cpp).
void validate(const gwapi::Route& route, std::vector<Diagnostic>& out);
void validate(const gwapi::ReferenceGrant& g, std::vector<Diagnostic>& out);
// Validates every security resource, Gateway, DestinationRule, ServiceEntry, Sidecar, Telemetry and
// Gateway API Gateway of the set, appending to set.diagnostics.
void validate_all(ResourceSet& set);

}  // namespace meshproof::model
