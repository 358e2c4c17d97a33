"""What each back end (CLI, HTTP) implements, and the options of a training-set request they share."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Protocol

import pyarrow as pa

from .results import OnlineResponse, PushResult, TrainingSetJob


@dataclass(frozen=True)
class HistoricalOptions:
    """The options of `get_historical_features`, as both back ends pass them on."""

    features: Optional[List[str]]
    service: Optional[str]
    corrections: str
    as_of: Optional[str]
    strict: bool
    timestamp_column: str
    include_status: bool
    bare_names: bool


class Backend(Protocol):
    def describe_target(self) -> str: ...
    def historical(self, spine: pa.Table, options: HistoricalOptions) -> TrainingSetJob: ...
    def manifest(self, training_set_id: str) -> Mapping[str, Any]: ...
    def reproduce(self, training_set_id: str) -> TrainingSetJob: ...
    def online(self, features: Optional[List[str]], service: Optional[str], rows: List[Dict[str, Any]],
               at: Optional[str]) -> OnlineResponse: ...
    def push(self, view: str, df: Any) -> PushResult: ...
    def objects(self, kind: str) -> List[Dict[str, Any]]: ...
    def object(self, name: str) -> Dict[str, Any]: ...


def registry_record(record: Mapping[str, Any]) -> Dict[str, Any]:
    """A registry object as the CLI and the server print it, with its `spec` (canonical JSON text) parsed."""
    out = dict(record)
    if isinstance(out.get("spec"), str):
        out["spec"] = json.loads(out["spec"])
    return out
