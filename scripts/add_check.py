#!/usr/bin/env python3
"""Adds a check to meshproof: everything docs/DESIGN.md "Recipe: a check" lists, as skeletons to fill in.

    scripts/add_check.py NAME --id MPxxxx --severity error|warning|note [--symbolic]

NAME is the check's kebab-case public name ("wildcard-host"). Writes
  lib/checks/<name>.cpp                   the check's class (a Check, or with --symbolic a gaps::SymbolicCheck
                                          with its analyzer) and its factory
  lib/checks/registry.cpp                 the registry line X(<name>)
  docs/checks/<name>.md                   the doc page, from the template below
  docs/checks/README.md                   the check's row in the index table
  test/fixtures/checks/<name>/positive.yaml, negative.yaml
  test/checks/<name>_test.cpp             an end-to-end test of the two fixtures
(<name> with '_' for '-' in C++ file names.) test/checks/registry_test.cpp fails until the check reports on
its positive fixture and stays quiet on its negative one, as clang-tidy's add_new_check.py leaves a check
whose test fails until it is written.

--root DIR writes into another tree (tests use a temporary copy); --dry-run prints what would be written
and changes nothing.
"""

import argparse
import os
import re
import sys

CHECK_TEMPLATE = """\
// {name} ({id}): TODO: what the check finds, and why Istio behaves that way (cite docs/semantics.md#topic or
// an istio.io page).
#include "checks/check.h"
#include "checks/describe.h"

namespace meshproof::checks {{
namespace {{

class {cls} final : public Check {{
 public:
  {cls}()
      : Check(CheckInfo{{
          "{name}", "{id}", Severity::{severity_enum},
          "{summary}",
          "TODO: a paragraph for SARIF fullDescription: what is found, why it matters, how it is decided."}}) {{}}

  // The resources this check examines (default: every AuthorizationPolicy, PeerAuthentication and
  // RequestAuthentication); narrow it so that reports list what passed.
  std::vector<ResourceRef> subjects(const Context& ctx) const override {{
    return policies_with_action(ctx, {{}});
  }}

  void run(const Context& ctx, std::vector<Finding>& out) const override {{
    for (const model::AuthorizationPolicy& p : ctx.resources.authorization_policies) {{
      // Objects Istio's admission rejects are not here: the input stage moved them to Input::rejected.
      // TODO: decide whether `p` is a finding; then
      // out.push_back(make(p.ref(), p.loc, "AuthorizationPolicy " + namespace_of(p) + "/" + p.meta.name +
      //                    " ...: what happens and why", "how to fix it", "fingerprint key"));
    }}
  }}
}};

}}  // namespace

std::unique_ptr<Check> make_{snake}_check() {{ return std::make_unique<{cls}>(); }}

}}  // namespace meshproof::checks
"""

SYMBOLIC_TEMPLATE = """\
// {name} ({id}): TODO: what the check finds, and why Istio behaves that way (cite docs/semantics.md#topic or
// an istio.io page). A symbolic check: its analyzer visits every workload class in the shared pass
// (checks/gap_pass.h) and asks the engine about the class's views.
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"

namespace meshproof::checks {{
namespace {{

// What the analyzer learns about one rule over all classes. Named after the check: the Release build compiles
// the layer as one translation unit, where two files' anonymous-namespace names must differ (docs/ci.md).
struct {cls}Facts {{
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string unknown;  // the first Unknown answer the conclusion depends on
}};

class {analyzer} final : public gaps::Analyzer {{
 public:
  {analyzer}(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {{}}

  void visit(gaps::ClassView& cls) override {{
    for (const model::AuthorizationPolicy* p : s_.policies_of(cls))
      for (size_t i = 0; i < p->rules.size(); ++i) {{
        ir::RuleId id{{p, static_cast<int>(i)}};
        {cls}Facts& f = facts_[id];
        for (gaps::View& v : cls.views) {{
          auto ref = v.ref(id);
          if (!ref) continue;  // absent on this view
          // TODO: the question this check asks, e.g. "the rule matches and the request is allowed".
          auto r = v.find(engine::Query().rule_matches(*ref).verdict(engine::Verdict::Allow));
          if (r.answer == engine::SatAnswer::Unknown && f.unknown.empty())
            f.unknown = r.reason + " on " + v.describe() + " of " + v.program().workload;
          if (r.answer != engine::SatAnswer::Sat) continue;
          for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
          if (!f.example) f.example = gaps::witness_of(s_, v.program(), r);
        }}
      }}
  }}

  // What the same analyzer learned from the next chunk of classes: what one visit of both would record.
  void merge(gaps::Analyzer& later) override {{
    gaps::merge_facts(facts_, static_cast<{analyzer}&>(later).facts_, []({cls}Facts& f, {cls}Facts& l) {{
      gaps::add_all_unique(f.workloads, l.workloads);
      gaps::keep_first(f.example, l.example);
      gaps::keep_first(f.unknown, l.unknown);
    }});
  }}

  void finish(std::vector<Finding>& out) override {{
    // In input order, once per rule, with the workloads it concerns.
    for (const auto& pol : s_.ctx.resources.authorization_policies)
      for (size_t i = 0; i < pol.rules.size(); ++i) {{
        auto it = facts_.find(ir::RuleId{{&pol, static_cast<int>(i)}});
        if (it != facts_.end()) report(it->first, it->second, out);
      }}
  }}

 private:
  void report(const ir::RuleId& id, const {cls}Facts& f, std::vector<Finding>& out) const {{
    const std::string subject = gaps::rule_text(id);
    const std::string key = "rule=" + std::to_string(id.index);
    if (!f.example) {{
      if (!f.unknown.empty())
        out.push_back(gaps::inconclusive_finding(info(), id.policy->ref(), gaps::rule_loc(id), subject,
                                                 "TODO: the question", f.unknown, key));
      return;
    }}
    // TODO: decide whether this is a finding; then
    // Finding fnd = make_finding(info(), id.policy->ref(), gaps::rule_loc(id), subject + " ...: what happens "
    //                            "and why; e.g. " + gaps::witness_summary(*f.example), "how to fix it", key);
    // fnd.witness = f.example;
    // fnd.properties["workloads"] = join(f.workloads, "; ");
    // out.push_back(std::move(fnd));
  }}

  const gaps::Shared& s_;
  std::map<ir::RuleId, {cls}Facts> facts_;
}};

class {cls} final : public gaps::SymbolicCheck {{
 public:
  {cls}()
      : SymbolicCheck(CheckInfo{{
          "{name}", "{id}", Severity::{severity_enum},
          "{summary}",
          "TODO: a paragraph for SARIF fullDescription: what is proven, why it matters, how it is decided."}}) {{}}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {{
    return std::make_unique<{analyzer}>(info(), s);
  }}
}};

}}  // namespace

std::unique_ptr<Check> make_{snake}_check() {{ return std::make_unique<{cls}>(); }}

}}  // namespace meshproof::checks
"""

DOC_TEMPLATE = """\
# {name}

**Id:** {id} · **Default severity:** {severity} · **Scope:** all

## What it finds

TODO: what the check reports, on which resource and where the finding points; its properties.

## Why it matters

TODO: what goes wrong in the mesh when this is left as it is (cite docs/semantics.md#topic or an istio.io page).

## Example

```yaml
# TODO: the smallest input that shows it (test/fixtures/checks/{name}/positive.yaml)
```

```
TODO: the finding as `meshproof check` prints it
```

## Fix

TODO: how to change the input so that the finding goes away.

## Controls it gives evidence for

TODO: the compliance controls (see `rules/*.yaml`).
"""

FIXTURE_TEMPLATE = """\
# {name}: {what}
# TODO: resources on which the check {must}.
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: example
  namespace: default
spec:
  action: ALLOW
  rules:
    - from:
        - source:
            principals: ["cluster.local/ns/default/sa/client"]
"""

TEST_TEMPLATE = """\
// {name} end to end: TODO: what the fixtures show.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("{name} reports its positive fixture", "[checks][{name}]") {{
  auto run = test::run_fixture("checks/{name}/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("{name}");
  REQUIRE_FALSE(found.empty());
  CHECK(found[0]->id == "{id}");
  // TODO: the exact message, location and properties of each finding.
}}

TEST_CASE("{name} is quiet on its negative fixture", "[checks][{name}]") {{
  auto run = test::run_fixture("checks/{name}/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("{name}").empty());
}}
"""


def fail(msg):
    sys.exit("add_check.py: " + msg)


def registry_with(text, snake):
    """registry.cpp with X(snake) appended to MESHPROOF_CHECKS (backslashes realigned)."""
    m = re.search(r"#define MESHPROOF_CHECKS\(X\)[ \\]*\n((?:  X\(\w+\)[ \\]*\n)+)", text)
    if not m:
        fail("no MESHPROOF_CHECKS list in lib/checks/registry.cpp")
    entries = re.findall(r"X\((\w+)\)", m.group(1))
    if snake in entries:
        fail(f"{snake} is already registered")
    entries.append(snake)
    lines = ["#define MESHPROOF_CHECKS(X)"] + [f"  X({e})" for e in entries]
    width = max(len(l) for l in lines) + 1
    block = "".join(l.ljust(width) + "\\\n" for l in lines[:-1]) + lines[-1] + "\n"
    return text[: m.start()] + block + text[m.end():]


def index_with(text, name, id_, severity, summary):
    """docs/checks/README.md with the check's row after the last row of the index table."""
    rows = [m for m in re.finditer(r"^\| \[[^\n]*\n", text, re.M)]
    if not rows:
        fail("no check table in docs/checks/README.md")
    row = f"| [{name}]({name}.md) | {id_} | {severity} | all | {summary} |\n"
    end = rows[-1].end()
    return text[:end] + row + text[end:]


def main():
    ap = argparse.ArgumentParser(description="Adds a meshproof check (skeletons to fill in).")
    ap.add_argument("name", help="kebab-case public name, e.g. wildcard-host")
    ap.add_argument("--id", required=True, help="MPnnnn, unique")
    ap.add_argument("--severity", required=True, choices=["error", "warning", "note"])
    ap.add_argument("--symbolic", action="store_true", help="a check answered by the shared symbolic pass")
    ap.add_argument("--summary", default="TODO: one line for --list-checks and SARIF shortDescription")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help="the source tree (default: this script's)")
    ap.add_argument("--dry-run", action="store_true", help="print what would be written, change nothing")
    a = ap.parse_args()

    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", a.name):
        fail(f"'{a.name}' is not a kebab-case name")
    if not re.fullmatch(r"MP[0-9]{4}", a.id):
        fail(f"'{a.id}' is not an id of the form MPnnnn")
    snake = a.name.replace("-", "_")
    cls = "".join(p.capitalize() for p in a.name.split("-"))
    root = a.root
    path = lambda *p: os.path.join(root, *p)

    for rel in (["lib", "checks", snake + ".cpp"], ["docs", "checks", a.name + ".md"],
                ["test", "fixtures", "checks", a.name], ["test", "checks", snake + "_test.cpp"]):
        if os.path.exists(path(*rel)):
            fail(f"{'/'.join(rel)} already exists")
    checks_dir = path("lib", "checks")
    for f in sorted(os.listdir(checks_dir)):
        if f.endswith(".cpp") and f'"{a.id}"' in open(os.path.join(checks_dir, f)).read():
            fail(f"id {a.id} is already used in lib/checks/{f}")

    fields = dict(name=a.name, id=a.id, severity=a.severity, severity_enum=a.severity.capitalize(),
                  summary=a.summary.replace("\\", "\\\\").replace('"', '\\"'), snake=snake, cls=cls,
                  analyzer=cls + "Analyzer")
    source = (SYMBOLIC_TEMPLATE if a.symbolic else CHECK_TEMPLATE).format(**fields)
    writes = [
        (path("lib", "checks", snake + ".cpp"), source),
        (path("lib", "checks", "registry.cpp"), registry_with(open(path("lib", "checks", "registry.cpp")).read(), snake)),
        (path("docs", "checks", a.name + ".md"), DOC_TEMPLATE.format(**fields)),
        (path("docs", "checks", "README.md"),
         index_with(open(path("docs", "checks", "README.md")).read(), a.name, a.id, a.severity, a.summary)),
        (path("test", "fixtures", "checks", a.name, "positive.yaml"),
         FIXTURE_TEMPLATE.format(name=a.name, what="the check must report", must="must report")),
        (path("test", "fixtures", "checks", a.name, "negative.yaml"),
         FIXTURE_TEMPLATE.format(name=a.name, what="the check must stay quiet", must="must stay quiet on")),
        (path("test", "checks", snake + "_test.cpp"), TEST_TEMPLATE.format(**fields)),
    ]
    for file, text in writes:
        rel = os.path.relpath(file, root)
        if a.dry_run:
            print(f"=== {rel}\n{text}", end="" if text.endswith("\n") else "\n")
            continue
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file, "w") as out:
            out.write(text)
        print(f"wrote {rel}")
    if not a.dry_run:
        print(f"next: fill in the TODOs, then `ninja -C build meshproof test_checks` and "
              f"`cd build && ctest -R '^checks:' --output-on-failure` (docs/DESIGN.md \"Recipe: a check\")")


if __name__ == "__main__":
    main()
