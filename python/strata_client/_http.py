"""The remote back end: talks to `strata serve` over HTTP; training sets arrive as an Arrow IPC stream."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Tuple

import pyarrow as pa

from ._backend import HistoricalOptions, registry_record
from ._convert import arrow_stream_bytes, frame_columns, parse_instant
from .errors import ConnectionFailedError, from_http
from .results import FeatureValue, OnlineResponse, PushResult, TrainingSetJob

ARROW_STREAM = "application/vnd.apache.arrow.stream"


class HTTPBackend:
    def __init__(self, url: str, *, token: Optional[str], timeout_seconds: float) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout_seconds = timeout_seconds

    def describe_target(self) -> str:
        return f"url={self.url!r}"

    def request(self, method: str, path: str, body: Optional[bytes] = None,
                content_type: str = "application/json") -> Tuple[bytes, Mapping[str, str]]:
        """The answer's body and headers; an error answer becomes the `StrataError` its JSON names."""
        headers = {"Accept": f"{ARROW_STREAM}, application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as answer:
                return answer.read(), dict(answer.headers.items())
        except urllib.error.HTTPError as error:
            raise from_http(error.code, error.read()) from None
        except (urllib.error.URLError, OSError) as error:
            raise ConnectionFailedError("unreachable", f"cannot reach the strata server at {self.url}: {error}; "
                                        "start it with `strata serve`, or check url=") from error

    def json(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Any:
        data, _ = self.request(method, path, None if body is None else json.dumps(body).encode())
        return json.loads(data)

    def historical(self, spine: pa.Table, options: HistoricalOptions) -> TrainingSetJob:
        query: Dict[str, str] = {"corrections": options.corrections, "timestamp_column": options.timestamp_column}
        if options.service is not None:
            query["service"] = options.service
        else:
            query["features"] = ",".join(options.features or [])
        if options.as_of is not None:
            query["as_of"] = options.as_of
        for name in ("strict", "include_status", "bare_names"):
            if getattr(options, name):
                query[name] = "true"
        body = arrow_stream_bytes(spine)
        return self._stream("POST", "/v1/historical?" + urllib.parse.urlencode(query), body.to_pybytes(), ARROW_STREAM)

    def reproduce(self, training_set_id: str) -> TrainingSetJob:
        return self._stream("POST", f"/v1/training-sets/{urllib.parse.quote(training_set_id, safe='')}/reproduce", b"", "application/json")

    def _stream(self, method: str, path: str, body: bytes, content_type: str) -> TrainingSetJob:
        data, headers = self.request(method, path, body, content_type)
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        except (pa.ArrowInvalid, OSError) as error:
            # The server cuts the connection when a training set fails mid-stream: never take a short one as whole.
            raise ConnectionFailedError("stream_cut", f"the training-set stream from {self.url} ended early: {error}") from error
        rows = lower.get("strata-rows")
        if rows is not None and int(rows) != table.num_rows:
            raise ConnectionFailedError("stream_cut", f"the server announced {rows} rows and sent {table.num_rows}")
        return TrainingSetJob(lower["strata-training-set-id"], table, fetch_manifest=self.manifest,
                              reproduced_from=lower.get("strata-reproduced-from"))

    def manifest(self, training_set_id: str) -> Mapping[str, Any]:
        return self.json("GET", f"/v1/training-sets/{urllib.parse.quote(training_set_id, safe='')}")

    def online(self, features: Optional[List[str]], service: Optional[str], rows: List[Dict[str, Any]],
               at: Optional[str]) -> OnlineResponse:
        body: Dict[str, Any] = {"entities": [{k: _plain(v) for k, v in row.items()} for row in rows]}
        if service is not None:
            body["feature_service"] = service
        else:
            body["features"] = features
        if at is not None:
            body["at"] = at
        answer = self.json("POST", "/v1/features", body)
        values = [[FeatureValue(value, status, parse_instant(time))
                   for value, status, time in zip(row["values"], row["statuses"], row["event_timestamps"])] for row in answer["rows"]]
        return OnlineResponse(features=list(answer["features"]), entity_rows=rows, rows=values, at=parse_instant(answer.get("at")))

    def push(self, view: str, df: Any) -> PushResult:
        answer = self.json("POST", "/push", {"view": view, "df": frame_columns(df)})
        pushed = answer.get("pushed", [])
        first = pushed[0] if pushed else {}
        return PushResult(source=answer["source"], change=answer["change"], rows_accepted=first.get("rows_accepted", 0),
                          rows_quarantined=first.get("rows_quarantined", 0), content_sha256=answer["content_sha256"],
                          online_written={p["view"]: p["online_written"] for p in pushed}, quarantine=first.get("quarantine", []))

    def objects(self, kind: str) -> List[Dict[str, Any]]:
        return [registry_record(r) for r in self.json("GET", f"/v1/registry/objects?kind={urllib.parse.quote(kind)}")]

    def object(self, name: str) -> Dict[str, Any]:
        return registry_record(self.json("GET", f"/v1/registry/objects/{urllib.parse.quote(name, safe='')}"))


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
