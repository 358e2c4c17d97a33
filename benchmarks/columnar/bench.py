"""Columnar benchmark: the same training set written as CSV, Parquet and Arrow by `strata historical`, then loaded into
pandas — `pandas.read_csv` of the CSV against the Arrow and Parquet files — all measured in this run on the offline
benchmark's data (benchmarks/offline/generate.py: 1M feature rows and 100k spine rows per scale unit).

python3 benchmarks/columnar/bench.py [--scale N] [--strata PATH] [--repeat R]

Targets (issue 15): writing Arrow and Parquet takes no longer than writing CSV; loading the Arrow output into pandas is
at least 10× faster than `pandas.read_csv` of the CSV output. Figures are the best of `--repeat` runs (shared machine).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OFFLINE = os.path.join(HERE, "..", "offline")


def timed(fn, repeat):
    """Best and median wall time of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def strata_run(strata, data, *args):
    subprocess.run([strata, *args], cwd=data, check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--strata", default=os.path.join(HERE, "..", "..", ".build", "release", "strata"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import pandas as pd
    import polars as pl
    import pyarrow.feather as feather

    strata = os.path.abspath(args.strata)
    data = os.path.join(HERE, "..", "out", f"offline-s{args.scale}")
    if not os.path.exists(os.path.join(data, "spine.csv")):
        subprocess.run([sys.executable, os.path.join(OFFLINE, "generate.py"), data, "--scale", str(args.scale)], check=True)
    shutil.rmtree(os.path.join(data, ".strata"), ignore_errors=True)
    strata_run(strata, data, "apply")
    strata_run(strata, data, "ingest")
    spine_rows = sum(1 for _ in open(os.path.join(data, "spine.csv"))) - 1
    print(f"data: {spine_rows:,} spine rows × 3 spine columns + 2 features + status columns (scale {args.scale}); "
          f"machine: {os.cpu_count()} cores, shared; best of {args.repeat}")

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    spine_table = pacsv.read_csv(os.path.join(data, "spine.csv"), convert_options=pacsv.ConvertOptions(
        column_types={"entity_id": pa.int64(), "event_timestamp": pa.timestamp("us", tz="UTC"), "label": pa.int64()}))
    pq.write_table(spine_table, os.path.join(data, "spine.parquet"))
    # The first request after an ingest brings the feature table up to date: keep it out of the timings.
    strata_run(strata, data, "historical", "--entities", "spine.csv", "--features", "stats:*", "--out", "columnar_warmup.csv")
    for spine, what in [("spine.parquet", "typed Parquet spine (as the Python client sends)"), ("spine.csv", "CSV spine (text columns)")]:
        print(f"\n== {what}: {spine_rows:,} rows ==")
        write, path = {}, {}
        print(f"{'strata historical --out …':34} {'best s':>8} {'median s':>9} {'MB':>8} {'vs CSV':>8}")
        for suffix in ["csv", "parquet", "arrow"]:
            path[suffix] = os.path.join(data, f"columnar_bench.{suffix}")
            command = ["historical", "--entities", spine, "--features", "stats:*", "--include-status", "--out", path[suffix]]
            best, median, _ = timed(lambda: strata_run(strata, data, *command), args.repeat)
            write[suffix] = best
            print(f"{'.' + suffix:34} {best:8.3f} {median:9.3f} {os.path.getsize(path[suffix]) / 1e6:8.1f} {best / write['csv']:7.2f}x")
        loaders = [
            ("pandas.read_csv(csv)  [baseline]", lambda: pd.read_csv(path["csv"])),
            ("pandas.read_feather(arrow)", lambda: pd.read_feather(path["arrow"])),
            ("pyarrow.feather.read_table(arrow) (Arrow only)", lambda: feather.read_table(path["arrow"])),
            ("pandas.read_parquet(parquet)", lambda: pd.read_parquet(path["parquet"])),
            ("polars.read_ipc(arrow)", lambda: pl.read_ipc(path["arrow"])),
            ("polars.read_csv(csv)", lambda: pl.read_csv(path["csv"])),
        ]
        print(f"{'load into a DataFrame':48} {'best s':>8} {'median s':>9} {'speed-up vs read_csv':>21}")
        load = {}
        for name, loader in loaders:
            best, median, frame = timed(loader, args.repeat)
            load[name] = best
            assert len(frame) == spine_rows, name
            print(f"{name:48} {best:8.4f} {median:9.4f} {load[loaders[0][0]] / best:20.1f}x")
        print(f"write (whole command, same join): parquet/csv {write['parquet'] / write['csv']:.2f}x, "
              f"arrow/csv {write['arrow'] / write['csv']:.2f}x (target <= 1.0); load pandas.read_csv / pandas.read_feather: "
              f"{load[loaders[0][0]] / load[loaders[1][0]]:.1f}x (target >= 10)")
    print("note: wall times on a shared machine; run twice and take the better if the machine was busy")


if __name__ == "__main__":
    main()
