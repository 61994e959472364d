// The rule identity of the symbolic checks: ir::RuleId names a rule from lowering to finding, and a view
// finds it in its program by lookup (gaps::RuleIndex), in the list of its policy's action.
#include <catch2/catch.hpp>

#include <unordered_set>

#include "checks/gap_views.h"

using namespace meshproof;

namespace {

ir::Rule rule_of(const model::AuthorizationPolicy& p, int index) {
  ir::Rule r;
  r.policy.policy = &p;
  r.policy.action = p.action;
  r.index = index;
  return r;
}

}  // namespace

TEST_CASE("a view finds a rule by its RuleId", "[checks][gap-views]") {
  model::AuthorizationPolicy allow, deny;
  allow.action = model::Action::Allow;
  deny.action = model::Action::Deny;
  ir::Program p;
  p.allow = {rule_of(allow, 0), rule_of(allow, 2)};  // rules[1] dropped on this view
  p.deny = {rule_of(deny, 0)};
  checks::gaps::View v(p, {}, 100);

  auto second = v.ref(ir::RuleId{&allow, 2});
  REQUIRE(second);
  CHECK(*second == engine::RuleRef{model::Action::Allow, 1});
  CHECK(v.rule(ir::RuleId{&allow, 2}) == &v.program().allow[1]);
  CHECK(v.program().allow[1].id() == ir::RuleId{&allow, 2});
  auto d = v.ref(ir::RuleId{&deny, 0});
  REQUIRE(d);
  CHECK(*d == engine::RuleRef{model::Action::Deny, 0});
  CHECK_FALSE(v.ref(ir::RuleId{&allow, 1}));
  CHECK(v.rule(ir::RuleId{&allow, 1}) == nullptr);
  CHECK_FALSE(v.ref(ir::RuleId{nullptr, 0}));
}

TEST_CASE("RuleId is ordered by policy, then index, and hashable", "[checks][gap-views]") {
  model::AuthorizationPolicy pols[2];
  ir::RuleId a{&pols[0], 3}, b{&pols[1], 0}, c{&pols[0], 4};
  CHECK(a < b);
  CHECK(a < c);
  CHECK(a == ir::RuleId{&pols[0], 3});
  std::unordered_set<ir::RuleId> set{a, b, c, a};
  CHECK(set.size() == 3);
}
