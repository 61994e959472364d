// Delegate VirtualServices (docs/semantics.md#vs-delegate): an http route with `delegate: {name, namespace}`
// hands the request to the routes of another VirtualService, one without hosts. Istio merges them into the
// root's route table before it builds any route (pilot/pkg/model/virtualservice_controller.go
// mergeVirtualServices, pilot/pkg/model/virtualservice.go MergeHTTPRoutes, mergeHTTPMatchRequests,
// hasConflict): each delegate route replaces the root route, its match ANDed with the root route's; a delegate
// route whose match is not inside the root route's conflicts and is dropped; a delegate that is missing or not
// exported to the root's namespace drops the root route. One level only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/resources.h"
#include "model/virtual_service_routes.h"

namespace meshproof::mesh {

struct MergedRoutes {
  // The routes in force: the VirtualService's own, with every delegate route replaced by the delegate's
  // merged routes (VsHttpRoute::delegated_from says where each came from). vs.routes when nothing is delegated.
  std::shared_ptr<const model::VirtualServiceRoutes> routes;
  std::vector<std::string> notes;  // delegates not followed and delegate routes dropped, with Istio's reason
  bool delegates = false;          // some http route delegates
};

// The route table Istio builds from `vs` and the delegates it names in `rs`.
MergedRoutes merge_delegates(const model::VirtualService& vs, const model::ResourceSet& rs);

// The VirtualService a delegate reference names, when it is one Istio follows: same name and namespace (the
// root's when omitted), no hosts. nullptr otherwise.
const model::VirtualService* find_delegate(const model::VirtualService& root, const model::VsHttpRoute& route,
                                           const model::ResourceSet& rs);

// The namespace a route destination's host names, as Istio resolves it for a VirtualService of namespace
// `vs_ns`: a short name is in vs_ns; "name.ns" and "name.ns.svc[.domain]" are in ns; "" for any other host
// (not a Service of the cluster).
std::string destination_namespace(const std::string& host, const std::string& vs_ns);

}  // namespace meshproof::mesh
