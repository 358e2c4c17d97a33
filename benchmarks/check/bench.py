"""Consistency-check benchmark: 1M logged lookups of `driver_activity` (5 features) on the realistic project
(1M time-ordered rows, 10k drivers, late corrections), then `strata check --logs` timed as a whole process with its
peak RSS. Baseline: DuckDB's known-mode ASOF JOIN of the same 1M (driver, lookup time) pairs against the same rows
(table preloaded), i.e. the join the checker replays, without the comparison and lineage.

.venv/bin/python benchmarks/check/bench.py [--lookups 1000000]
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import HERE, OUT, ROOT, STRATA, machine, project, run_measured, save  # noqa: E402

BASE = 1_772_323_200


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=1_000_000)
    args = parser.parse_args()
    source = project(1, "time")
    path = os.path.join(OUT, "drivers-check")
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(source, path, ignore=shutil.ignore_patterns("*.csv.*", "strata_*", "duck_*", "sqlite_*"))
    shutil.rmtree(os.path.join(path, ".strata"), ignore_errors=True)
    subprocess.run([STRATA, "apply"], cwd=path, check=True, capture_output=True)
    subprocess.run([STRATA, "ingest"], cwd=path, check=True, capture_output=True)
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE))
    bench = os.path.join(ROOT, "benchmarks", ".build", "release", "CheckBench")
    subprocess.run([bench, "--project", path, "--keys", "10000", "--start", start, "--lookups", str(args.lookups)], check=True)
    wall, mem, stdout = run_measured([STRATA, "check", "--logs", "--json"], cwd=path)
    # The baseline's spine: the logged (driver, lookup time) pairs.
    spine_dir = os.path.join(OUT, "drivers-check-spine")
    shutil.rmtree(spine_dir, ignore_errors=True)
    os.makedirs(os.path.join(spine_dir, "featuresets", "data"))
    os.symlink(os.path.join(path, "featuresets", "data", "driver_stats.csv"), os.path.join(spine_dir, "featuresets", "data", "driver_stats.csv"))
    con = sqlite3.connect(os.path.join(path, ".strata", "feature_log.db"))
    with open(os.path.join(spine_dir, "featuresets", "data", "driver_spine.csv"), "w") as fh:
        fh.write("driver_id,event_timestamp,label_completed_trip\n")
        for keys, ts in con.execute("SELECT keys, request_ts FROM feature_log ORDER BY id"):
            driver = keys.split(":")[1].rstrip("}")
            fh.write(f"{driver},{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(ts // 1_000_000))}.{ts % 1_000_000:06d}Z,0\n")
    b_wall, b_mem, b_out = run_measured([sys.executable, os.path.join(HERE, "offline", "baselines.py"), "duckdb-known", spine_dir, os.path.join(spine_dir, "duck.csv")])
    join = float([line.split()[1] for line in b_out.splitlines() if line.startswith("join")][0])
    results = {"machine": machine(), "lookups": args.lookups, "check_s": wall, "check_peak_mib": mem, "duck_join_s": join, "duck_wall_s": b_wall,
               "duck_peak_mib": b_mem}
    print(f"check --logs on {args.lookups:,} logged lookups: {wall:.2f} s, peak RSS {mem:.0f} MiB; DuckDB known-mode join of the same pairs "
          f"{join:.2f} s (whole process {b_wall:.2f} s, {b_mem:.0f} MiB)")
    save("check", 1, results)


if __name__ == "__main__":
    main()
