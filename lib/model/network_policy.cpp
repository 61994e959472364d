// Label selectors, CIDRs and names of the L3/L4 policy kinds (model/network_policy.h).
#include "model/network_policy.h"

#include <arpa/inet.h>

#include <algorithm>

namespace meshproof::model {

namespace {

bool requirement_holds(const LabelRequirement& req, const Labels& labels) {
  const auto it = labels.find(req.key);
  const bool has = it != labels.end();
  const bool listed = has && std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
  if (req.op == "In") return listed;
  if (req.op == "NotIn") return !listed;  // a pod without the label is not In, so NotIn holds (metav1)
  if (req.op == "Exists") return has;
  if (req.op == "DoesNotExist") return !has;
  return false;
}

}  // namespace

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& [k, v] : match_labels) {
    const auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return std::all_of(match_expressions.begin(), match_expressions.end(),
                     [&](const LabelRequirement& r) { return requirement_holds(r, labels); });
}

bool Cidr::contains(const Cidr& other) const {
  if (bits != other.bits || other.prefix < prefix) return false;
  for (unsigned i = 0; i < prefix; ++i) {
    const unsigned byte = i / 8, mask = 0x80u >> (i % 8);
    if ((address[byte] & mask) != (other.address[byte] & mask)) return false;
  }
  return true;
}

const char* to_string(NetAction a) {
  switch (a) {
    case NetAction::Allow:
      return "Allow";
    case NetAction::Deny:
      return "Deny";
    case NetAction::Pass:
      return "Pass";
  }
  return "?";
}

std::string NetworkPolicyObject::display() const {
  return kind + " " + (meta.ns.empty() ? meta.name : meta.ns + "/" + meta.name);
}

bool is_network_policy_kind(std::string_view group, std::string_view kind) {
  if (group == "networking.k8s.io") return kind == "NetworkPolicy";
  if (group == "policy.networking.k8s.io")
    return kind == "AdminNetworkPolicy" || kind == "BaselineAdminNetworkPolicy" || kind == "ClusterNetworkPolicy";
  if (group == "cilium.io") return kind == "CiliumNetworkPolicy" || kind == "CiliumClusterwideNetworkPolicy";
  return false;
}

std::optional<Cidr> parse_net_cidr(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos || slash + 1 >= text.size() || text.size() - slash > 4) return std::nullopt;
  const std::string addr = text.substr(0, slash), len = text.substr(slash + 1);
  if (!std::all_of(len.begin(), len.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  Cidr out;
  out.text = text;
  const bool v6 = addr.find(':') != std::string::npos;
  out.bits = v6 ? 128 : 32;
  out.prefix = static_cast<unsigned>(std::stoul(len));
  if (out.prefix > out.bits || inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), out.address) != 1) return std::nullopt;
  return out;
}

}  // namespace meshproof::model
