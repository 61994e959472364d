#include "compile/config_dump.h"

#include <algorithm>
#include <cctype>

#include "compile/compile.h"
#include "compile/decode/node_reader.h"

namespace meshproof::compile {

namespace {

using decoder::camel;
using load::Node;

// Map lookup by camelCase name, accepting snake_case; the entry's key (as written) for paths.
const load::MapEntry* entry(const Node& m, const std::string& k) {
  if (!m.is_map()) return nullptr;
  for (const auto& e : m.entries)
    if (e.key == k || camel(e.key) == k) return &e;
  return nullptr;
}
const Node* get(const Node& m, const std::string& k) {
  const load::MapEntry* e = entry(m, k);
  return e ? &e->value : nullptr;
}
std::string key_of(const Node& m, const std::string& k) {
  const load::MapEntry* e = entry(m, k);
  return e ? e->key : k;
}

std::string type_of(const Node& typed_config) {
  const Node* t = get(typed_config, "@type");
  return t && t->is_scalar() ? t->scalar : "";
}

struct Walker {
  std::vector<InboundChain>& out;
  std::vector<DecodeError>& errors;

  bool fail(const Node& n, const std::string& path, const std::string& msg) {
    errors.push_back(DecodeError{n.loc, path, msg});
    return false;
  }

  bool is_inbound(const Node& listener) {
    const Node* name = get(listener, "name");
    if (name && name->is_scalar() && name->scalar == "virtualInbound") return true;
    if (const Node* addr = get(listener, "address"))
      if (const Node* sa = get(*addr, "socketAddress"))
        if (const Node* pv = get(*sa, "portValue"))
          if (pv->is_scalar() && pv->scalar == "15006") return true;
    return false;
  }

  bool chain(const Node& c, const std::string& path, const std::string& listener) {
    if (!c.is_map()) return fail(c, path, "expected a filter chain map");
    InboundChain ic;
    ic.listener = listener;
    ic.path = path;
    ic.loc = c.loc;
    if (const Node* n = get(c, "name"); n && n->is_scalar()) ic.name = n->scalar;
    if (ic.name.find("blackhole") != std::string::npos) return true;
    if (const Node* m = get(c, "filterChainMatch")) {
      if (const Node* dp = get(*m, "destinationPort")) {
        const Node* v = dp->is_map() ? get(*dp, "value") : dp;
        if (!v || !v->is_scalar() || v->scalar.empty() || v->scalar.size() > 5 ||
            !std::all_of(v->scalar.begin(), v->scalar.end(), ::isdigit))
          return fail(*dp, path + "." + key_of(c, "filterChainMatch") + ".destination_port", "expected a port number");
        ic.port = static_cast<uint32_t>(std::stoul(v->scalar));
      }
    }
    const Node* filters = get(c, "filters");
    std::string fpath = path + "." + key_of(c, "filters");
    if (filters && !filters->is_seq() && !filters->is_null())
      return fail(*filters, fpath, "expected a list of filters");
    const Node* hcm = nullptr;
    std::string hcm_path;
    if (filters && filters->is_seq()) {
      for (size_t i = 0; i < filters->items.size(); ++i) {
        const Node& f = filters->items[i];
        const Node* n = get(f, "name");
        const Node* tc = get(f, "typedConfig");
        bool is_hcm = (n && n->is_scalar() && n->scalar == "envoy.filters.network.http_connection_manager") ||
                      (tc && type_of(*tc).ends_with("HttpConnectionManager"));
        if (is_hcm) {
          if (!tc)
            return fail(f, fpath + "[" + std::to_string(i) + "]", "http_connection_manager without typed_config");
          hcm = tc;
          hcm_path = fpath + "[" + std::to_string(i) + "]." + key_of(f, "typedConfig");
        }
      }
    }
    if (hcm) {
      ic.protocol = ir::Protocol::Http;
      const Node* hf = get(*hcm, "httpFilters");
      std::string hp = hcm_path + "." + key_of(*hcm, "httpFilters");
      if (hf && hf->is_seq())
        for (size_t i = 0; i < hf->items.size(); ++i) {
          ic.filters.push_back(&hf->items[i]);
          ic.filter_paths.push_back(hp + "[" + std::to_string(i) + "]");
        }
      else if (hf && !hf->is_null())
        return fail(*hf, hp, "expected a list of HTTP filters");
    } else {
      ic.protocol = ir::Protocol::Tcp;
      if (filters && filters->is_seq())
        for (size_t i = 0; i < filters->items.size(); ++i) {
          ic.filters.push_back(&filters->items[i]);
          ic.filter_paths.push_back(fpath + "[" + std::to_string(i) + "]");
        }
    }
    out.push_back(std::move(ic));
    return true;
  }

  bool listener(const Node& l, const std::string& path) {
    if (!is_inbound(l)) return true;
    std::string name = get(l, "name") && get(l, "name")->is_scalar() ? get(l, "name")->scalar : "";
    if (const Node* fcs = get(l, "filterChains")) {
      std::string p = path + "." + key_of(l, "filterChains");
      if (!fcs->is_seq()) return fail(*fcs, p, "expected a list of filter chains");
      for (size_t i = 0; i < fcs->items.size(); ++i)
        if (!chain(fcs->items[i], p + "[" + std::to_string(i) + "]", name)) return false;
    }
    if (const Node* d = get(l, "defaultFilterChain"))
      if (!chain(*d, path + "." + key_of(l, "defaultFilterChain"), name)) return false;
    return true;
  }

  bool listener_dump(const Node& d, const std::string& path) {
    if (const Node* dyn = get(d, "dynamicListeners")) {
      std::string p = path + "." + key_of(d, "dynamicListeners");
      if (!dyn->is_seq()) return fail(*dyn, p, "expected a list of listeners");
      for (size_t i = 0; i < dyn->items.size(); ++i) {
        const Node& dl = dyn->items[i];
        std::string ip = p + "[" + std::to_string(i) + "]";
        const Node* as = get(dl, "activeState");
        if (!as) continue;  // warming/draining only
        const Node* l = get(*as, "listener");
        if (!l) continue;
        if (!listener(*l, ip + "." + key_of(dl, "activeState") + ".listener")) return false;
      }
    }
    if (const Node* st = get(d, "staticListeners")) {
      std::string p = path + "." + key_of(d, "staticListeners");
      if (!st->is_seq()) return fail(*st, p, "expected a list of listeners");
      for (size_t i = 0; i < st->items.size(); ++i)
        if (const Node* l = get(st->items[i], "listener"))
          if (!listener(*l, p + "[" + std::to_string(i) + "].listener")) return false;
    }
    return true;
  }
};

}  // namespace

bool inbound_chains(const load::Node& root, std::vector<InboundChain>& out, std::vector<DecodeError>& errors) {
  Walker w{out, errors};
  if (!root.is_map()) {
    errors.push_back(DecodeError{
        root.loc, "$", std::string("expected an Envoy config dump (a map with configs[]), found ") + root.type_name()});
    return false;
  }
  bool any_dump = false;
  if (const Node* configs = get(root, "configs")) {
    if (!configs->is_seq()) {
      errors.push_back(DecodeError{configs->loc, "configs", "expected a list"});
      return false;
    }
    for (size_t i = 0; i < configs->items.size(); ++i) {
      const Node& c = configs->items[i];
      if (!type_of(c).ends_with("ListenerConfigDump")) continue;
      any_dump = true;
      if (!w.listener_dump(c, "configs[" + std::to_string(i) + "]")) return false;
    }
  } else if (type_of(root).ends_with("ListenerConfigDump")) {
    any_dump = true;
    if (!w.listener_dump(root, "$")) return false;
  }
  if (!any_dump) {
    errors.push_back(DecodeError{root.loc, "$", "no ListenerConfigDump in the config dump (configs[].@type)"});
    return false;
  }
  if (out.empty()) {
    errors.push_back(
        DecodeError{root.loc, "$", "no inbound listener (virtualInbound / port 15006) with filter chains"});
    return false;
  }
  return true;
}

bool verify_chains(const std::vector<InboundChain>& chains, const mesh::Workload& workload, const ir::LowerContext& ctx,
                   const engine::EquivalenceOptions& options, std::vector<ChainVerdict>& out,
                   std::vector<DecodeError>& errors) {
  bool ok = true;
  for (const auto& c : chains) {
    DecodeOptions dopt;
    dopt.skip_other_filters = true;
    DecodedTable table;
    if (!decode_filters(c.filters, c.filter_paths, c.protocol, dopt, table, errors)) {
      ok = false;
      continue;
    }
    ChainVerdict v;
    v.chain = c;
    uint32_t port = c.port.value_or(0);
    const mesh::WorkloadPort* wp = port ? workload.find_port(port) : nullptr;
    v.port = wp ? port : 0;
    ir::Program program =
        ir::build_program(workload, port, wp ? wp->name : "", c.protocol,
                          wp ? wp->protocol == mesh::PortProtocol::Sniffed : true, workload.mtls_for(port), ctx);
    v.result = prove_decoded(table, program, options);
    v.rbac_filters = table.rbac_filters;
    v.ext_authz_filters = table.ext_authz_filters;
    out.push_back(std::move(v));
  }
  return ok;
}

}  // namespace meshproof::compile
