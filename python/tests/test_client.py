"""The Python client (`strata_client`) against the real binary (STRATA_BIN) and a real `strata serve` on port 0.

Every call runs through both back ends; answers are compared with each other and with the CLI's own output for the
same request (training sets cell by cell with the CLI's Arrow file, online values with `strata get --json`).
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Iterator

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

from strata_client import (ConnectionFailedError, FeatureStore, InvalidRequestError, LimitExceededError, NotFoundError,
                           StrataError, UnauthorizedError)
from strata_project import MATERIALIZE_END, Server, example_project, run, serving, strata_binary

TOKEN = "s3cret"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_project(tmp_path_factory.mktemp("client"))


@pytest.fixture(scope="module")
def server(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    token = tmp_path_factory.mktemp("token") / "token"
    token.write_text(TOKEN + "\n")
    yield from serving(project, "--token-file", str(token), "--spine-rows-max", "1000")


@pytest.fixture(params=["local", "remote"])
def store(request: pytest.FixtureRequest, project: Path) -> FeatureStore:
    if request.param == "local":
        return FeatureStore(path=str(project), binary=strata_binary())
    return FeatureStore(url=request.getfixturevalue("server").url, token=TOKEN)


@pytest.fixture(scope="module")
def spine(project: Path) -> pd.DataFrame:
    return pd.read_csv(project / "featuresets/data/driver_spine.csv", parse_dates=["event_timestamp"])


def cli_training_set(project: Path, tmp_path: Path, *args: str) -> pa.Table:
    """The CLI's own answer for the example spine, as the Arrow file it writes."""
    out = tmp_path / "cli.arrow"
    run(project, "historical", "--entities", "featuresets/data/driver_spine.csv", "--out", str(out), *args)
    return ipc.open_file(str(out)).read_all()


@pytest.mark.parametrize("args", [("--service", "driver_activity"), ("--features", "driver_stats:*", "--corrections", "latest"),
                                  ("--features", "driver_stats:conv_rate,driver_trips:*", "--as-of", "2026-03-02T00:00:00Z"),
                                  ("--service", "driver_activity", "--strict", "--include-status")])
def test_training_sets_equal_the_clis_cell_by_cell(store: FeatureStore, project: Path, spine: pd.DataFrame, tmp_path: Path,
                                                   args: tuple) -> None:
    expected = cli_training_set(project, tmp_path, *args)
    options = dict(zip(args[::2], args[1::2])) if "--strict" not in args else {"--service": "driver_activity"}
    job = store.get_historical_features(
        spine, features=options["--features"].split(",") if "--features" in options else None,
        feature_service=options.get("--service"), corrections=options.get("--corrections", "known"),
        as_of=options.get("--as-of"), strict="--strict" in args, include_status="--include-status" in args)
    got = job.to_arrow()
    assert got.column_names == expected.column_names
    assert got.num_rows == expected.num_rows == len(spine)
    # Feature columns are equal cell by cell (nulls included); the spine columns carry the frame's types.
    for name in expected.column_names[3:]:
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name
    # A CSV spine's join key has its declared type in columnar output, as the frame's int64 key does (issue 22, item 4).
    assert got.column("driver_id").to_pylist() == expected.column("driver_id").to_pylist()
    assert expected.schema.field("driver_id").type == pa.int64()
    assert job.id.startswith("ts-") and job.manifest["id"] == job.id
    assert job.manifest["rowCount"] == len(spine)


def test_local_and_remote_give_the_same_training_set_and_content_hash(project: Path, server: Server, spine: pd.DataFrame) -> None:
    local = FeatureStore(path=str(project), binary=strata_binary()).get_historical_features(spine, feature_service="driver_activity")
    remote = FeatureStore(url=server.url, token=TOKEN).get_historical_features(spine, feature_service="driver_activity")
    assert local.to_arrow().equals(remote.to_arrow())
    assert local.manifest["output"]["contentSHA256"] == remote.manifest["output"]["contentSHA256"]
    assert local.manifest["spine"]["sha256"] == remote.manifest["spine"]["sha256"]


def test_pandas_pyarrow_polars_and_dict_spines_give_the_same_rows(store: FeatureStore, spine: pd.DataFrame) -> None:
    frames = [spine, pa.Table.from_pandas(spine, preserve_index=False), pl.from_pandas(spine),
              {name: spine[name].tolist() for name in spine.columns}]
    tables = [store.get_historical_features(frame, feature_service="driver_activity").to_arrow() for frame in frames]
    for table in tables[1:]:
        assert table.equals(tables[0])
    assert tables[0].schema.field("event_timestamp").type == pa.timestamp("us", tz="UTC")


def test_a_job_converts_to_pandas_polars_and_parquet(store: FeatureStore, spine: pd.DataFrame, tmp_path: Path) -> None:
    job = store.get_historical_features(spine.head(20), feature_service="driver_activity")
    df = job.to_df()
    assert list(df.columns) == job.to_arrow().column_names and len(df) == 20
    assert str(df["event_timestamp"].dtype).startswith("datetime64")
    assert job.to_polars().shape == (20, len(df.columns))
    job.to_parquet(str(tmp_path / "set.parquet"))
    assert pq.read_table(tmp_path / "set.parquet").equals(job.to_arrow())


def test_an_empty_spine_gives_an_empty_training_set_with_the_columns(store: FeatureStore, spine: pd.DataFrame) -> None:
    job = store.get_historical_features(spine.head(0), feature_service="driver_activity")
    assert job.to_arrow().num_rows == 0
    assert job.to_arrow().column_names[-1] == "driver_stats__is_top_rated"


def test_reproduce_gives_the_same_rows_and_names_the_original(store: FeatureStore, spine: pd.DataFrame) -> None:
    job = store.get_historical_features(spine, features=["driver_stats:*"])
    again = store.reproduce(job.id)
    assert again.reproduced_from == job.id and again.id != job.id
    assert again.to_arrow().equals(job.to_arrow())
    manifest = store.get_training_set(job.id)
    assert manifest["id"] == job.id and manifest["features"][0].startswith("driver_stats:")
    assert store.get_training_set(again.id)["reproducedFrom"] == job.id


def test_online_features_equal_strata_get(store: FeatureStore, project: Path) -> None:
    rows = [{"driver_id": 1001}, {"driver_id": 1024}, {"driver_id": 99999}]
    at = "2026-03-02T23:30:00Z"
    answer = store.get_online_features(feature_service="driver_activity", entity_rows=rows, at=at)
    args = ["get", "--service", "driver_activity", "--at", at, "--json"] + [a for r in rows for a in ("--key", f"driver_id={r['driver_id']}")]
    expected = json.loads(run(project, *args).stdout)
    assert answer.features == expected["features"]
    for got, want in zip(answer.rows, expected["rows"]):
        assert [(v.value, v.status) for v in got] == [(w["value"], w["status"]) for w in want["values"]]
        assert [v.event_timestamp.isoformat() if v.event_timestamp else None for v in got] == \
            [dt.datetime.fromisoformat(w["event_timestamp"].replace("Z", "+00:00")).isoformat() if w["event_timestamp"] else None for w in want["values"]]
    table = answer.to_dict()
    assert table["driver_id"] == [1001, 1024, 99999]
    assert table["driver_stats__conv_rate__status"][2] == "not_found"
    assert answer.to_df().shape[0] == 3


def test_registry_listings_and_describe(store: FeatureStore) -> None:
    views = {v["name"]: v for v in store.list_feature_views()}
    assert set(views) == {"driver_stats", "driver_trips"}
    assert views["driver_stats"]["spec"]["source"] == "driver_stats_source"
    assert {s["name"] for s in store.list_feature_services()} >= {"driver_activity", "driver_everything"}
    assert store.describe("driver_activity")["kind"] == "feature_service"


@pytest.mark.parametrize("call, error, code", [
    (lambda s, spine: s.get_historical_features(spine, feature_service="nope"), NotFoundError, "unknown_object"),
    (lambda s, spine: s.get_historical_features(spine, features=["driver_stats:nope"]), NotFoundError, "unknown_feature"),
    (lambda s, spine: s.get_historical_features(spine.drop(columns=["event_timestamp"]), feature_service="driver_activity"),
     InvalidRequestError, "bad_spine"),
    (lambda s, spine: s.get_historical_features(spine, feature_service="driver_activity", corrections="latest", as_of="2026-03-01T00:00:00Z"),
     InvalidRequestError, None),
    (lambda s, spine: s.reproduce("ts-000000000000"), NotFoundError, "unknown_training_set"),
    (lambda s, spine: s.get_training_set("ts-000000000000"), NotFoundError, "unknown_training_set"),
    (lambda s, spine: s.get_online_features(feature_service="nope", entity_rows=[{"driver_id": 1}]), NotFoundError, "unknown_object"),
    (lambda s, spine: s.describe("nope"), NotFoundError, "unknown_object"),
])
def test_errors_are_typed_and_carry_strata_s_message(store: FeatureStore, spine: pd.DataFrame, call, error, code) -> None:
    with pytest.raises(error) as caught:
        call(store, spine)
    assert isinstance(caught.value, StrataError) and caught.value.message
    if code is not None:
        assert caught.value.code == code, caught.value


def test_the_server_s_limits_and_auth_are_typed_errors(server: Server, spine: pd.DataFrame) -> None:
    big = pd.concat([spine] * 5, ignore_index=True)  # 1005 rows, over --spine-rows-max 1000
    with pytest.raises(LimitExceededError) as caught:
        FeatureStore(url=server.url, token=TOKEN).get_historical_features(big, feature_service="driver_activity")
    assert caught.value.status == 413 and "--spine-rows-max" in caught.value.message
    with pytest.raises(UnauthorizedError):
        FeatureStore(url=server.url, token="wrong").get_historical_features(spine, feature_service="driver_activity")
    with pytest.raises(ConnectionFailedError):
        FeatureStore(url="http://127.0.0.1:9", timeout_seconds=5).list_feature_views()


def test_no_binary_is_a_clear_error(project: Path) -> None:
    with pytest.raises(ConnectionFailedError) as caught:
        FeatureStore(path=str(project), binary="/nonexistent/strata")
    assert "STRATA_BIN" in caught.value.message


@pytest.mark.parametrize("mode", ["local", "remote"])
def test_push_is_visible_to_the_next_online_lookup(mode: str, tmp_path: Path) -> None:
    project = example_project(tmp_path)
    rows = pd.DataFrame({"driver_id": [1001], "event_timestamp": [pd.Timestamp("2026-03-02T23:50:00Z")],
                         "created": [pd.Timestamp("2026-03-02T23:51:00Z")], "conv_rate": [0.5], "acc_rate": [0.25],
                         "avg_daily_trips": [30], "rating": [4.9], "city": ["Porto"]})

    def check(store: FeatureStore) -> None:
        result = store.push("driver_stats_source", rows)
        assert result.rows_accepted == 1 and result.online_written.get("driver_stats") == 1
        answer = store.get_online_features(["driver_stats:conv_rate", "driver_stats:conv_x_acc"], entity_rows=[{"driver_id": 1001}],
                                           at="2026-03-02T23:55:00Z")
        assert [v.value for v in answer.rows[0]] == [0.5, 0.125]

    if mode == "local":
        check(FeatureStore(path=str(project)))
    else:
        for server in serving(project):
            check(FeatureStore(url=server.url))
