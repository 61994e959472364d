#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (fuzz/*.cpp) from the repository's own inputs, so that no
corpus is committed: manifests from samples/ and test/fixtures/ for the loader, model and check targets,
and the Envoy config dumps of test/fixtures/compile/ for the config-dump target (the whole dump, and one
dump per inbound filter chain: small inputs mutate faster).

usage: fuzz_seeds.py OUT_DIR     (writes OUT_DIR/<target>/<name>, replacing what is there)
"""
import copy
import hashlib
import json
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MANIFEST_TARGETS = ["fuzz_load", "fuzz_model", "fuzz_check"]
MAX_SEED_BYTES = 64 << 10  # larger manifests slow every mutation down and add little coverage


def manifests():
    for base in ("samples", "test/fixtures"):
        for path in sorted((ROOT / base).rglob("*")):
            if path.suffix in (".yaml", ".yml") and path.stat().st_size <= MAX_SEED_BYTES:
                yield path.read_bytes()


def config_dumps():
    for path in sorted((ROOT / "test/fixtures/compile").glob("*.json")):
        text = path.read_bytes()
        yield text
        dump = json.loads(text)
        for ci, config in enumerate(dump.get("configs", [])):
            for li, listener in enumerate(config.get("dynamic_listeners", [])):
                chains = listener.get("active_state", {}).get("listener", {}).get("filter_chains", [])
                for ki in range(len(chains)):
                    one = copy.deepcopy(dump)
                    lst = one["configs"][ci]["dynamic_listeners"][li]["active_state"]["listener"]
                    lst["filter_chains"] = [chains[ki]]
                    yield json.dumps(one, separators=(",", ":")).encode()


def write(out_dir, target, seeds):
    folder = out_dir / target
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)  # two fuzz.sh runs may write the seeds at once
    count = 0
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        count += 1
    return count


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = pathlib.Path(sys.argv[1])
    for target in MANIFEST_TARGETS:
        write(out_dir, target, manifests())
    write(out_dir, "fuzz_config_dump", config_dumps())
    return 0


if __name__ == "__main__":
    sys.exit(main())
