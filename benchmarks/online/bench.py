"""Online benchmark: materialize and in-process lookups of `driver_everything` on the generated projects of both shapes,
next to raw `mdb_get` in the same LMDB environment (OnlineBench, built from benchmarks/Package.swift).

.venv/bin/python benchmarks/online/bench.py [--scale N] [--lookups 1000000] [--shapes time,entity]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import OUT, ROOT, STRATA, machine, project, save  # noqa: E402

BASE = 1_772_323_200


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--lookups", type=int, default=1_000_000)
    parser.add_argument("--shapes", default="time,entity")
    args = parser.parse_args()
    bench = os.path.join(ROOT, "benchmarks", ".build", "release", "OnlineBench")
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE + 98 * 3600))
    results = {"machine": machine(), "scale": args.scale}
    for shape in args.shapes.split(","):
        path = project(args.scale, shape)
        if not os.path.exists(os.path.join(path, ".strata", "offline.db")):
            subprocess.run([STRATA, "apply"], cwd=path, check=True, capture_output=True)
            subprocess.run([STRATA, "ingest"], cwd=path, check=True, capture_output=True)
        out = os.path.join(OUT, f"online-{shape}.json")
        print(f"[{shape}]", flush=True)
        subprocess.run([bench, "--project", path, "--keys", str(10_000 * args.scale), "--end", end, "--lookups", str(args.lookups), "--json", out], check=True)
        with open(out) as fh:
            results[shape] = json.load(fh)
    save("online", args.scale, results)


if __name__ == "__main__":
    main()
