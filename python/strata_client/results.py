"""What the client's calls return: training-set jobs, online feature responses and push results."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    import pandas
    import polars


class TrainingSetJob:
    """A training set Strata built (or reproduced): its rows as Arrow, and its manifest.

    The rows are fetched when the job is made; `manifest` is read when first asked for (from the CLI's answer, or
    with one more request to the server).

    >>> job = store.get_historical_features(spine, feature_service="driver_activity")
    >>> job.id, job.to_df().shape
    ('ts-26eccb9fa0b8', (201, 8))
    """

    def __init__(self, training_set_id: str, table: pa.Table, manifest: Optional[Mapping[str, Any]] = None,
                 fetch_manifest: Optional[Callable[[str], Mapping[str, Any]]] = None,
                 reproduced_from: Optional[str] = None) -> None:
        self._id = training_set_id
        self._table = table
        self._manifest = dict(manifest) if manifest is not None else None
        self._fetch_manifest = fetch_manifest
        self._reproduced_from = reproduced_from

    @property
    def id(self) -> str:
        """The training set's id (`ts-…`), to reproduce it or trace its lineage later."""
        return self._id

    @property
    def reproduced_from(self) -> Optional[str]:
        """For a reproduction, the id of the original training set."""
        return self._reproduced_from

    @property
    def manifest(self) -> Dict[str, Any]:
        """The recorded manifest: spine hash, features, definition versions, corrections mode, ingest watermarks, hashes."""
        if self._manifest is None:
            if self._fetch_manifest is None:
                raise RuntimeError("this job has no manifest")
            self._manifest = dict(self._fetch_manifest(self._id))
        return self._manifest

    def to_arrow(self) -> pa.Table:
        """The training set as a pyarrow Table: spine columns with their types, then one column per feature."""
        return self._table

    def to_df(self) -> "pandas.DataFrame":
        """The training set as a pandas DataFrame (timestamps as `datetime64[…, UTC]`, nullable ints as float or Int64)."""
        return self._table.to_pandas()

    def to_polars(self) -> "polars.DataFrame":
        """The training set as a polars DataFrame (needs polars installed)."""
        import polars

        return polars.from_arrow(self._table)

    def to_parquet(self, path: str, **options: Any) -> None:
        """Writes the training set as a Parquet file (pyarrow's writer; `options` go to `pyarrow.parquet.write_table`)."""
        pq.write_table(self._table, path, **options)

    def __len__(self) -> int:
        return self._table.num_rows

    def __repr__(self) -> str:
        return f"TrainingSetJob(id={self._id!r}, rows={self._table.num_rows}, columns={self._table.column_names})"


class FeatureValue(NamedTuple):
    """One served feature value: the value, its status (`present`, `not_found`, `expired`) and the row's event time."""

    value: Any
    status: str
    event_timestamp: Optional[dt.datetime]


@dataclass
class OnlineResponse:
    """The answer of `get_online_features`: per entity row, per feature, a `FeatureValue`.

    `features` are `view:feature` references in request order; columns are named `view__feature`.
    """

    features: List[str]
    entity_rows: List[Dict[str, Any]]
    rows: List[List[FeatureValue]]
    at: Optional[dt.datetime] = None

    @property
    def column_names(self) -> List[str]:
        return [name.replace(":", "__", 1) for name in self.features]

    def to_dict(self, include_status: bool = True) -> Dict[str, List[Any]]:
        """Columns as lists: the entity keys, then per feature `view__feature`, and with `include_status`
        `view__feature__status` and `view__feature__event_timestamp`."""
        keys: List[str] = []
        for row in self.entity_rows:
            keys += [k for k in row if k not in keys]
        out: Dict[str, List[Any]] = {k: [row.get(k) for row in self.entity_rows] for k in keys}
        for index, name in enumerate(self.column_names):
            out[name] = [row[index].value for row in self.rows]
            if include_status:
                out[f"{name}__status"] = [row[index].status for row in self.rows]
                out[f"{name}__event_timestamp"] = [row[index].event_timestamp for row in self.rows]
        return out

    def to_df(self, include_status: bool = True) -> "pandas.DataFrame":
        """`to_dict` as a pandas DataFrame, one row per entity row."""
        import pandas

        return pandas.DataFrame(self.to_dict(include_status))


@dataclass
class PushResult:
    """What a push wrote: the source, whether the rows were new, and per view the rows written online."""

    source: str
    change: str
    rows_accepted: int
    rows_quarantined: int
    content_sha256: str
    online_written: Dict[str, int] = field(default_factory=dict)
    quarantine: Sequence[str] = ()
