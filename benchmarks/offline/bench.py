"""Offline benchmark: Strata ingest + point-in-time join vs DuckDB's ASOF JOIN and a plain-SQLite correlated subquery,
all measured in this run on the same data, with an equality check of Strata's and DuckDB's answers.

python3 benchmarks/offline/bench.py [--scale N] [--strata PATH] [--skip-sqlite]
"""
import argparse
import csv
import math
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_measured(cmd, cwd=None):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        if cwd:
            os.chdir(cwd)
        devnull = os.open(os.devnull, os.O_WRONLY)
        out = os.open(os.path.join(cwd or ".", ".bench_stdout"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"command failed (status {status}): {' '.join(cmd)}")
    with open(os.path.join(cwd or ".", ".bench_stdout")) as fh:
        stdout = fh.read()
    return wall, usage.ru_maxrss / 1024, stdout


def compare(strata_csv, other_csv):
    """Counts rows whose feature values differ (floats compared to 1e-9 relative)."""
    with open(strata_csv) as a, open(other_csv) as b:
        ra, rb = list(csv.reader(a))[1:], list(csv.reader(b))[1:]
    if len(ra) != len(rb):
        return f"row counts differ: {len(ra)} vs {len(rb)}"
    bad = 0
    for x, y in zip(ra, rb):
        for u, v in zip(x[3:], y[3:]):
            if u == v:
                continue
            try:
                if u and v and math.isclose(float(u), float(v), rel_tol=1e-9):
                    continue
            except ValueError:
                pass
            bad += 1
            break
    return "equal" if bad == 0 else f"{bad} rows differ"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--strata", default=os.path.join(HERE, "..", "..", ".build", "release", "strata"))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    strata = os.path.abspath(args.strata)
    data = os.path.join(HERE, "..", "out", f"offline-s{args.scale}")
    if not os.path.exists(os.path.join(data, "spine.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), data, "--scale", str(args.scale)], check=True)
    shutil.rmtree(os.path.join(data, ".strata"), ignore_errors=True)
    rows = sum(1 for _ in open(os.path.join(data, "features.csv"))) - 1
    spine = sum(1 for _ in open(os.path.join(data, "spine.csv"))) - 1
    print(f"data: {rows:,} feature rows, {spine:,} spine rows (scale {args.scale}); machine: {os.cpu_count()} cores, shared")

    results = []
    run_measured([strata, "apply"], cwd=data)
    wall, mem, _ = run_measured([strata, "ingest"], cwd=data)
    results.append(("strata ingest (csv → sqlite + feature table)", wall, mem, rows / wall))
    wall, mem, _ = run_measured([strata, "historical", "--entities", "spine.csv", "--features", "stats:*", "--corrections", "latest", "--out", "strata_latest.csv"], cwd=data)
    strata_latest = wall
    results.append(("strata historical --corrections latest", wall, mem, spine / wall))
    wall, mem, _ = run_measured([strata, "historical", "--entities", "spine.csv", "--features", "stats:*", "--out", "strata_known.csv"], cwd=data)
    results.append(("strata historical (known, default)", wall, mem, spine / wall))

    wall, mem, out = run_measured([sys.executable, os.path.join(HERE, "baselines.py"), "duckdb", data, "duckdb.csv"], cwd=data)
    duck_join = float(out.strip().splitlines()[-1])
    results.append(("duckdb load + ASOF JOIN (total)", wall, mem, spine / wall))
    results.append(("duckdb ASOF JOIN only (dedup + join + write)", duck_join, float("nan"), spine / duck_join))
    if not args.skip_sqlite:
        wall, mem, out = run_measured([sys.executable, os.path.join(HERE, "baselines.py"), "sqlite", data, "sqlite.csv"], cwd=data)
        sqlite_join = float(out.strip().splitlines()[-1])
        results.append(("plain sqlite correlated subquery (join only)", sqlite_join, mem, spine / sqlite_join))

    print(f"\n{'step':48} {'wall s':>8} {'peak MiB':>9} {'rows/s':>12}")
    for name, wall, mem, rate in results:
        print(f"{name:48} {wall:8.2f} {mem:9.0f} {rate:12,.0f}")
    print(f"\nratio strata historical (latest, whole command) / duckdb ASOF JOIN only: {strata_latest / duck_join:.2f}x time")
    print(f"ratio strata historical (latest, whole command) / duckdb total:         {strata_latest / results[3][1]:.2f}x time")
    if not args.skip_sqlite:
        print(f"ratio strata historical (latest) / plain sqlite join:               {strata_latest / sqlite_join:.2f}x time")
    print(f"check strata (latest) vs duckdb: {compare(os.path.join(data, 'strata_latest.csv'), os.path.join(data, 'duckdb.csv'))}")
    if not args.skip_sqlite:
        print(f"check strata (latest) vs sqlite: {compare(os.path.join(data, 'strata_latest.csv'), os.path.join(data, 'sqlite.csv'))}")
    print("note: wall times on a shared 2-core machine; run twice and take the better if the machine was busy")


if __name__ == "__main__":
    main()
