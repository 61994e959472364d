#include "compile/decode/matchers.h"

#include <vector>

#include "compile/decode/value_matchers.h"

namespace meshproof::compile::decoder {

using ir::Attribute;

namespace {

// ---------------------------------------------------------------------------------------------------
// The oneof fields of each side
// ---------------------------------------------------------------------------------------------------

struct MatcherField {
  const char* name;
  MatcherKind kind;
};

const MatcherField kPermissionFields[] = {
    {"andRules", MatcherKind::And},
    {"orRules", MatcherKind::Or},
    {"any", MatcherKind::Any},
    {"header", MatcherKind::Header},
    {"urlPath", MatcherKind::UrlPath},
    {"destinationIp", MatcherKind::DestinationIp},
    {"destinationPort", MatcherKind::DestinationPort},
    {"destinationPortRange", MatcherKind::DestinationPortRange},
    {"metadata", MatcherKind::Metadata},
    {"notRule", MatcherKind::Not},
    {"requestedServerName", MatcherKind::RequestedServerName},
    {"matcher", MatcherKind::Unsupported},
    {"uriTemplate", MatcherKind::UriTemplate},
    {"sourcedMetadata", MatcherKind::Unsupported},
};

const MatcherField kPrincipalFields[] = {
    {"andIds", MatcherKind::And},
    {"orIds", MatcherKind::Or},
    {"any", MatcherKind::Any},
    {"authenticated", MatcherKind::Authenticated},
    {"sourceIp", MatcherKind::SourceIp},
    {"directRemoteIp", MatcherKind::DirectRemoteIp},
    {"remoteIp", MatcherKind::RemoteIp},
    {"header", MatcherKind::Header},
    {"urlPath", MatcherKind::UrlPath},
    {"metadata", MatcherKind::Metadata},
    {"filterState", MatcherKind::Unsupported},
    {"notId", MatcherKind::Not},
    {"sourcedMetadata", MatcherKind::Unsupported},
    {"custom", MatcherKind::Unsupported},
};

template <size_t N>
std::vector<std::string_view> names_of(const MatcherField (&fields)[N]) {
  std::vector<std::string_view> out;
  for (const auto& f : fields) out.push_back(f.name);
  return out;
}

const std::vector<std::string_view>& field_names(Side side) {
  static const std::vector<std::string_view> permission = names_of(kPermissionFields);
  static const std::vector<std::string_view> principal = names_of(kPrincipalFields);
  return side == Side::Permission ? permission : principal;
}

MatcherKind kind_of(const std::string& field, Side side) {
  if (side == Side::Permission) {
    for (const auto& f : kPermissionFields)
      if (field == f.name) return f.kind;
  } else {
    for (const auto& f : kPrincipalFields)
      if (field == f.name) return f.kind;
  }
  return MatcherKind::Unsupported;
}

// ---------------------------------------------------------------------------------------------------
// One class per kind
// ---------------------------------------------------------------------------------------------------

// and_rules / or_rules (Permission.Set), and_ids / or_ids (Principal.Set).
class SetMatcher : public Matcher {
 public:
  SetMatcher(Side side, bool all) : side_(side), all_(all) {}
  Formula decode(const Node& config, const std::string& path) const override {
    const char* key = side_ == Side::Permission ? "rules" : "ids";
    Fields f(config, path, {key});
    const auto& items = seq(f.get(key), f.path(key));
    std::vector<Formula> out;
    for (size_t i = 0; i < items.size(); ++i)
      out.push_back(decode_matcher(items[i], f.path(key) + "[" + std::to_string(i) + "]", side_));
    return all_ ? f_and(std::move(out)) : f_or(std::move(out));
  }

 private:
  Side side_;
  bool all_;
};

// not_rule / not_id.
class NotMatcher : public Matcher {
 public:
  explicit NotMatcher(Side side) : side_(side) {}
  Formula decode(const Node& config, const std::string& path) const override {
    return f_not(decode_matcher(config, path, side_));
  }

 private:
  Side side_;
};

class AnyMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override {
    if (!boolean(&config, path)) fail(config, path, "any: false is not a valid matcher");
    return f_true();
  }
};

class HeaderRuleMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override { return header_matcher(config, path); }
};

class UrlPathMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override {
    Fields f(config, path, {"path", "ignoreCase"});
    if (!f.get("path")) fail(config, path, "url_path without path");
    return string_matcher(*f.get("path"), f.path("path"), Attribute::Path, "");
  }
};

class MetadataRuleMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override { return metadata_matcher(config, path); }
};

// destination_ip, direct_remote_ip, remote_ip.
class IpMatcher : public Matcher {
 public:
  explicit IpMatcher(Attribute attr) : attr_(attr) {}
  Formula decode(const Node& config, const std::string& path) const override {
    return cidr_matcher(config, path, attr_);
  }

 private:
  Attribute attr_;
};

class PortMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override {
    return f_atom(ir::make_port_atom(static_cast<uint32_t>(number(&config, path, 0xffffffffu))));
  }
};

// [start, end), expanded into an OR of ports.
class PortRangeMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override {
    Fields r(config, path, {"start", "end"});
    uint64_t s = r.get("start") ? number(r.get("start"), r.path("start"), 0xffffffffu) : 0;
    uint64_t e = r.get("end") ? number(r.get("end"), r.path("end"), 0xffffffffu) : 0;
    if (e > s + 4096) fail(config, path, "port ranges wider than 4096 ports are not expanded");
    std::vector<Formula> ors;
    for (uint64_t q = s; q < e; ++q) ors.push_back(f_atom(ir::make_port_atom(static_cast<uint32_t>(q))));
    return f_or(std::move(ors));
  }
};

class RequestedServerNameMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override {
    return string_matcher(config, path, Attribute::ConnectionSni, "");
  }
};

class UriTemplateMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override {
    Fields u(config, path, {"name", "typedConfig"});
    const Node* tc = u.get("typedConfig");
    if (!tc) fail(config, path, "uri_template without typed_config");
    Fields t(*tc, u.path("typedConfig"), {"@type", "pathTemplate"});
    std::string type = scalar(t.get("@type"), t.path("@type"));
    if (type != "type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig")
      fail(*tc, u.path("typedConfig"), "unsupported path matcher " + type);
    std::string tmpl = scalar(t.get("pathTemplate"), t.path("pathTemplate"));
    return f_atom(ir::make_atom(Attribute::Path, ir::Op::PathTemplate, tmpl));
  }
};

class AuthenticatedMatcher : public Matcher {
 public:
  Formula decode(const Node& config, const std::string& path) const override {
    Fields a(config, path, {"principalName"});
    // No principal_name: any authenticated (mTLS) peer.
    if (!a.get("principalName")) return f_atom(ir::make_atom(Attribute::PeerTrustDomain, ir::Op::Present));
    return principal_name_matcher(*a.get("principalName"), a.path("principalName"));
  }
};

// A kind meshproof does not decode: always an error, saying why.
class UnsupportedMatcher : public Matcher {
 public:
  explicit UnsupportedMatcher(std::string message) : message_(std::move(message)) {}
  Formula decode(const Node& config, const std::string& path) const override { fail(config, path, message_); }

 private:
  std::string message_;
};

}  // namespace

std::unique_ptr<const Matcher> Matcher::create(const std::string& field, Side side) {
  switch (kind_of(field, side)) {
    case MatcherKind::And:
      return std::make_unique<SetMatcher>(side, true);
    case MatcherKind::Or:
      return std::make_unique<SetMatcher>(side, false);
    case MatcherKind::Not:
      return std::make_unique<NotMatcher>(side);
    case MatcherKind::Any:
      return std::make_unique<AnyMatcher>();
    case MatcherKind::Header:
      return std::make_unique<HeaderRuleMatcher>();
    case MatcherKind::UrlPath:
      return std::make_unique<UrlPathMatcher>();
    case MatcherKind::Metadata:
      return std::make_unique<MetadataRuleMatcher>();
    case MatcherKind::DestinationIp:
      return std::make_unique<IpMatcher>(Attribute::DestinationIp);
    case MatcherKind::DestinationPort:
      return std::make_unique<PortMatcher>();
    case MatcherKind::DestinationPortRange:
      return std::make_unique<PortRangeMatcher>();
    case MatcherKind::RequestedServerName:
      return std::make_unique<RequestedServerNameMatcher>();
    case MatcherKind::UriTemplate:
      return std::make_unique<UriTemplateMatcher>();
    case MatcherKind::Authenticated:
      return std::make_unique<AuthenticatedMatcher>();
    case MatcherKind::DirectRemoteIp:
      return std::make_unique<IpMatcher>(Attribute::SourceIp);
    case MatcherKind::RemoteIp:
      return std::make_unique<IpMatcher>(Attribute::RemoteIp);
    case MatcherKind::SourceIp:
      return std::make_unique<UnsupportedMatcher>(
          "source_ip (deprecated) reads the connection's remote address, which PROXY protocol may rewrite; "
          "meshproof models direct_remote_ip and remote_ip only");
    case MatcherKind::Unsupported:
      break;
  }
  return std::make_unique<UnsupportedMatcher>(std::string(side == Side::Permission ? "permission" : "principal") +
                                              " matcher \"" + field + "\" is not supported");
}

Formula decode_matcher(const Node& n, const std::string& path, Side side) {
  Fields f(n, path, field_names(side));
  auto [field, config] = f.only();
  return Matcher::create(field, side)->decode(*config, f.path(field));
}

}  // namespace meshproof::compile::decoder
