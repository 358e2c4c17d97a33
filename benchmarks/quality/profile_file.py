"""`strata profile --file` (the whole process) against pandas `read_csv` + `describe(include='all')` + `numpy.histogram`
per column, on the same 1M-row CSV of the example schema, in the same run: three interleaved rounds, median of 3, wall
and CPU time. Strata reads the file with the example source's schema in a project that declares only that source (the
8 columns pandas profiles).
Run by `make bench-quality`; alone: `.venv/bin/python benchmarks/quality/profile_file.py [--rows N]`.
"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from common import STRATA  # noqa: E402

ROWS = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 1_000_000
# The example's source (featuresets/drivers.yaml) without its expectations, and no views: the columns pandas profiles.
SOURCE_ONLY = """sources:
  - name: driver_stats_source
    path: featuresets/data/driver_stats.csv
    timestamp: event_timestamp
    created: created
    schema: {driver_id: int64, conv_rate: float64, acc_rate: float64, avg_daily_trips: int64, rating: float64, city: string}
"""
NUMERIC = ["driver_id", "conv_rate", "acc_rate", "avg_daily_trips", "rating"]


def write_csv(path):
    """The data of pandas_baseline.py: time order, 10,000 drivers, 8 cities, 2 % null ratings."""
    rng = np.random.default_rng(14)
    cities = np.array(["lagos", "lisbon", "porto", "oslo", "lima", "pune", "accra", "quito"])
    event = pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta(np.arange(ROWS) * (30 * 86_400_000_000 // ROWS), unit="us")
    rating = np.round(3 + rng.random(ROWS) * 2, 2)
    rating[rng.integers(0, 50, ROWS) == 0] = np.nan
    pd.DataFrame({
        "event_timestamp": event.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "driver_id": rng.integers(0, 10_000, ROWS), "conv_rate": np.round(rng.random(ROWS), 3), "acc_rate": np.round(rng.random(ROWS), 3),
        "avg_daily_trips": rng.integers(0, 40, ROWS), "rating": rating, "city": cities[rng.integers(0, 8, ROWS)],
        "created": (event + pd.Timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }).to_csv(path, index=False)


def pandas_profile(path):
    data = pd.read_csv(path, parse_dates=["event_timestamp", "created"])
    data.describe(include="all")
    for column in NUMERIC:
        np.histogram(data[column].dropna().to_numpy(), bins=20)
    for column in ["event_timestamp", "created"]:
        np.histogram(data[column].dropna().to_numpy(dtype="datetime64[us]").astype("int64"), bins=20)


def timed_pandas(path):
    wall, cpu = time.perf_counter(), time.process_time()
    pandas_profile(path)
    return time.perf_counter() - wall, time.process_time() - cpu


def timed_strata(project, csv):
    before = os.times()
    wall = time.perf_counter()
    result = subprocess.run([STRATA, "profile", "--file", str(csv), "--source", "driver_stats_source"], cwd=project,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - wall
    after = os.times()
    if result.returncode != 0:
        sys.exit(f"strata profile --file failed:\n{result.stderr}")
    return elapsed, (after.children_user - before.children_user) + (after.children_system - before.children_system), result.stdout


def project(root, name, text):
    folder = root / name
    (folder / "featuresets").mkdir(parents=True)
    (folder / "featuresets" / "drivers.yaml").write_text(text)
    subprocess.run([STRATA, "apply", "--author", "bench"], cwd=folder, check=True, capture_output=True)
    return folder


def main():
    root = pathlib.Path(tempfile.mkdtemp(prefix="strata-profile-bench-"))
    csv = root / "drivers.csv"
    write_csv(csv)
    plain = project(root, "source-only", SOURCE_ONLY)
    print(f"profile of {ROWS:,} CSV rows ({csv.stat().st_size / 1e6:.0f} MB), example schema; 3 interleaved rounds, median:")
    runs = {"pandas": [], "strata": []}
    for _ in range(3):
        runs["pandas"].append(timed_pandas(csv))
        runs["strata"].append(timed_strata(plain, csv))
    wall = {name: statistics.median(r[0] for r in rows) for name, rows in runs.items()}
    cpu = {name: statistics.median(r[1] for r in rows) for name, rows in runs.items()}
    print(f"  pandas read_csv + describe(include='all') + numpy.histogram x7 (in process)  wall {wall['pandas']:6.2f} s  cpu {cpu['pandas']:6.2f} s")
    for name, label in [("strata", "strata profile --file, 8 source columns (whole process)")]:
        print(f"  {label:<75}  wall {wall[name]:6.2f} s  cpu {cpu[name]:6.2f} s   ratio to pandas: wall {wall[name] / wall['pandas']:.2f}x  "
              f"cpu {cpu[name] / cpu['pandas']:.2f}x")
    print("  (target: strata profile --file <= 1.0x pandas; ratios < 1 are faster)")
    print("  strata's first line: " + runs["strata"][0][2].splitlines()[0])
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    root.rmdir()


main()
