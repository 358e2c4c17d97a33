"""Columnar benchmark: the same training set written as CSV, Parquet and Arrow by `strata historical`, then loaded into
pandas — `pandas.read_csv` of the CSV against the Arrow and Parquet files — all measured in this run on the offline
benchmark's data (benchmarks/generate.py: 1M feature rows and 100k spine rows per scale unit).

python3 benchmarks/columnar/bench.py [--scale N] [--strata PATH] [--repeat R]

Targets (issue 15): writing Arrow and Parquet takes no longer than writing CSV; loading the Arrow output into pandas is
at least 10× faster than `pandas.read_csv` of the CSV output. Each of `--repeat` rounds runs every variant once, so the
ratios (medians of per-round ratios) compare runs made under the same load of the shared machine.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def strata_run(strata, data, *args):
    subprocess.run([strata, *args], cwd=data, check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--strata", default=os.path.join(HERE, "..", "..", ".build", "release", "strata"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import pandas as pd
    import polars as pl
    import pyarrow.feather as feather

    strata = os.path.abspath(args.strata)
    sys.path.insert(0, os.path.join(HERE, ".."))
    from common import fresh_state, project
    data = project(args.scale, "time")
    fresh_state(data)
    strata_run(strata, data, "apply")
    strata_run(strata, data, "ingest")
    spine_csv = os.path.join(data, "featuresets", "data", "driver_spine.csv")
    spine_rows = sum(1 for _ in open(spine_csv)) - 1
    print(f"data: {spine_rows:,} spine rows × 3 spine columns + 9 features + status columns (scale {args.scale}); "
          f"machine: {os.cpu_count()} cores, shared; best of {args.repeat}")

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    spine_table = pacsv.read_csv(spine_csv, convert_options=pacsv.ConvertOptions(
        column_types={"driver_id": pa.int64(), "event_timestamp": pa.timestamp("us", tz="UTC"), "label_completed_trip": pa.int64()}))
    pq.write_table(spine_table, os.path.join(data, "spine.parquet"))
    # The first request after an ingest brings the feature table up to date: keep it out of the timings.
    strata_run(strata, data, "historical", "--entities", spine_csv, "--features", "driver_stats:*", "--out", "columnar_warmup.csv")
    for spine, what in [("spine.parquet", "typed Parquet spine (as the Python client sends)"), (spine_csv, "CSV spine (text columns)")]:
        print(f"\n== {what}: {spine_rows:,} rows ==")
        write, path = {}, {}
        # Interleaved rounds (csv, parquet, arrow each round), as for the loads below.
        times = {suffix: [] for suffix in ["csv", "parquet", "arrow"]}
        cpu = {suffix: 0.0 for suffix in times}
        for _ in range(args.repeat):
            for suffix in times:
                path[suffix] = os.path.join(data, f"columnar_bench.{suffix}")
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                strata_run(strata, data, "historical", "--entities", spine, "--features", "driver_stats:*", "--include-status", "--out", path[suffix])
                times[suffix].append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[suffix] += (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / args.repeat
        print(f"{'strata historical --out …':34} {'best s':>8} {'median s':>9} {'CPU s':>8} {'MB':>8} {'vs CSV (median)':>16}")
        for suffix, runs in times.items():
            write[suffix] = statistics.median(t / c for t, c in zip(runs, times["csv"]))
            print(f"{'.' + suffix:34} {min(runs):8.3f} {statistics.median(runs):9.3f} {cpu[suffix]:8.3f} "
                  f"{os.path.getsize(path[suffix]) / 1e6:8.1f} {write[suffix]:15.2f}x")
        loaders = [
            ("pandas.read_csv(csv)  [baseline]", lambda: pd.read_csv(path["csv"])),
            ("pandas.read_feather(arrow)", lambda: pd.read_feather(path["arrow"])),
            ("pyarrow.feather.read_table(arrow) (Arrow only)", lambda: feather.read_table(path["arrow"])),
            ("pandas.read_parquet(parquet)", lambda: pd.read_parquet(path["parquet"])),
            ("polars.read_ipc(arrow)", lambda: pl.read_ipc(path["arrow"])),
            ("polars.read_csv(csv)", lambda: pl.read_csv(path["csv"])),
        ]
        # Interleaved: every round times each loader once, so a busy moment on the shared machine hits all of them; the
        # speed-up is the median over rounds of (read_csv time / loader time) in the same round.
        for _, loader in loaders:
            assert len(loader()) == spine_rows  # warm-up: the first load pays one-time imports inside pandas and pyarrow
        rounds = {name: [] for name, _ in loaders}
        for _ in range(args.repeat):
            for name, loader in loaders:
                start = time.perf_counter()
                loader()
                rounds[name].append(time.perf_counter() - start)
        baseline = rounds[loaders[0][0]]
        print(f"{'load into a DataFrame':48} {'best s':>8} {'median s':>9} {'speed-up vs read_csv (median)':>30}")
        speedup = {}
        for name, times in rounds.items():
            speedup[name] = statistics.median(b / t for b, t in zip(baseline, times))
            print(f"{name:48} {min(times):8.4f} {statistics.median(times):9.4f} {speedup[name]:29.1f}x")
        load = {"feather": speedup[loaders[1][0]]}
        print(f"write (whole command, same join): parquet/csv {write['parquet']:.2f}x, "
              f"arrow/csv {write['arrow']:.2f}x (target <= 1.0); load pandas.read_csv / pandas.read_feather: "
              f"{load['feather']:.1f}x (target >= 10)")
    print("note: wall times on a shared machine; run twice and take the better if the machine was busy")


if __name__ == "__main__":
    main()
