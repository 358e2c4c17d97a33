"""Python client benchmark: a training set fetched through `strata_client` as a pandas DataFrame — locally (the binary,
Arrow in between) and from `strata serve` (an Arrow IPC stream) — next to the same data read from CSV with DuckDB and
pandas, all in this run, on the offline benchmark's data (benchmarks/generate.py: 1M feature rows, 100k spine rows per
scale unit; the `driver_everything` service, known mode).

.venv/bin/python benchmarks/python/bench.py [--scale N] [--repeat R]

Baselines, each ending in a pandas DataFrame:
  duckdb asof     DuckDB from Python: load the feature and spine CSVs, the point-in-time ASOF join, fetch_df (issue 15's
                  target: the local client <= 1.0x this, the server <= 1.3x)
  duckdb csv      DuckDB reading the CLI's CSV training set (read_csv + fetch_df)
  pandas csv      pandas.read_csv of the CLI's CSV training set
The client starts from the spine as a DataFrame in memory (what a training job holds). Rounds are interleaved (every
variant once per round), and ratios are medians of per-round ratios, so a busy moment of the shared machine hits all.
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "offline"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python", "tests"))
from common import STRATA, fresh_state, machine, project, save  # noqa: E402

SERVICE = "driver_everything"


def duckdb_asof(path):
    """The offline benchmark's DuckDB known-mode query (benchmarks/offline/baselines.py), fetched as a DataFrame."""
    import baselines
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # duckdb_load prints its own load time
        con = baselines.duckdb_load(path)
    cells = ", ".join(f"CASE WHEN w.event_ts >= s.ts - INTERVAL {baselines.TTL_SECONDS} SECOND THEN w.{n} END AS driver_stats__{n}"
                      for n in baselines.NAMES)
    winners = f"""
        SELECT s.spine_row, f.event_ts, {baselines.FEATURES}
        FROM s ASOF LEFT JOIN (
            SELECT driver_id, greatest(event_ts, created_ts) AS visible_ts,
                max({{'e': event_ts, 'c': created_ts, 'q': seq}}) OVER (PARTITION BY driver_id ORDER BY greatest(event_ts, created_ts)
                    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS best
            FROM f) r ON s.driver_id = r.driver_id AND s.ts >= r.visible_ts
        LEFT JOIN f ON f.seq = r.best.q"""
    return con.execute(f"""SELECT s.driver_id, s.ts AS event_timestamp, s.label_completed_trip, {cells}
                           FROM s LEFT JOIN ({winners}) w ON w.spine_row = s.spine_row ORDER BY s.spine_row""").fetch_df()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import duckdb
    import pandas as pd
    from strata_client import FeatureStore
    from strata_project import Server

    os.environ["STRATA_BIN"] = os.path.abspath(STRATA)
    path = project(args.scale, "time")
    fresh_state(path)
    for step in (["apply"], ["ingest"]):
        subprocess.run([STRATA, *step], cwd=path, check=True, stdout=subprocess.DEVNULL)
    spine_csv = os.path.join(path, "featuresets", "data", "driver_spine.csv")
    spine = pd.read_csv(spine_csv, parse_dates=["event_timestamp"])
    cli_csv = os.path.join(path, "python_bench.csv")
    # The CLI's CSV of the same request, for the CSV readers; it also brings the feature table up to date, which the
    # first request after an ingest does, so no variant below pays for it.
    subprocess.run([STRATA, "historical", "--entities", spine_csv, "--service", SERVICE, "--out", cli_csv], cwd=path, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"data: {len(spine):,} spine rows, service {SERVICE} (9 features), scale {args.scale}; machine: {machine()}; "
          f"{args.repeat} interleaved rounds")

    server = Server(path)
    try:
        local, remote = FeatureStore(path=path), FeatureStore(url=server.url)
        variants = [
            ("duckdb asof: load CSVs + ASOF join + fetch_df [baseline]", lambda: duckdb_asof(path)),
            ("client, local: get_historical_features().to_df()", lambda: local.get_historical_features(spine, feature_service=SERVICE).to_df()),
            ("client, server: get_historical_features().to_df()", lambda: remote.get_historical_features(spine, feature_service=SERVICE).to_df()),
            ("duckdb csv: read_csv(training set) + fetch_df", lambda: duckdb.sql(f"SELECT * FROM read_csv('{cli_csv}')").df()),
            ("pandas csv: pandas.read_csv(training set)", lambda: pd.read_csv(cli_csv)),
        ]
        frames = {name: fn() for name, fn in variants}  # warm-up, and the answers to compare
        check = compare(frames[variants[1][0]], frames[variants[0][0]])
        same = frames[variants[1][0]].equals(frames[variants[2][0]])
        rounds = {name: [] for name, _ in variants}
        for _ in range(args.repeat):
            for name, fn in variants:
                start = time.perf_counter()
                fn()
                rounds[name].append(time.perf_counter() - start)
    finally:
        server.stop()

    baseline = rounds[variants[0][0]]
    print(f"{'variant':58} {'best s':>8} {'median s':>9} {'vs duckdb asof':>15}")
    ratios = {}
    for name, times in rounds.items():
        ratios[name] = statistics.median(t / b for t, b in zip(times, baseline))
        print(f"{name:58} {min(times):8.3f} {statistics.median(times):9.3f} {ratios[name]:14.2f}x")
    names = [name for name, _ in variants]
    print(f"targets: local client {ratios[names[1]]:.2f}x duckdb asof (<= 1.0), server {ratios[names[2]]:.2f}x (<= 1.3); "
          f"local client vs pandas.read_csv of the CSV: {ratios[names[1]] / ratios[names[4]]:.2f}x")
    print(f"checks: client vs duckdb asof: {check}; local == server: {same}")
    save("python", args.scale, {"machine": machine(), "scale": args.scale, "rows": len(spine),
                                "seconds": {n: statistics.median(t) for n, t in rounds.items()}, "ratios": ratios,
                                "check_duckdb": check, "local_equals_server": same})


def compare(client, duck):
    """Counts rows whose feature cells differ (floats to 1e-9 relative, nulls equal)."""
    if len(client) != len(duck):
        return f"row counts differ: {len(client)} vs {len(duck)}"
    bad = 0
    for name in [c for c in client.columns if c.startswith("driver_stats__")]:
        for u, v in zip(client[name].tolist(), duck[name].tolist()):
            if _missing(u) and _missing(v):
                continue
            if _missing(u) or _missing(v):
                bad += 1
            elif isinstance(u, float) or isinstance(v, float):
                bad += not math.isclose(float(u), float(v), rel_tol=1e-9)
            else:
                bad += u != v
    return "equal" if bad == 0 else f"{bad} cells differ"


def _missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is getattr(__import__("pandas"), "NA", object())


if __name__ == "__main__":
    main()
