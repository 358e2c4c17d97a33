"""Offline benchmark: `strata ingest` and `strata historical --service driver_everything` (whole commands, process start
included) against DuckDB (CSV load; preloaded ASOF JOIN) and plain SQLite, measured in this run on the same data, with
an equality check of the answers. Both shapes: time-ordered with late corrections (realistic) and entity-sorted.

.venv/bin/python benchmarks/offline/bench.py [--scale N] [--runs 3] [--skip-sqlite]
"""
import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import HERE, STRATA, fresh_state, machine, median_of, project, run_measured, save  # noqa: E402

BASELINES = os.path.join(HERE, "offline", "baselines.py")


def compare(a_csv, b_csv):
    """Counts rows whose feature values differ (floats compared to 1e-9 relative)."""
    with open(a_csv) as a, open(b_csv) as b:
        ra, rb = list(csv.reader(a))[1:], list(csv.reader(b))[1:]
    if len(ra) != len(rb):
        return f"row counts differ: {len(ra)} vs {len(rb)}"
    bad = 0
    for x, y in zip(ra, rb):
        for u, v in zip(x, y):
            if u == v:
                continue
            try:
                if u and v and math.isclose(float(u), float(v), rel_tol=1e-9):
                    continue
            except ValueError:
                pass
            bad += 1
            break
    return "equal" if bad == 0 else f"{bad} of {len(ra)} rows differ"


def baseline(kind, path, out):
    """(load s, join s, wall s, peak MiB) of one baseline process."""
    wall, mem, stdout = run_measured([sys.executable, BASELINES, kind, path, out], cwd=path)
    times = dict(line.split() for line in stdout.strip().splitlines() if line.split()[0] in ("load", "join"))
    return float(times["load"]), float(times["join"]), wall, mem


def shape_results(scale, shape, runs, skip_sqlite):
    path = project(scale, shape)
    fresh_state(path)
    with open(os.path.join(path, "featuresets", "data", "driver_stats.csv")) as fh:
        rows = sum(1 for _ in fh) - 1
    run_measured([STRATA, "apply"], cwd=path)
    wall, mem, _ = run_measured([STRATA, "ingest"], cwd=path)
    r = {"rows": rows, "ingest_s": wall, "ingest_rows_per_s": rows / wall, "ingest_peak_mib": mem}
    hist = ["historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_everything"]
    r["historical_known_s"], r["historical_known_mib"] = median_of(runs, lambda: run_measured([STRATA] + hist + ["--out", "strata_known.csv"], cwd=path)[:2])
    r["historical_latest_s"], r["historical_latest_mib"] = median_of(
        runs, lambda: run_measured([STRATA] + hist + ["--corrections", "latest", "--out", "strata_latest.csv"], cwd=path)[:2])
    r["duck_load_s"], r["duck_known_join_s"], r["duck_known_wall_s"], r["duck_known_mib"] = median_of(
        runs, lambda: baseline("duckdb-known", path, "duck_known.csv"))
    _, r["duck_latest_join_s"], _, _ = median_of(runs, lambda: baseline("duckdb-latest", path, "duck_latest.csv"))
    r["check_known"] = compare(os.path.join(path, "strata_known.csv"), os.path.join(path, "duck_known.csv"))
    r["check_latest"] = compare(os.path.join(path, "strata_latest.csv"), os.path.join(path, "duck_latest.csv"))
    if not skip_sqlite:
        r["sqlite_load_s"], r["sqlite_join_s"], _, _ = baseline("sqlite", path, "sqlite_known.csv")
        r["check_sqlite"] = compare(os.path.join(path, "strata_known.csv"), os.path.join(path, "sqlite_known.csv"))
    return r


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shapes", default="time,entity")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    results = {"machine": machine(), "scale": args.scale, "runs": args.runs}
    for shape in args.shapes.split(","):
        r = shape_results(args.scale, shape, args.runs, args.skip_sqlite)
        results[shape] = r
        print(f"[{shape}] {r['rows']:,} rows: ingest {r['ingest_s']:.2f} s ({r['ingest_rows_per_s']:,.0f} rows/s, {r['ingest_peak_mib']:.0f} MiB); "
              f"historical known {r['historical_known_s']:.3f} s ({r['historical_known_mib']:.0f} MiB) vs duckdb join {r['duck_known_join_s']:.3f} s "
              f"= {r['historical_known_s'] / r['duck_known_join_s']:.2f}x; latest {r['historical_latest_s']:.3f} s vs {r['duck_latest_join_s']:.3f} s; "
              f"checks: known {r['check_known']}, latest {r['check_latest']}" + (f", sqlite {r['check_sqlite']}" if "check_sqlite" in r else ""))
    save("offline", args.scale, results)


if __name__ == "__main__":
    main()
