// Kubernetes objects: what the mesh needs of workloads and Services.
#include "model/parse_internal.h"

#include "base/base64.h"

namespace meshproof::model::detail {

const Node* spec_of(const Node& obj, Reader& r) {
  const Node* spec = obj.find("spec");
  if (!spec) return nullptr;
  auto s = r.field("spec");
  return r.expect_map(*spec) ? spec : nullptr;
}

namespace {

// The proxy type pilot-agent runs (its args `proxy sidecar` or `proxy router`); "" when the args do not say.
std::string istio_proxy_mode(const Node& container) {
  const Node* args = container.find("args");
  if (!args || !args->is_seq() || args->items.size() < 2) return "";
  const Node& cmd = args->items[0];
  const Node& type = args->items[1];
  if (!cmd.is_scalar() || cmd.scalar != "proxy" || !type.is_scalar()) return "";
  return type.scalar == "sidecar" || type.scalar == "router" ? type.scalar : "";
}

void read_container_ports(const Node& pod_spec, Reader& r, Workload& w) {
  const Node* containers = pod_spec.find("containers");
  if (!containers) return;
  auto sc = r.field("containers");
  if (!r.expect_seq(*containers, "containers")) return;
  std::string proxy_mode = "-";  // pilot-agent's proxy type from the istio-proxy container's args; "-": none
  for (size_t i = 0; i < containers->items.size(); ++i) {
    const Node& c = containers->items[i];
    auto si = r.index(i);
    if (!r.expect_map(c)) continue;
    if (const Node* name = c.find("name"); name && name->is_scalar() && name->scalar == "istio-proxy")
      proxy_mode = istio_proxy_mode(c);
    const Node* ports = c.find("ports");
    if (!ports) continue;
    auto sp = r.field("ports");
    if (!r.expect_seq(*ports, "ports")) continue;
    for (size_t j = 0; j < ports->items.size(); ++j) {
      const Node& p = ports->items[j];
      auto sj = r.index(j);
      if (!r.expect_map(p)) continue;
      ContainerPort cp;
      cp.loc = p.loc;
      r.get_string(p, "name", cp.name);
      if (!r.get_uint(p, "containerPort", cp.port, 1, 65535)) {
        if (!p.find("containerPort"))
          r.diag(Severity::Error, p.loc, "containerPort is missing", "every container port needs a number",
                 r.path_with("containerPort"));
        continue;
      }
      r.get_string(p, "protocol", cp.protocol);
      w.ports.push_back(std::move(cp));
    }
  }
  // Classic ingress/egress gateways opt out of injection and run the proxy as their own container, as
  // `pilot-agent proxy router`; an injected pod runs it beside the application as `pilot-agent proxy sidecar`
  // (a pod listing from a live cluster shows it). Without args, a pod whose only container is the proxy is a
  // gateway (Istio's gateway injection template fills the args in at admission).
  w.runs_proxy_as_gateway = proxy_mode == "router" || (proxy_mode.empty() && containers->items.size() == 1);
}

void read_pod_spec(const Node& pod_spec, Reader& r, Workload& w) {
  // serviceAccountName wins; the deprecated serviceAccount is its alias.
  if (!r.get_string(pod_spec, "serviceAccountName", w.service_account) || w.service_account.empty())
    r.get_string(pod_spec, "serviceAccount", w.service_account);
  if (w.service_account.empty()) w.service_account = "default";
  read_container_ports(pod_spec, r, w);
}

// spec.template (or the CronJob's spec.jobTemplate.spec.template): labels, annotations, pod spec.
void read_pod_template(const Node& tmpl, Reader& r, Workload& w) {
  if (const Node* md = child_map(tmpl, "metadata", r)) {
    auto s = r.field("metadata");
    r.get_labels(*md, "labels", w.pod_labels, &w.pod_labels_loc);
    r.get_labels(*md, "annotations", w.pod_annotations);
  }
  if (const Node* ps = child_map(tmpl, "spec", r)) {
    auto s = r.field("spec");
    read_pod_spec(*ps, r, w);
  } else {
    w.service_account = "default";
  }
}

}  // namespace

void parse_workload(const Node& obj, Reader& r, Workload& w) {
  w.service_account = "default";
  if (w.kind == "Pod") {
    w.pod_labels = w.meta.labels;
    w.pod_labels_loc = w.meta.labels_loc;
    w.pod_annotations = w.meta.annotations;
    if (const Node* spec = spec_of(obj, r)) {
      auto s = r.field("spec");
      read_pod_spec(*spec, r, w);
    }
    return;
  }
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  if (const Node* sel = child_map(*spec, "selector", r)) {
    auto ss = r.field("selector");
    w.selector.present = true;
    w.selector.loc = sel->loc;
    if (w.kind == "ReplicationController") {
      r.read_labels(*sel, w.selector.match_labels);
    } else {
      r.get_labels(*sel, "matchLabels", w.selector.match_labels);
    }
  }
  auto read_template = [&](const Node& holder) {
    if (const Node* tmpl = child_map(holder, "template", r)) {
      auto st = r.field("template");
      read_pod_template(*tmpl, r, w);
    }
  };
  if (w.kind != "CronJob") {
    read_template(*spec);
    return;
  }
  const Node* jt = child_map(*spec, "jobTemplate", r);
  if (!jt) return;
  auto sj = r.field("jobTemplate");
  const Node* job_spec = child_map(*jt, "spec", r);
  if (!job_spec) return;
  auto sjs = r.field("spec");
  read_template(*job_spec);
}

void parse_service(const Node& obj, Reader& r, Service& svc) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  svc.has_selector = r.get_labels(*spec, "selector", svc.selector) && !svc.selector.empty();
  const Node* ports = spec->find("ports");
  if (!ports) return;
  auto sp = r.field("ports");
  if (!r.expect_seq(*ports, "ports")) return;
  for (size_t i = 0; i < ports->items.size(); ++i) {
    const Node& p = ports->items[i];
    auto si = r.index(i);
    if (!r.expect_map(p)) continue;
    ServicePort sport;
    sport.loc = p.loc;
    r.get_string(p, "name", sport.name);
    if (!r.get_uint(p, "port", sport.port, 1, 65535)) {
      if (!p.find("port"))
        r.diag(Severity::Error, p.loc, "port is missing", "every Service port needs a number", r.path_with("port"));
      continue;
    }
    r.get_string(p, "protocol", sport.protocol);
    r.get_string(p, "appProtocol", sport.app_protocol);
    // targetPort is IntOrString: a number is a container port, a string names one. A quoted number is a
    // name that Kubernetes rejects (an IANA service name must contain a letter).
    if (const Node* tp = p.find("targetPort"); tp && !tp->is_null()) {
      auto st = r.field("targetPort");
      if (tp->is_scalar() && kube_type(*tp) == load::ScalarType::Int) {
        r.read_uint(*tp, sport.target_port_number, 1, 65535);
      } else if (tp->is_scalar() && kube_type(*tp) == load::ScalarType::String) {
        bool has_letter = false;
        for (char c : tp->scalar) has_letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!has_letter) {
          r.error(tp->loc, "targetPort \"" + tp->scalar + "\" is a string without a letter",
                  "a string targetPort names a container port and must contain a letter; write the number "
                  "without quotes: " +
                      tp->scalar);
        }
        sport.target_port_name = tp->scalar;
      } else {
        r.read_uint(*tp, sport.target_port_number, 1, 65535);
      }
    }
    if (sport.target_port_number == 0 && sport.target_port_name.empty()) sport.target_port_number = sport.port;
    svc.ports.push_back(std::move(sport));
  }
}

void parse_secret(const Node& obj, Secret& s) {
  for (const char* field : {"data", "stringData"}) {
    const Node* data = obj.find(field);
    if (!data || !data->is_map()) continue;
    for (const load::MapEntry& e : data->entries) {
      s.keys.push_back(e.key);
      if (!e.value.is_scalar()) continue;
      if (std::string_view(field) == "stringData") {
        s.values[e.key] = e.value.scalar;
      } else {
        s.values[e.key] = base64_decode(e.value.scalar).value_or("");
      }
    }
  }
}

void parse_certificate_secret(const Node& obj, Secret& s) {
  s.from_certificate = true;
  s.keys = {"tls.crt", "tls.key", "ca.crt"};
  const Node* spec = obj.find("spec");
  const Node* name = spec && spec->is_map() ? spec->find("secretName") : nullptr;
  s.meta.name = name && name->is_scalar() ? name->scalar : std::string();
}

}  // namespace meshproof::model::detail
