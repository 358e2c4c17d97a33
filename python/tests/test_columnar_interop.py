"""Strata's Parquet and Arrow training sets and spines against pyarrow, DuckDB and polars.

Runs the built `strata` binary named by STRATA_BIN (`make test` sets it). Every columnar output is read back by each
library and compared cell by cell with the CSV output of the same request; spines written by pandas, pyarrow and
polars go in through `--entities` and must come out with their types.
"""

import csv
import datetime as dt
import decimal
import hashlib
import json
import math
import os
import random
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
FEATURES = "driver_stats:*"

DEFINITIONS = """
entities:
  - name: driver
    join_keys: {driver_id: int64}
sources:
  - name: stats
    path: stats.jsonl
    format: jsonl
    timestamp: event_timestamp
    created: created
    schema: {driver_id: int64, trips: int64, rating: float64, name: string, active: bool}
feature_views:
  - name: driver_stats
    entities: [driver]
    source: stats
    ttl: 1d
    features:
      trips: int64
      rating: float64
      name: string
      active: bool
      boom: {type: float64, expr: "exp(rating * 1000)"}
      seen: {type: timestamp, expr: "event_timestamp"}
"""

# Per driver: trips (Int64 extremes), rating (boom = exp(rating * 1000) is infinite above ~0.71), name (empty, non-ASCII).
SOURCE_ROWS = [
    (1, -(2**63), 0.9, "", True),
    (2, 2**63 - 1, 0.1, "Zürich 東京 🚀", False),
    (3, None, None, None, None),
    (4, 0, -0.5, 'comma, "quote"\nand a newline', True),
] + [(d, d * 7, d / 100, f"driver {d}", d % 2 == 0) for d in range(5, 60)]


def strata_bin() -> str:
    path = os.environ.get("STRATA_BIN", "")
    if not path or not Path(path).is_file():
        pytest.fail("STRATA_BIN must name the built `strata` binary (make test sets it: STRATA_BIN=.build/debug/strata)", pytrace=False)
    return path


def strata(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([strata_bin(), *args], cwd=project, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, f"strata {' '.join(args)} failed:\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("columnar")
    (root / "featuresets").mkdir()
    (root / "featuresets" / "f.yaml").write_text(DEFINITIONS)
    with open(root / "stats.jsonl", "w") as out:
        for driver, trips, rating, name, active in SOURCE_ROWS:
            row = {"driver_id": driver, "event_timestamp": "2026-03-01T10:00:00Z", "created": "2026-03-01T10:00:00Z",
                   "trips": trips, "rating": rating, "name": name, "active": active}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    rows = ["driver_id,event_timestamp,note"]
    notes = ["", "é", "plain", "日本"]
    for i in range(400):
        driver = "" if i % 97 == 5 else str(1 + i % 70)  # an empty key, unknown drivers (60-70), duplicates
        minute = i % 180
        rows.append(f"{driver},2026-03-01T{10 + minute // 60:02d}:{minute % 60:02d}:00Z,{notes[i % 4]}")
    (root / "spine.csv").write_text("\n".join(rows) + "\n")
    (root / "empty.csv").write_text("driver_id,event_timestamp\n")
    strata(root, "apply")
    strata(root, "ingest")
    return root


def historical(project: Path, spine: str, out: str, *extra: str) -> Path:
    strata(project, "historical", "--entities", spine, "--features", FEATURES, "--out", out, *extra)
    return project / out


def micros(value) -> int:
    return (value - EPOCH) // dt.timedelta(microseconds=1)


def kind_of(arrow_type: pa.DataType) -> str:
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type):
        return "int"
    return "string"


def from_csv(text: str, kind: str):
    """A CSV cell as the value a columnar cell must hold. Empty is null; by Strata's rule NaN and ±inf are null."""
    if text == "":
        return None
    if kind == "int":
        return int(text)
    if kind == "float":
        value = float(text)
        return value if math.isfinite(value) else None
    if kind == "bool":
        return {"true": True, "false": False}[text]
    if kind == "timestamp":  # feature timestamps print as microseconds, status and spine times as RFC 3339
        return int(text) if text.lstrip("-").isdigit() else micros(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    return text


def normalize(value, kind: str):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return micros(value)
    if kind == "string":
        return value or None  # CSV cannot tell an empty string from a null
    return value


def read_rows(path: Path, reader: str) -> list[tuple]:
    is_parquet = path.suffix == ".parquet"
    if reader == "pyarrow":
        table = pq.read_table(path) if is_parquet else ipc.open_file(path).read_all()
        return [tuple(row.values()) for row in table.to_pylist()]
    if reader == "duckdb":
        if is_parquet:
            return duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
        arrow_table = feather.read_table(path)  # noqa: F841 (DuckDB scans the local by name)
        return duckdb.sql("SELECT * FROM arrow_table").fetchall()
    return (pl.read_parquet(path) if is_parquet else pl.read_ipc(path)).rows()


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("reader", ["pyarrow", "duckdb", "polars"])
@pytest.mark.parametrize("suffix", [".parquet", ".arrow"])
def test_cells_equal_the_csv_output(project, suffix, reader):
    header, *expected = csv_rows(historical(project, "spine.csv", "cells.csv", "--include-status"))
    path = historical(project, "spine.csv", "cells" + suffix, "--include-status")
    schema = pq.read_schema(path) if suffix == ".parquet" else ipc.open_file(path).schema
    assert schema.names == header
    kinds = [kind_of(field.type) for field in schema]
    rows = read_rows(path, reader)
    assert len(rows) == len(expected) == 400
    for number, (row, text) in enumerate(zip(rows, expected)):
        got = [normalize(value, kind) for value, kind in zip(row, kinds)]
        want = [normalize(from_csv(cell, kind), kind) for cell, kind in zip(text, kinds)]
        assert got == want, f"row {number}"


def test_types_and_edge_values(project):
    path = historical(project, "spine.csv", "types.parquet", "--include-status")
    table = pq.read_table(path)
    assert [str(field.type) for field in table.schema] == [
        "int64", "timestamp[us, tz=UTC]", "string", "int64", "double", "string", "bool", "double", "timestamp[us, tz=UTC]",
        "string", "timestamp[us, tz=UTC]"]
    assert feather.read_table(historical(project, "spine.csv", "types.arrow", "--include-status")).equals(table)
    by_driver = {row["driver_id"]: row for row in table.to_pylist()}
    assert by_driver[1]["driver_stats__trips"] == -(2**63) and by_driver[2]["driver_stats__trips"] == 2**63 - 1
    assert by_driver[1]["driver_stats__name"] == "" and by_driver[3]["driver_stats__name"] is None
    assert by_driver[2]["driver_stats__name"] == "Zürich 東京 🚀"
    assert by_driver[1]["driver_stats__boom"] is None, "exp(900) is infinite: null by the non-finite rule"
    assert math.isfinite(by_driver[2]["driver_stats__boom"])
    duck = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    assert [row[1] for row in duck][3:9] == ["BIGINT", "DOUBLE", "VARCHAR", "BOOLEAN", "DOUBLE", "TIMESTAMP WITH TIME ZONE"]
    assert pl.read_parquet(path).schema["driver_stats__seen"] == pl.Datetime("us", "UTC")


def test_parquet_metadata_statistics_dictionary_and_row_groups(project):
    lines = ["driver_id,event_timestamp"] + [f"{1 + i % 60},2026-03-01T{10 + (i % 600) // 60:02d}:{i % 60:02d}:00Z" for i in range(140_000)]
    (project / "big.csv").write_text("\n".join(lines) + "\n")
    path = historical(project, "big.csv", "big.parquet")
    meta = pq.ParquetFile(path).metadata
    assert meta.created_by.startswith("Strata version ")
    assert meta.num_rows == 140_000 and meta.num_row_groups == 2
    assert all(meta.row_group(i).num_rows <= 131_072 for i in range(meta.num_row_groups))
    table = pq.read_table(path)
    offset = 0
    for group in range(meta.num_row_groups):
        rows = meta.row_group(group).num_rows
        for index in range(meta.num_columns):
            chunk = meta.row_group(group).column(index)
            values = table.column(index).slice(offset, rows)
            assert chunk.compression == "ZSTD"
            stats = chunk.statistics
            assert stats.null_count == values.null_count
            if values.null_count < rows:
                assert stats.min == pa.compute.min(values).as_py() and stats.max == pa.compute.max(values).as_py()
            if pa.types.is_string(values.type):
                assert chunk.has_dictionary_page and "RLE_DICTIONARY" in chunk.encodings
        offset += rows


def test_empty_training_sets_keep_their_schema(project):
    for suffix in [".parquet", ".arrow"]:
        path = historical(project, "empty.csv", "empty" + suffix)
        table = pq.read_table(path) if suffix == ".parquet" else ipc.open_file(path).read_all()
        assert table.num_rows == 0
        assert table.schema.field("driver_stats__trips").type == pa.int64()
        assert table.schema.field("driver_stats__seen").type == pa.timestamp("us", tz="UTC")
        frame = pl.read_parquet(path) if suffix == ".parquet" else pl.read_ipc(path)
        assert frame.height == 0 and frame.schema["driver_stats__rating"] == pl.Float64
        if suffix == ".parquet":
            assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchall() == [(0,)]


@pytest.mark.parametrize("reader", ["pyarrow", "duckdb", "polars"])
def test_feature_columns_null_in_every_row(project, reader):
    (project / "unknown.csv").write_text("driver_id,event_timestamp\n9001,2026-03-01T11:00:00Z\n9002,2026-03-01T12:00:00Z\n")
    for suffix in [".parquet", ".arrow"]:
        rows = read_rows(historical(project, "unknown.csv", "unknown" + suffix, "--include-status"), reader)
        assert [row[2:] for row in rows] == [(None,) * 6 + ("not_found", None)] * 2


def test_manifest_records_format_and_file_hash(project):
    path = historical(project, "spine.csv", "hashed.arrow")
    manifest = json.loads((project / "hashed.manifest.json").read_text())
    assert manifest["output"]["format"] == "arrow"
    assert manifest["output"]["fileSHA256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def spine_frame(rows: int = 300) -> pd.DataFrame:
    """A spine with typed extra columns: nulls, NaN, empty and non-ASCII strings, int32, a categorical."""
    rng = random.Random(5)
    start = pd.Timestamp("2026-03-01T10:00:00Z")
    return pd.DataFrame({
        "driver_id": pd.array([None if i == 7 else rng.randint(1, 65) for i in range(rows)], dtype="Int64"),
        "event_timestamp": [start + pd.Timedelta(seconds=rng.randint(0, 40_000), milliseconds=i) for i in range(rows)],
        "weight": [float("nan") if i % 11 == 0 else rng.random() for i in range(rows)],
        "tag": [None if i % 13 == 0 else ["", "ü", "東京", "plain"][i % 4] for i in range(rows)],
        "flag": [i % 3 == 0 for i in range(rows)],
        "small": pd.array([i - 150 for i in range(rows)], dtype="int32"),
        "group": pd.Categorical([["a", "b", "c"][i % 3] for i in range(rows)]),
    })


def write_spines(folder: Path, frame: pd.DataFrame) -> list[str]:
    """The same spine written the ways users write it."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    frame.to_parquet(folder / "pandas.parquet")  # snappy by default
    frame.to_feather(folder / "pandas.feather")  # LZ4 by default
    pq.write_table(table, folder / "pyarrow_zstd.parquet", compression="zstd", use_dictionary=True, data_page_version="2.0")
    with ipc.new_file(folder / "pyarrow_zstd.arrow", table.schema, options=ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table, max_chunksize=100)
    tokyo = table.set_column(1, "event_timestamp", table["event_timestamp"].cast(pa.timestamp("ns")).cast(pa.timestamp("ms", tz="Asia/Tokyo")))
    with ipc.new_stream(folder / "pyarrow_ms_tokyo.arrows", tokyo.schema) as writer:
        writer.write_table(tokyo, max_chunksize=64)
    polars_frame = pl.from_pandas(frame)
    polars_frame.write_parquet(folder / "polars.parquet")
    polars_frame.write_ipc(folder / "polars.arrow")
    return ["pandas.parquet", "pandas.feather", "pyarrow_zstd.parquet", "pyarrow_zstd.arrow", "pyarrow_ms_tokyo.arrows",
            "polars.parquet", "polars.arrow"]


def spine_as_csv(frame: pd.DataFrame, path: Path):
    text = frame[["driver_id", "event_timestamp"]].copy()
    text["event_timestamp"] = text["event_timestamp"].map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    text.to_csv(path, index=False)


def test_typed_spines_from_pandas_pyarrow_and_polars(project):
    frame = spine_frame()
    spines = write_spines(project, frame)
    spine_as_csv(frame, project / "typed_reference.csv")
    reference = pq.read_table(historical(project, "typed_reference.csv", "typed_reference.parquet"))
    features = [name for name in reference.column_names if name.startswith("driver_stats__")]
    expected_spine = {
        "driver_id": [None if pd.isna(v) else int(v) for v in frame["driver_id"]],
        "event_timestamp": [micros(t.to_pydatetime()) for t in frame["event_timestamp"]],
        "weight": [None if math.isnan(v) else v for v in frame["weight"]],
        "tag": [None if pd.isna(v) else v for v in frame["tag"]],
        "flag": list(frame["flag"]),
        "small": [int(v) for v in frame["small"]],
        "group": [str(v) for v in frame["group"]],
    }
    types = {"driver_id": pa.int64(), "event_timestamp": pa.timestamp("us", tz="UTC"), "weight": pa.float64(), "tag": pa.string(),
             "flag": pa.bool_(), "small": pa.int64(), "group": pa.string()}
    for spine in spines:
        for suffix in [".parquet", ".arrow"]:
            out = pq.read_table(historical(project, spine, "from_" + spine.replace(".", "_") + suffix)) if suffix == ".parquet" \
                else feather.read_table(historical(project, spine, "from_" + spine.replace(".", "_") + suffix))
            assert out.num_rows == len(frame), spine
            for name, values in expected_spine.items():
                assert out.schema.field(name).type == types[name], f"{spine}: {name}"
                column = out.column(name)
                got = [micros(v) if v is not None and name == "event_timestamp" else v for v in column.to_pylist()]
                assert got == values, f"{spine} → {suffix}: column {name}"
            for name in features:
                assert out.column(name).equals(reference.column(name)), f"{spine} → {suffix}: {name}"


def test_empty_typed_spines(project):
    frame = spine_frame().iloc[0:0]
    folder = project / "empty_spines"
    folder.mkdir(exist_ok=True)
    for spine in write_spines(folder, frame):
        path = historical(project, f"empty_spines/{spine}", "empty_from_" + spine.replace(".", "_") + ".parquet")
        table = pq.read_table(path)
        assert table.num_rows == 0 and table.schema.field("small").type == pa.int64(), spine


@pytest.mark.parametrize("column, message", [
    (pa.array([dt.date(2026, 3, 1)] * 3), "date"),
    (pa.array([[1], [2], [3]]), "list"),
    (pa.array([decimal.Decimal("1.5")] * 3, pa.decimal128(4, 1)), "decimal"),
])
def test_unsupported_spine_columns_are_clear_errors(project, column, message):
    times = pa.array([0, 1, 2], pa.timestamp("us", tz="UTC"))
    table = pa.table({"driver_id": [1, 2, 3], "event_timestamp": times, "odd": column})
    for name, write in [("odd.parquet", lambda p: pq.write_table(table, p)), ("odd.arrow", lambda p: feather.write_feather(table, p))]:
        write(project / name)
        result = strata(project, "historical", "--entities", name, "--features", FEATURES, "--out", "odd.csv", check=False)
        assert result.returncode == 1, result.stderr
        assert "column `odd`" in result.stderr and message in result.stderr.lower() and "fix:" in result.stderr, result.stderr


def test_null_spine_time_is_a_clear_error(project):
    table = pa.table({"driver_id": [1, 2], "event_timestamp": pa.array([0, None], pa.timestamp("us", tz="UTC"))})
    pq.write_table(table, project / "null_time.parquet")
    result = strata(project, "historical", "--entities", "null_time.parquet", "--features", FEATURES, "--out", "x.csv", check=False)
    assert result.returncode == 1 and "row 2: the time is null" in result.stderr, result.stderr


def test_corrupted_spines_fail_cleanly(project):
    frame = spine_frame(120)
    folder = project / "corrupt"
    folder.mkdir(exist_ok=True)
    frame.to_parquet(folder / "base.parquet")
    frame.to_feather(folder / "base.feather")
    rng = random.Random(11)
    for base in ["base.parquet", "base.feather"]:
        original = (folder / base).read_bytes()
        for case in range(25):
            data = bytearray(original)
            if case % 5 == 0:
                data = data[: rng.randrange(len(data))]
            else:
                for _ in range(rng.randint(1, 3)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            name = f"case{case}{Path(base).suffix}"
            (folder / name).write_bytes(bytes(data))
            result = strata(project, "historical", "--entities", f"corrupt/{name}", "--features", FEATURES, "--out", "x.csv", check=False)
            assert result.returncode in (0, 1), f"{name}: exit {result.returncode}\n{result.stderr}"
            if result.returncode == 1:
                assert result.stderr.startswith("error:"), result.stderr


LABELS = """driver_id,event_timestamp,label,score,flag,seen,mixed,blank
1,2026-03-01T10:00:00Z,1,0.5,true,2026-03-01T10:00:00+01:00,1,
2,2026-03-01T11:00:00+05:30,,2,False,,x,
9223372036854775807,2026-03-01T12:00:00Z,0,1e3,TRUE,2026-03-01T09:00:00Z,2.5,
"""

LABEL_TYPES = {  # column: (pyarrow, DuckDB, polars)
    "driver_id": ("int64", "BIGINT", pl.Int64), "event_timestamp": ("timestamp[us, tz=UTC]", "TIMESTAMP WITH TIME ZONE", pl.Datetime("us", "UTC")),
    "label": ("int64", "BIGINT", pl.Int64), "score": ("double", "DOUBLE", pl.Float64), "flag": ("bool", "BOOLEAN", pl.Boolean),
    "seen": ("timestamp[us, tz=UTC]", "TIMESTAMP WITH TIME ZONE", pl.Datetime("us", "UTC")), "mixed": ("string", "VARCHAR", pl.String),
    "blank": ("string", "VARCHAR", pl.String),
}


@pytest.mark.parametrize("suffix", [".parquet", ".arrow"])
def test_csv_spine_columns_are_typed_alike_in_every_reader(project, suffix):
    """Join keys get their declared type, the time column timestamp[us, UTC], other columns the first type every value
    parses as (docs/semantics.md): pyarrow, DuckDB and polars read the same types and values."""
    (project / "labels.csv").write_text(LABELS)
    path = historical(project, "labels.csv", "labels" + suffix)
    table = pq.read_table(path) if suffix == ".parquet" else feather.read_table(path)
    names = list(LABEL_TYPES)
    assert [str(table.schema.field(n).type) for n in names] == [t[0] for t in LABEL_TYPES.values()]
    arrow_table = table  # noqa: F841 (DuckDB scans the local by name)
    source = f"read_parquet('{path}')" if suffix == ".parquet" else "arrow_table"
    duck = dict((row[0], row[1]) for row in duckdb.sql(f"DESCRIBE SELECT * FROM {source}").fetchall())
    assert [duck[n] for n in names] == [t[1] for t in LABEL_TYPES.values()]
    frame = pl.read_parquet(path) if suffix == ".parquet" else pl.read_ipc(path)
    assert [frame.schema[n] for n in names] == [t[2] for t in LABEL_TYPES.values()]
    rows = table.to_pylist()
    assert [r["driver_id"] for r in rows] == [1, 2, 2**63 - 1]
    assert [r["label"] for r in rows] == [1, None, 0]
    assert [r["flag"] for r in rows] == [True, False, True]
    assert [r["mixed"] for r in rows] == ["1", "x", "2.5"]
    assert rows[1]["event_timestamp"] == dt.datetime(2026, 3, 1, 5, 30, tzinfo=dt.timezone.utc)
    assert rows[0]["seen"] == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
    assert frame["label"].to_list() == [1, None, 0]
