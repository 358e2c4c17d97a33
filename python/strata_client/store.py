"""`FeatureStore`: one API over two back ends, the local `strata` binary (`path=`) or a `strata serve` (`url=`)."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from ._backend import Backend, HistoricalOptions
from ._convert import Instant, format_instant, spine_table
from .errors import InvalidRequestError
from .results import OnlineResponse, PushResult, TrainingSetJob


class FeatureStore:
    """A Strata project, reached through the `strata` binary (`path=`) or a running `strata serve` (`url=`).

    The two give the same answers for the same request: the local mode runs `strata` with Arrow bytes in between (the
    binary is `STRATA_BIN`, or `strata` on PATH, or `binary=`); the remote mode streams Arrow over HTTP.

    >>> store = FeatureStore(path="drivers")
    >>> remote = FeatureStore(url="http://127.0.0.1:6566", token="s3cret")

    Raises:
        InvalidRequestError: neither or both of `path` and `url` are given.
        ConnectionFailedError: (local mode) no `strata` binary is found.
    """

    def __init__(self, path: Optional[str] = None, *, url: Optional[str] = None, token: Optional[str] = None,
                 binary: Optional[str] = None, timeout_seconds: float = 600.0) -> None:
        if (path is None) == (url is None):
            raise InvalidRequestError("usage", "pass exactly one of path= (a local project) or url= (a strata server)")
        self._backend: Backend
        if path is not None:
            from ._cli import CLIBackend

            self._backend = CLIBackend(path, binary=binary, timeout_seconds=timeout_seconds)
        else:
            from ._http import HTTPBackend

            self._backend = HTTPBackend(str(url), token=token, timeout_seconds=timeout_seconds)

    def __repr__(self) -> str:
        return f"FeatureStore({self._backend.describe_target()})"

    def get_historical_features(self, entity_df: Any, features: Optional[Sequence[str]] = None, *,
                                feature_service: Optional[str] = None, corrections: str = "known",
                                as_of: Optional[Instant] = None, strict: bool = False,
                                timestamp_column: str = "event_timestamp", include_status: bool = False,
                                bare_names: bool = False) -> TrainingSetJob:
        """Builds a point-in-time-correct training set: one row per spine row, in order, plus one column per feature.

        Args:
            entity_df: the spine, a pandas, polars or pyarrow frame (or a dict of columns) with the entity keys and
                `timestamp_column`; other columns are kept (labels).
            features: `view:feature` or `view:*` references; or give `feature_service`.
            corrections: `known` (the default: only what was known at each spine time) or `latest`.
            as_of: see the store as it stood at this instant (a datetime or RFC 3339 text); not with `latest`.
            strict: a value stamped exactly at the spine time is not visible.
        Returns:
            a `TrainingSetJob` with `.to_df()`, `.to_arrow()`, `.to_polars()`, `.to_parquet(path)`, `.id`, `.manifest`.
        Raises:
            NotFoundError: an unknown feature, view or service. InvalidRequestError: a bad spine or option.
            LimitExceededError: a spine over the server's limits.
        """
        if (features is None) == (feature_service is None):
            raise InvalidRequestError("bad_selection", "pass exactly one of features=[...] or feature_service=")
        if corrections not in ("known", "latest"):
            raise InvalidRequestError("bad_option", f"corrections must be known or latest, not {corrections!r}")
        if as_of is not None and corrections == "latest":
            raise InvalidRequestError("bad_option", "as_of sees the store as it stood then; it cannot be combined with corrections='latest'")
        if isinstance(features, str):
            features = [features]
        options = HistoricalOptions(features=list(features) if features is not None else None, service=feature_service,
                                    corrections=corrections, as_of=format_instant(as_of), strict=strict,
                                    timestamp_column=timestamp_column, include_status=include_status, bare_names=bare_names)
        return self._backend.historical(spine_table(entity_df, timestamp_column), options)

    def get_training_set(self, training_set_id: str) -> Dict[str, Any]:
        """The recorded manifest of a training set: spine hash, features, definition versions, mode, watermarks, hashes.

        Raises:
            NotFoundError: no training set has this id.
        """
        return dict(self._backend.manifest(training_set_id))

    def reproduce(self, training_set_id: str) -> TrainingSetJob:
        """Builds a recorded training set again from its manifest: the same rows (and, for Arrow, the same bytes).

        Raises:
            NotFoundError: unknown id. ConflictError: its spine or stored rows changed since.
        """
        return self._backend.reproduce(training_set_id)

    def get_online_features(self, features: Optional[Sequence[str]] = None, *, entity_rows: Sequence[Mapping[str, Any]],
                            feature_service: Optional[str] = None, at: Optional[Instant] = None) -> OnlineResponse:
        """The latest feature values for each entity row, with their statuses and event times.

        >>> store.get_online_features(feature_service="driver_activity", entity_rows=[{"driver_id": 1001}]).to_dict()

        Args:
            entity_rows: one mapping of join key → value per entity.
            at: apply the TTL rule at this instant instead of now.
        Raises:
            NotFoundError: an unknown feature or service. InvalidRequestError: a missing key or bad value.
        """
        if (features is None) == (feature_service is None):
            raise InvalidRequestError("bad_selection", "pass exactly one of features=[...] or feature_service=")
        rows = [dict(row) for row in entity_rows]
        if not rows:
            raise InvalidRequestError("missing_entities", "entity_rows must hold at least one row, e.g. [{'driver_id': 1001}]")
        if isinstance(features, str):
            features = [features]
        return self._backend.online(list(features) if features is not None else None, feature_service, rows, format_instant(at))

    def push(self, source: str, df: Any) -> PushResult:
        """Writes fresh rows (a frame with the source's columns) to the offline store, then to the online store.

        Args:
            source: the feature view to push to, or its source's name.
            df: pandas, polars or pyarrow rows with the source's columns.
        Raises:
            NotFoundError: no view reads that source. InvalidRequestError: rows that do not fit the schema.
        """
        return self._backend.push(self._view_for(source), df)

    def list_feature_views(self) -> List[Dict[str, Any]]:
        """The latest version of every feature view: name, version, and `spec` (its definition as a dict)."""
        return self._backend.objects("feature_view")

    def list_feature_services(self) -> List[Dict[str, Any]]:
        """The latest version of every feature service: name, version, and `spec` (its definition as a dict)."""
        return self._backend.objects("feature_service")

    def describe(self, name: str) -> Dict[str, Any]:
        """One registry object (entity, source, view or service) by name, latest version, with its `spec` as a dict.

        Raises:
            NotFoundError: nothing has this name.
        """
        return self._backend.object(name)

    def _view_for(self, name: str) -> str:
        views = self.list_feature_views()
        if any(view["name"] == name for view in views):
            return name
        readers = [view["name"] for view in views if view.get("spec", {}).get("source") == name]
        if not readers:
            known = ", ".join(sorted(view["name"] for view in views)) or "none"
            from .errors import NotFoundError

            raise NotFoundError("unknown_object", f"no feature view is named or reads `{name}` (views: {known})")
        return readers[0]
