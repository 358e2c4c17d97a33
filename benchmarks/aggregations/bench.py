"""Aggregation benchmark: the whole `strata historical` command computing count/sum/avg over 1h/24h/7d and a distinct
count over 7d for every spine row, against DuckDB on a preloaded table and plain SQLite, in the same run on the same
data, with the answers compared value by value.

python3 benchmarks/aggregations/bench.py [--scale N] [--strata PATH] [--skip-sqlite] [--runs N]
"""
import argparse
import csv
import importlib.util
import math
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The offline benchmark's fork/wait4 timer, loaded by path (both scripts are called bench.py).
_spec = importlib.util.spec_from_file_location("offline_bench", os.path.join(HERE, "..", "offline", "bench.py"))
_offline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_offline)
run_measured = _offline.run_measured

DISTINCT_COLUMN = 9  # riders_7d, after the nine count/sum/avg columns
HLL_ERROR = 1.04 / 64  # precision 12


def compare(strata_csv, other_csv):
    """Counts, sums and averages must be equal (floats to 1e-9 relative: other engines add in another order); the
    approximate distinct count must be within four standard errors of the exact one. Returns a one-line verdict."""
    with open(strata_csv) as a, open(other_csv) as b:
        ra, rb = list(csv.reader(a))[1:], list(csv.reader(b))[1:]
    if len(ra) != len(rb):
        return f"row counts differ: {len(ra)} vs {len(rb)}"
    bad, distinct_exact, distinct_total, distinct_worst = 0, 0, 0, 0.0
    for x, y in zip(ra, rb):
        values_x, values_y = x[3:], y[3:]
        for i, (u, v) in enumerate(zip(values_x, values_y)):
            if i == DISTINCT_COLUMN and u and v:
                distinct_total += 1
                distinct_exact += u == v
                error = abs(int(u) - int(v)) / max(1, int(v))
                distinct_worst = max(distinct_worst, error)
                if error > 4 * HLL_ERROR:
                    bad += 1
                continue
            if u == v:
                continue
            try:
                if u and v and math.isclose(float(u), float(v), rel_tol=1e-9):
                    continue
            except ValueError:
                pass
            bad += 1
            if bad <= 3:
                print(f"  differs: strata {x} vs {y}")
    verdict = "equal" if bad == 0 else f"{bad} values differ"
    return f"{verdict}; distinct counts exact in {distinct_exact:,} of {distinct_total:,} rows, worst relative error {distinct_worst:.2%}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--strata", default=os.path.join(HERE, "..", "..", ".build", "release", "strata"))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="repeat the timed commands and report the median")
    args = parser.parse_args()
    strata = os.path.abspath(args.strata)
    data = os.path.join(HERE, "..", "out", f"aggregations-s{args.scale}")
    if not os.path.exists(os.path.join(data, "spine.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), data, "--scale", str(args.scale)], check=True)
    shutil.rmtree(os.path.join(data, ".strata"), ignore_errors=True)
    events = sum(1 for _ in open(os.path.join(data, "events.csv"))) - 1
    spine = sum(1 for _ in open(os.path.join(data, "spine.csv"))) - 1
    print(f"data: {events:,} events, {spine:,} spine rows, 10 aggregations (scale {args.scale}); machine: {os.cpu_count()} cores, shared")

    results = []
    run_measured([strata, "apply"], cwd=data)
    wall, mem, _ = run_measured([strata, "ingest"], cwd=data)
    results.append(("strata ingest (csv → source + event table)", wall, mem, events / wall))

    def median_of(run):
        walls = [run() for _ in range(args.runs)]
        return statistics.median(w for w, _ in walls), max(m for _, m in walls)

    historical = [strata, "historical", "--entities", "spine.csv", "--features", "windows:*", "--out", "strata.csv"]
    strata_wall, mem = median_of(lambda: run_measured(historical, cwd=data)[:2])
    results.append(("strata historical (whole command)", strata_wall, mem, spine / strata_wall))

    def baseline(name):
        wall, mem, out = run_measured([sys.executable, os.path.join(HERE, "baselines.py"), name, data, f"{name}.csv"], cwd=data)
        return float(out.strip().splitlines()[-1]), wall, mem

    duck = [baseline("duckdb") for _ in range(args.runs)]
    duck_query = statistics.median(q for q, _, _ in duck)
    results.append(("duckdb load + query (total)", statistics.median(w for _, w, _ in duck), max(m for _, _, m in duck), float("nan")))
    results.append(("duckdb query only (preloaded table)", duck_query, float("nan"), spine / duck_query))
    if not args.skip_sqlite:
        sqlite_query, _, sqlite_mem = baseline("sqlite")
        results.append(("plain sqlite range join + group by (query only)", sqlite_query, sqlite_mem, spine / sqlite_query))

    print(f"\n{'step':48} {'wall s':>8} {'peak MiB':>9} {'rows/s':>12}")
    for name, wall, mem, rate in results:
        print(f"{name:48} {wall:8.2f} {mem:9.0f} {rate:12,.0f}")
    print(f"\nratio strata historical (whole command) / duckdb query only: {strata_wall / duck_query:.2f}x time  (target <= 1.0)")
    if not args.skip_sqlite:
        print(f"ratio strata historical (whole command) / plain sqlite query: {strata_wall / sqlite_query:.2f}x time")
    print(f"check strata vs duckdb: {compare(os.path.join(data, 'strata.csv'), os.path.join(data, 'duckdb.csv'))}")
    if not args.skip_sqlite:
        print(f"check strata vs sqlite: {compare(os.path.join(data, 'strata.csv'), os.path.join(data, 'sqlite.csv'))}")
    print(f"note: medians of {args.runs} runs on a shared 2-core machine")


if __name__ == "__main__":
    main()
