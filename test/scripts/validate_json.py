#!/usr/bin/env python3
"""Validates a JSON document against a JSON Schema, choosing the validator from the schema's "$schema".

usage: validate_json.py SCHEMA DOCUMENT
exit 0: valid; 1: invalid (errors printed); 77: cannot validate here (jsonschema missing or too old).
"""
import json
import sys


def main() -> int:
    try:
        import jsonschema
        from jsonschema.validators import validator_for
    except ImportError:
        print("skipped: python3-jsonschema is not installed", file=sys.stderr)
        return 77
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    cls = validator_for(schema, default=None)
    if cls is None:
        print(f"skipped: this jsonschema does not know {schema.get('$schema')}", file=sys.stderr)
        return 77
    cls.check_schema(schema)
    errors = list(cls(schema).iter_errors(doc))
    for e in errors:
        print("/" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
