"""Conversions between what users hand the client (pandas, pyarrow, polars, dicts) and what Strata reads and writes."""
from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any, Iterable, List, Mapping, Optional, Union

import pyarrow as pa

from .errors import InvalidRequestError

Instant = Union[str, dt.datetime]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def to_arrow_table(frame: Any) -> pa.Table:
    """A pyarrow Table of a pandas or polars DataFrame, a pyarrow Table or RecordBatch, or a dict of columns."""
    if isinstance(frame, pa.Table):
        return frame
    if isinstance(frame, pa.RecordBatch):
        return pa.Table.from_batches([frame])
    module = type(frame).__module__
    if module.startswith("pandas"):
        return pa.Table.from_pandas(frame, preserve_index=False)
    if module.startswith("polars"):
        return frame.to_arrow()
    if isinstance(frame, Mapping):
        return pa.table(dict(frame))
    raise InvalidRequestError("bad_spine", f"expected a pandas, polars or pyarrow frame (or a dict of columns), got {type(frame).__name__}")


def arrow_stream_bytes(table: pa.Table) -> pa.Buffer:
    """The table as an Arrow IPC stream, as Strata reads spines (`--entities -`, `POST /v1/historical`)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def format_instant(value: Optional[Instant]) -> Optional[str]:
    """RFC 3339 text with `Z` for a datetime (a naive one is taken as UTC); text is passed as given."""
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas.Timestamp
        value = value.to_pydatetime()
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_instant(text: Optional[str]) -> Optional[dt.datetime]:
    """An RFC 3339 instant as an aware UTC datetime (microseconds kept)."""
    if text is None:
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)


def micros_to_datetime(micros: Optional[int]) -> Optional[dt.datetime]:
    return None if micros is None else EPOCH + dt.timedelta(microseconds=micros)


def json_scalar(value: Any) -> Any:
    """A cell of a pushed frame as JSON: times as RFC 3339 text, NaN as null, numpy scalars as Python numbers."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.datetime, dt.date)) or hasattr(value, "to_pydatetime"):
        if not isinstance(value, dt.datetime) and hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime()
        if isinstance(value, dt.datetime):
            return format_instant(value)
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return json_scalar(value.item())
    return value


def frame_columns(frame: Any) -> Mapping[str, List[Any]]:
    """A frame's columns as JSON-ready lists, through Arrow (one conversion path for pandas, polars and pyarrow)."""
    table = to_arrow_table(frame)
    return {name: [json_scalar(v) for v in table.column(name).to_pylist()] for name in table.column_names}


def json_lines(columns: Mapping[str, List[Any]]) -> bytes:
    """Column lists as JSON Lines rows (what `strata push --file` reads)."""
    names = list(columns)
    count = len(columns[names[0]]) if names else 0
    rows: Iterable[str] = (json.dumps({n: columns[n][i] for n in names}) for i in range(count))
    return ("\n".join(rows) + "\n").encode()


def spine_table(frame: Any, timestamp_column: str) -> pa.Table:
    """A spine as Strata reads it: int64, float64, bool, UTF-8 string and timestamp[us, UTC] columns.

    pandas gives nanosecond and naive times, polars large or view strings, numpy narrower ints; each is cast here, so
    a frame of any of the three libraries reaches Strata with the types it stores (a naive time is taken as UTC).
    """
    table = to_arrow_table(frame)
    if timestamp_column not in table.column_names:
        raise InvalidRequestError("bad_spine", f"the spine has no `{timestamp_column}` column (found: {', '.join(table.column_names)}); "
                                  "add it, or pass timestamp_column=")
    fields = []
    for field in table.schema:
        fields.append(pa.field(field.name, _strata_type(field.name, field.type)))
    try:
        return table.cast(pa.schema(fields))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise InvalidRequestError("bad_spine", f"the spine's columns cannot be converted to Strata's types: {error}") from error


def _strata_type(name: str, kind: pa.DataType) -> pa.DataType:
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return pa.timestamp("us", tz="UTC")
    if pa.types.is_boolean(kind):
        return pa.bool_()
    if pa.types.is_integer(kind):
        return pa.int64()
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return pa.float64()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or getattr(pa.types, "is_string_view", lambda _: False)(kind):
        return pa.string()
    if pa.types.is_dictionary(kind) and (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
        return pa.string()
    if pa.types.is_null(kind):
        return pa.string()
    raise InvalidRequestError("bad_spine", f"spine column `{name}` has type {kind}; Strata reads int64, float64, bool, string and "
                              "timestamp columns: convert it first")


def arrow_file_bytes(table: pa.Table) -> bytes:
    """The table as an Arrow IPC stream's bytes (what `strata historical --entities -` reads on standard input)."""
    return arrow_stream_bytes(table).to_pybytes()
