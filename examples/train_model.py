"""Train a small model on a Strata training set, then score drivers with online features: the loop a user copies.

    python examples/train_model.py                         # builds the example project in a temporary folder
    python examples/train_model.py --project demo          # an applied, ingested and materialized project
    python examples/train_model.py --url http://127.0.0.1:6566 --spine demo/featuresets/data/driver_spine.csv

Needs `pip install ./python` (the strata_client package) and the `strata` binary on PATH or in STRATA_BIN.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

from strata_client import FeatureStore

SERVICE = "driver_activity"
FEATURES = ["driver_stats__conv_rate", "driver_stats__acc_rate", "driver_stats__avg_daily_trips", "driver_stats__conv_x_acc",
            "driver_stats__is_top_rated"]
LABEL = "label_completed_trip"
SCORE_AT = "2026-03-02T23:30:00Z"  # the example data ends on 2026-03-02; "now" would find every value expired


def strata_binary() -> str:
    """STRATA_BIN, else `strata` on PATH, as an absolute path: a relative STRATA_BIN (`.build/release/strata`) names a
    file where the user set it, and the commands below run in other folders."""
    binary = os.environ.get("STRATA_BIN") or shutil.which("strata") or "strata"
    return os.path.abspath(binary) if os.sep in binary else binary


def example_project(folder: str) -> str:
    """`strata init` + apply + ingest + materialize, as in the README's quickstart."""
    binary = strata_binary()
    subprocess.run([binary, "init", "demo"], cwd=folder, check=True, capture_output=True)
    project = os.path.join(folder, "demo")
    for args in (["apply"], ["ingest"], ["materialize", "--end", "2026-03-03T00:00:00Z"]):
        subprocess.run([binary, *args], cwd=project, check=True, capture_output=True)
    return project


def design_matrix(frame: pd.DataFrame, means: pd.Series) -> np.ndarray:
    """Features as floats, a missing value (no row in the TTL) replaced by the training mean, plus an intercept."""
    values = frame[FEATURES].astype("float64").fillna(means)
    return np.column_stack([np.ones(len(values)), values.to_numpy()])


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 2000, rate: float = 0.1) -> np.ndarray:
    """Logistic regression by gradient descent on standardised columns (numpy only, no scikit-learn)."""
    weights = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x @ weights))
        weights -= rate * x.T @ (p - y) / len(y)
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", help="an applied, ingested and materialized project (default: build the example one)")
    parser.add_argument("--url", help="a strata server instead of the local binary")
    parser.add_argument("--token", help="the server's bearer token")
    parser.add_argument("--spine", help="the spine CSV (default: the project's featuresets/data/driver_spine.csv)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        project = args.project or (None if args.url else example_project(scratch))
        store = FeatureStore(url=args.url, token=args.token) if args.url else FeatureStore(path=project)
        spine_path = args.spine or os.path.join(project or ".", "featuresets/data/driver_spine.csv")
        spine = pd.read_csv(spine_path, parse_dates=["event_timestamp"])

        # 1. A point-in-time-correct training set: one row per spine row, features as they were known then.
        job = store.get_historical_features(spine, feature_service=SERVICE)
        train = job.to_df()
        print(f"training set {job.id}: {len(train)} rows, {len(FEATURES)} features")

        # 2. Fit a small model with numpy; standardise with the training set's statistics.
        means = train[FEATURES].astype("float64").mean()
        x = design_matrix(train, means)
        scale = np.r_[1.0, x[:, 1:].std(axis=0)]
        scale[scale == 0] = 1.0
        shift = np.r_[0.0, x[:, 1:].mean(axis=0)]
        y = train[LABEL].to_numpy(dtype="float64")
        weights = fit_logistic((x - shift) / scale, y)
        accuracy = float((((x - shift) / scale @ weights > 0) == (y > 0.5)).mean())
        print(f"fitted logistic regression: training accuracy {accuracy:.3f} (always-majority: {max(y.mean(), 1 - y.mean()):.3f})")

        # 3. Online features for a few drivers, scored with the same model.
        drivers = sorted(spine["driver_id"].unique())[:5]
        online = store.get_online_features(feature_service=SERVICE, entity_rows=[{"driver_id": int(d)} for d in drivers], at=SCORE_AT)
        serving = online.to_df(include_status=False)
        scores = 1.0 / (1.0 + np.exp(-((design_matrix(serving, means) - shift) / scale) @ weights))
        for driver, score, statuses in zip(drivers, scores, online.rows):
            present = sum(value.status == "present" for value in statuses)
            print(f"driver {driver}: completion probability {score:.3f} ({present}/{len(statuses)} features present)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
