#!/usr/bin/env python3
"""Reads a JUnit XML file the way test dashboards do (xml.etree) and prints a JSON summary:

{"tests", "failures", "errors", "skipped",                       # <testsuites> attributes
 "suites": [{"name", "tests", "failures", "errors", "skipped",     # <testsuite> attributes
             "cases": [{"classname", "name", "file", "line", "failures": N, "skipped": bool,
                        "system_out": bool}]}]}

usage: junit_summary.py FILE   (exit 1 when the file is not well-formed XML)
"""
import json
import sys
import xml.etree.ElementTree as ET


def attr(e, name):
    v = e.get(name)
    return int(v) if v is not None else None


def main() -> int:
    try:
        root = ET.parse(sys.argv[1]).getroot()
    except ET.ParseError as e:
        print(f"{sys.argv[1]}: not well-formed XML: {e}", file=sys.stderr)
        return 1
    out = {"root": root.tag, "tests": attr(root, "tests"), "failures": attr(root, "failures"),
           "errors": attr(root, "errors"), "skipped": attr(root, "skipped"), "suites": []}
    for s in root.findall("testsuite"):
        suite = {"name": s.get("name"), "tests": attr(s, "tests"), "failures": attr(s, "failures"),
                 "errors": attr(s, "errors"), "skipped": attr(s, "skipped"), "cases": []}
        for c in s.findall("testcase"):
            suite["cases"].append({
                "classname": c.get("classname"),
                "name": c.get("name"),
                "file": c.get("file"),
                "line": attr(c, "line"),
                "failures": len(c.findall("failure")),
                "failure_messages": [f.get("message") for f in c.findall("failure")],
                "skipped": c.find("skipped") is not None,
                "system_out": c.find("system-out") is not None,
            })
        out["suites"].append(suite)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
