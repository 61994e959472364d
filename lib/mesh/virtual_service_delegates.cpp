// Delegate VirtualServices merged into the root's route table as Istio merges them
// (mesh/virtual_service_delegates.h; the Go functions named below, read at istio/istio 86c9f01f).
#include "mesh/virtual_service_delegates.h"

#include <algorithm>

#include "base/text.h"
#include "mesh/mesh.h"

namespace meshproof::mesh {

namespace {

using model::VsHttpMatch;
using model::VsHttpRoute;
using model::VsNamedMatch;
using model::VsStringMatch;

// match.gateways short names resolved in the namespace of the VirtualService that wrote them
// (ResolveVirtualServiceShortnames), so that a merged match compares them as Istio does.
void delegate_qualify_gateways(VsHttpMatch& m, const std::string& ns) {
  for (std::string& g : m.gateways)
    if (g != "mesh" && g.find('/') == std::string::npos) g = ns + "/" + g;
}

// stringMatchConflict: whether a delegate's StringMatch is not inside the root's. Either absent: no conflict.
bool delegate_string_conflict(const VsStringMatch* root, const VsStringMatch* leaf) {
  if (!root || !leaf) return false;
  auto has = [](const VsStringMatch* m, const char* type) { return m->type == type && !m->value.empty(); };
  const bool root_any = has(root, "regex") || has(root, "prefix") || has(root, "exact");
  const bool leaf_any = has(leaf, "regex") || has(leaf, "prefix") || has(leaf, "exact");
  if (has(root, "regex") && leaf_any) return true;
  if (has(leaf, "regex") && root_any) return true;
  if (has(root, "exact")) return has(leaf, "prefix") || !(has(leaf, "exact") && leaf->value == root->value);
  if (has(root, "prefix")) {
    if (has(leaf, "prefix") || has(leaf, "exact")) return leaf->value.rfind(root->value, 0) != 0;
  }
  return true;
}

const VsStringMatch* delegate_opt(const std::optional<VsStringMatch>& m) { return m ? &*m : nullptr; }

const VsStringMatch* delegate_named(const std::vector<VsNamedMatch>& v, const std::string& name) {
  for (const VsNamedMatch& n : v)
    if (n.name == name) return &n.match;
  return nullptr;
}

bool delegate_named_conflict(const std::vector<VsNamedMatch>& root, const std::vector<VsNamedMatch>& leaf) {
  for (const VsNamedMatch& l : leaf)
    if (delegate_string_conflict(delegate_named(root, l.name), &l.match)) return true;
  return false;
}

// hasConflict (pilot/pkg/model/virtualservice.go).
bool delegate_match_conflict(const VsHttpMatch& root, const VsHttpMatch& leaf) {
  if (delegate_string_conflict(delegate_opt(root.uri), delegate_opt(leaf.uri)) ||
      delegate_string_conflict(delegate_opt(root.scheme), delegate_opt(leaf.scheme)) ||
      delegate_string_conflict(delegate_opt(root.method), delegate_opt(leaf.method)) ||
      delegate_string_conflict(delegate_opt(root.authority), delegate_opt(leaf.authority)))
    return true;
  if (delegate_named_conflict(root.headers, leaf.headers) ||
      delegate_named_conflict(root.without_headers, leaf.without_headers) ||
      delegate_named_conflict(root.query_params, leaf.query_params))
    return true;
  if (root.ignore_uri_case != leaf.ignore_uri_case) return true;
  if (root.port && leaf.port && root.port != leaf.port) return true;
  if (!root.source_namespace.empty() && leaf.source_namespace != root.source_namespace) return true;
  for (const auto& [k, v] : leaf.source_labels) {
    auto it = root.source_labels.find(k);
    if (it != root.source_labels.end() && it->second != v) return true;
  }
  if (!root.gateways.empty() && !leaf.gateways.empty())
    for (const std::string& g : leaf.gateways)
      if (std::find(root.gateways.begin(), root.gateways.end(), g) == root.gateways.end()) return true;
  return false;
}

// maps.MergeCopy(root, delegate): every root entry, the delegate's replacing one of the same name.
std::vector<VsNamedMatch> delegate_merge_named(const std::vector<VsNamedMatch>& root,
                                               const std::vector<VsNamedMatch>& leaf) {
  std::vector<VsNamedMatch> out;
  for (const VsNamedMatch& r : root)
    if (!delegate_named(leaf, r.name)) out.push_back(r);
  out.insert(out.end(), leaf.begin(), leaf.end());
  return out;
}

// mergeHTTPMatchRequest: the delegate's conditions, the root's where the delegate writes none.
VsHttpMatch delegate_merge_match(const VsHttpMatch& root, const VsHttpMatch& leaf) {
  VsHttpMatch out = leaf;
  if (!out.uri) out.uri = root.uri;
  if (!out.scheme) out.scheme = root.scheme;
  if (!out.method) out.method = root.method;
  if (!out.authority) out.authority = root.authority;
  out.headers = delegate_merge_named(root.headers, leaf.headers);
  out.without_headers = delegate_merge_named(root.without_headers, leaf.without_headers);
  out.query_params = delegate_merge_named(root.query_params, leaf.query_params);
  if (!out.port) out.port = root.port;
  for (const auto& [k, v] : root.source_labels) out.source_labels.emplace(k, v);
  if (out.source_namespace.empty()) out.source_namespace = root.source_namespace;
  if (out.gateways.empty()) out.gateways = root.gateways;
  return out;
}

// mergeHTTPMatchRequests: every delegate match must fit inside some root match (each fitting pair gives one
// merged match); one that fits none is a conflict, and the delegate route is dropped.
bool delegate_merge_matches(const std::vector<VsHttpMatch>& root, const std::vector<VsHttpMatch>& leaf,
                            std::vector<VsHttpMatch>& out) {
  if (root.empty() || leaf.empty()) {
    out = root.empty() ? leaf : root;
    return true;
  }
  for (const VsHttpMatch& l : leaf) {
    bool found = false;
    for (const VsHttpMatch& r : root) {
      if (delegate_match_conflict(r, l)) continue;
      out.push_back(delegate_merge_match(r, l));
      found = true;
    }
    if (!found) return false;
  }
  return !out.empty();
}

bool delegate_has_rewrite(const VsHttpRoute& h) {
  return h.rewrite_uri_present || !h.rewrite_authority.empty() || h.rewrite_regex;
}

// mergeHTTPRoute: the delegate route with the merged match; what it leaves unset (rewrite, directResponse)
// comes from the root route.
void delegate_inherit(const VsHttpRoute& root, VsHttpRoute& merged) {
  if (!delegate_has_rewrite(merged)) {
    merged.rewrite_uri_present = root.rewrite_uri_present;
    merged.rewrite_uri = root.rewrite_uri;
    merged.rewrite_authority = root.rewrite_authority;
    merged.rewrite_regex = root.rewrite_regex;
    merged.rewrite_regex_match = root.rewrite_regex_match;
    merged.rewrite_regex_rewrite = root.rewrite_regex_rewrite;
  }
  if (!merged.direct_response) merged.direct_response = root.direct_response;
}

// A VirtualService's exportTo admits namespace `ns` (absent: every namespace; "." its own).
bool delegate_exported_to(const model::VirtualService& vs, const std::string& ns) {
  if (vs.export_to.empty()) return true;
  for (const std::string& e : vs.export_to)
    if (e == "*" || e == ns || (e == "." && ns == effective_namespace(vs))) return true;
  return false;
}

void merge_delegate_route(const model::VirtualService& root, size_t ri, const model::VsHttpRoute& h,
               const model::ResourceSet& rs, model::VirtualServiceRoutes& out, std::vector<std::string>& notes) {
  const std::string root_ns = effective_namespace(root);
  const std::string where = "http[" + std::to_string(ri) + "]";
  const std::string target = (h.delegate_namespace.empty() ? root_ns : h.delegate_namespace) + "/" + h.delegate_name;
  const model::VirtualService* d = find_delegate(root, h, rs);
  if (!d) {
    notes.push_back(where + " delegates to VirtualService " + target +
                    ", which the input does not declare (as a VirtualService without hosts): Istio drops the route");
    return;
  }
  if (!delegate_exported_to(*d, root_ns)) {
    notes.push_back(where + " delegates to VirtualService " + target + ", which is not exported to namespace " +
                    root_ns + ": Istio drops the route");
    return;
  }
  VsHttpRoute root_route = h;
  for (VsHttpMatch& m : root_route.matches) delegate_qualify_gateways(m, root_ns);
  for (size_t di = 0; di < d->routes->http.size(); ++di) {
    VsHttpRoute merged = d->routes->http[di];
    for (VsHttpMatch& m : merged.matches) delegate_qualify_gateways(m, effective_namespace(*d));
    std::vector<VsHttpMatch> matches;
    if (!delegate_merge_matches(root_route.matches, merged.matches, matches)) {
      notes.push_back("VirtualService " + target + " http[" + std::to_string(di) + "]: its match is not inside " +
                      where + "'s match (Istio: \"HTTPMatchRequests conflict\"); the route is dropped");
      continue;
    }
    if (merged.delegate) {
      notes.push_back("VirtualService " + target + " http[" + std::to_string(di) +
                      "] delegates again; Istio follows one level only (its validation rejects it)");
      continue;
    }
    merged.matches = std::move(matches);
    delegate_inherit(h, merged);
    merged.delegated_from = target;
    merged.root_route = static_cast<int>(ri);
    merged.delegate_route = static_cast<int>(di);
    out.http.push_back(std::move(merged));
  }
}

}  // namespace

const model::VirtualService* find_delegate(const model::VirtualService& root, const model::VsHttpRoute& route,
                                           const model::ResourceSet& rs) {
  const std::string ns = route.delegate_namespace.empty() ? effective_namespace(root) : route.delegate_namespace;
  for (const model::VirtualService& vs : rs.virtual_services)
    if (vs.hosts.empty() && vs.meta.name == route.delegate_name && effective_namespace(vs) == ns && vs.routes)
      return &vs;
  return nullptr;
}

std::string destination_namespace(const std::string& host, const std::string& vs_ns) {
  const std::vector<std::string> parts = split(host, '.');
  if (parts.size() == 1) return vs_ns;
  if (parts.size() == 2 || (parts.size() >= 3 && parts[2] == "svc")) return parts[1];
  return "";
}

MergedRoutes merge_delegates(const model::VirtualService& vs, const model::ResourceSet& rs) {
  MergedRoutes out;
  out.routes = vs.routes;
  if (!vs.routes || vs.hosts.empty()) return out;  // a delegate itself is never merged (no hosts)
  for (const VsHttpRoute& h : vs.routes->http) out.delegates = out.delegates || h.delegate;
  if (!out.delegates) return out;
  auto merged = std::make_shared<model::VirtualServiceRoutes>();
  merged->tls = vs.routes->tls;
  merged->tcp = vs.routes->tcp;
  for (size_t ri = 0; ri < vs.routes->http.size(); ++ri) {
    const VsHttpRoute& h = vs.routes->http[ri];
    if (!h.delegate) {
      merged->http.push_back(h);
      merged->http.back().root_route = static_cast<int>(ri);
      continue;
    }
    merge_delegate_route(vs, ri, h, rs, *merged, out.notes);
  }
  out.routes = std::move(merged);
  return out;
}

}  // namespace meshproof::mesh
