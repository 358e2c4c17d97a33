"""Online aggregation benchmark: materialize the ten benchmark aggregations (1M events over 10k keys at scale 1) into
LMDB tile records, then in-process lookups of all ten, folded at request time, next to lookups of a row feature and raw
`mdb_get` in the same LMDB environment and the same run (OnlineBench --aggregations, benchmarks/Package.swift).

.venv/bin/python benchmarks/aggregations/online.py [--scale N] [--lookups 200000]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = 1_772_323_200  # the generator's first day, 2026-03-01
DAYS = 30


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--lookups", type=int, default=200_000)
    args = parser.parse_args()
    data = os.path.join(HERE, "..", "out", f"aggregations-online-s{args.scale}")
    if not os.path.exists(os.path.join(data, "events.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), data, "--scale", str(args.scale), "--row-view"], check=True)
    shutil.rmtree(os.path.join(data, ".strata"), ignore_errors=True)
    bench = os.path.join(HERE, "..", ".build", "release", "OnlineBench")
    # Requests at the end of the data: every window holds events, and the 7d windows span ~170 tiles.
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE + DAYS * 86_400))
    out = os.path.join(data, "online.json")
    subprocess.run([bench, "--aggregations", "--project", data, "--keys", str(10_000 * args.scale), "--end", end,
                    "--lookups", str(args.lookups), "--json", out], check=True)
    with open(out) as fh:
        print(json.dumps(json.load(fh), indent=1, sort_keys=True))
    print("note: one run on a shared 2-core machine")


if __name__ == "__main__":
    main()
