"""The baseline for profiling: pandas `describe()` plus `numpy.histogram` per numeric column on 1M rows of the example
schema, timed from the CSV and without the read. Run with the test venv: `.venv/bin/python benchmarks/quality/pandas_baseline.py`.
"""
import pathlib
import tempfile
import time

import numpy as np
import pandas as pd

ROWS = 1_000_000
rng = np.random.default_rng(14)
cities = np.array(["lagos", "lisbon", "porto", "oslo", "lima", "pune", "accra", "quito"])
event = pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta(np.arange(ROWS) * (30 * 86_400_000_000 // ROWS), unit="us")
rating = np.round(3 + rng.random(ROWS) * 2, 2)
rating[rng.integers(0, 50, ROWS) == 0] = np.nan
frame = pd.DataFrame({
    "event_timestamp": event.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    "driver_id": rng.integers(0, 10_000, ROWS), "conv_rate": np.round(rng.random(ROWS), 3), "acc_rate": np.round(rng.random(ROWS), 3),
    "avg_daily_trips": rng.integers(0, 40, ROWS), "rating": rating, "city": cities[rng.integers(0, 8, ROWS)],
    "created": (event + pd.Timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
})
path = pathlib.Path(tempfile.mkdtemp()) / "drivers.csv"
frame.to_csv(path, index=False)


def profile(data):
    data.describe(include="all")
    for column in ["driver_id", "conv_rate", "acc_rate", "avg_daily_trips", "rating"]:
        np.histogram(data[column].dropna().to_numpy(), bins=20)
    for column in ["event_timestamp", "created"]:
        np.histogram(data[column].dropna().to_numpy(dtype="datetime64[us]").astype("int64"), bins=20)


start = time.perf_counter()
data = pd.read_csv(path, parse_dates=["event_timestamp", "created"])
read = time.perf_counter() - start
runs = []
for _ in range(3):
    start = time.perf_counter()
    profile(data)
    runs.append(time.perf_counter() - start)
print(f"pandas read_csv: {read * 1e3:.0f} ms; describe(include='all') + numpy.histogram per column: {sorted(runs)[1] * 1e3:.0f} ms "
      f"(median of 3); from the CSV: {(read + sorted(runs)[1]) * 1e3:.0f} ms")
path.unlink()
