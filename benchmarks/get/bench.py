"""`strata get` as a whole process (what a shell script or a cron job pays), timed with hyperfine on the materialized
realistic project, next to the same binary doing nothing (`strata --help`).

.venv/bin/python benchmarks/get/bench.py [--runs 30]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import OUT, STRATA, machine, project, save  # noqa: E402

BASE = 1_772_323_200


def hyperfine(command, cwd, runs, warmup):
    out = os.path.join(OUT, "hyperfine.json")
    subprocess.run(["hyperfine", "--shell=none", "--warmup", str(warmup), "--runs", str(runs), "--export-json", out, command],
                   cwd=cwd, check=True, capture_output=True)
    with open(out) as fh:
        result = json.load(fh)["results"][0]
    return result["mean"] * 1000, result["stddev"] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    path = project(1, "time")
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE + 98 * 3600))
    if not os.path.exists(os.path.join(path, ".strata", "offline.db")):
        subprocess.run([STRATA, "apply"], cwd=path, check=True, capture_output=True)
        subprocess.run([STRATA, "ingest"], cwd=path, check=True, capture_output=True)
    subprocess.run([STRATA, "materialize", "--end", end], cwd=path, check=True, capture_output=True)
    r = {"machine": machine(), "runs": args.runs, "warmup": args.warmup}
    r["help_ms"], r["help_sd_ms"] = hyperfine(f"{STRATA} --help", path, args.runs, args.warmup)
    r["get_ms"], r["get_sd_ms"] = hyperfine(f"{STRATA} get --service driver_everything --key driver_id=100042 --at {end}", path, args.runs, args.warmup)
    r["get_logged_ms"], r["get_logged_sd_ms"] = hyperfine(f"{STRATA} get --service driver_activity --key driver_id=100042 --at {end}", path, args.runs, args.warmup)
    print(f"strata --help {r['help_ms']:.1f} ms; get (no logging) {r['get_ms']:.1f} ± {r['get_sd_ms']:.1f} ms; "
          f"get (logging) {r['get_logged_ms']:.1f} ± {r['get_logged_sd_ms']:.1f} ms")
    save("get", 1, r)


if __name__ == "__main__":
    main()
