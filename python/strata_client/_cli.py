"""The local back end: runs the `strata` binary on the project, with Arrow bytes in between (never CSV)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Sequence

import pyarrow as pa

from ._backend import HistoricalOptions, registry_record
from ._convert import arrow_file_bytes, frame_columns, json_lines, parse_instant
from .errors import ConnectionFailedError, InvalidRequestError, from_cli
from .results import FeatureValue, OnlineResponse, PushResult, TrainingSetJob


def find_binary(binary: Optional[str]) -> str:
    """`binary`, else `STRATA_BIN`, else `strata` on PATH, made absolute: a relative path names a file from the folder
    the program started in, and must keep naming it if the program changes directory later."""
    candidate = binary or os.environ.get("STRATA_BIN") or shutil.which("strata")
    if candidate and os.sep in candidate:
        candidate = os.path.abspath(candidate)
    if not candidate or not os.access(candidate, os.X_OK):
        raise ConnectionFailedError("no_binary", f"cannot run the strata binary ({candidate or 'not on PATH'}): put `strata` on PATH, "
                                    "set STRATA_BIN, or pass binary=")
    return candidate


class CLIBackend:
    def __init__(self, path: str, *, binary: Optional[str], timeout_seconds: float) -> None:
        self.project = os.path.abspath(path)
        if not os.path.isdir(self.project):
            raise InvalidRequestError("bad_project", f"{self.project} is not a folder; pass the project folder (the one holding featuresets/)")
        self.binary = find_binary(binary)
        self.timeout_seconds = timeout_seconds

    def describe_target(self) -> str:
        return f"path={self.project!r}"

    def run(self, args: Sequence[str], stdin: Optional[bytes] = None) -> str:
        """Runs `strata ARGS --project P`, returning stdout; a failure becomes the `StrataError` its JSON error line names."""
        env = dict(os.environ, STRATA_ERROR_FORMAT="json")
        try:
            done = subprocess.run([self.binary, *args, "--project", self.project], input=stdin, capture_output=True,
                                  env=env, timeout=self.timeout_seconds)
        except OSError as error:
            raise ConnectionFailedError("no_binary", f"cannot run {self.binary}: {error}") from error
        except subprocess.TimeoutExpired as error:
            raise ConnectionFailedError("timeout", f"strata {args[0]} took longer than {self.timeout_seconds} s") from error
        if done.returncode != 0:
            raise from_cli(done.returncode, done.stderr.decode("utf-8", "replace"))
        return done.stdout.decode("utf-8")

    def run_json(self, args: Sequence[str], stdin: Optional[bytes] = None) -> Any:
        return json.loads(self.run([*args, "--json"], stdin))

    # Training sets: the spine goes in on standard input as an Arrow stream (kept in the project, so the set can be
    # reproduced), the training set comes back as an Arrow IPC file, memory-mapped: no copy, no CSV parse.
    def historical(self, spine: pa.Table, options: HistoricalOptions) -> TrainingSetJob:
        args = ["historical", "--entities", "-", "--corrections", options.corrections, "--timestamp-column", options.timestamp_column]
        args += ["--service", options.service] if options.service is not None else ["--features", ",".join(options.features or [])]
        if options.as_of is not None:
            args += ["--as-of", options.as_of]
        for flag, given in (("--strict", options.strict), ("--include-status", options.include_status), ("--bare-names", options.bare_names)):
            if given:
                args.append(flag)
        return self._build(args, arrow_file_bytes(spine))

    def reproduce(self, training_set_id: str) -> TrainingSetJob:
        return self._build(["historical", "--reproduce", training_set_id], None)

    def _build(self, args: List[str], stdin: Optional[bytes]) -> TrainingSetJob:
        with tempfile.TemporaryDirectory(prefix="strata-client-") as folder:
            out = os.path.join(folder, "training_set.arrow")
            manifest = self.run_json([*args, "--out", out], stdin)
            # A memory map stays readable after its file is unlinked, and pyarrow keeps it alive with the table.
            table = pa.ipc.open_file(pa.memory_map(out)).read_all()
        return TrainingSetJob(manifest["id"], table, manifest=manifest, reproduced_from=manifest.get("reproducedFrom"))

    def manifest(self, training_set_id: str) -> Mapping[str, Any]:
        return self.run_json(["historical", "--show", training_set_id])

    def online(self, features: Optional[List[str]], service: Optional[str], rows: List[Dict[str, Any]],
               at: Optional[str]) -> OnlineResponse:
        args = ["get"] + (["--service", service] if service is not None else ["--features", ",".join(features or [])])
        for row in rows:
            args += ["--key", ",".join(f"{name}={_key_text(value)}" for name, value in row.items())]
        if at is not None:
            args += ["--at", at]
        answer = self.run_json(args)
        values = [[FeatureValue(cell["value"], cell["status"], parse_instant(cell.get("event_timestamp"))) for cell in row["values"]]
                  for row in answer["rows"]]
        return OnlineResponse(features=list(answer["features"]), entity_rows=rows, rows=values, at=parse_instant(answer.get("at")))

    def push(self, view: str, df: Any) -> PushResult:
        with tempfile.TemporaryDirectory(prefix="strata-client-") as folder:
            path = os.path.join(folder, "rows.jsonl")
            with open(path, "wb") as fh:
                fh.write(json_lines(frame_columns(df)))
            report = self.run_json(["push", view, "--file", path])
        offline = report["offline"]
        return PushResult(source=report["source"], change=offline["change"], rows_accepted=offline["rowsAccepted"],
                          rows_quarantined=offline["rowsQuarantined"], content_sha256=offline["contentSHA256"],
                          online_written={v["view"]: v["onlineWritten"] for v in report["views"]},
                          quarantine=[f"{q.get('file')}:{q.get('line')}: {q.get('reason')}" for q in offline.get("quarantineSample", [])])

    def objects(self, kind: str) -> List[Dict[str, Any]]:
        return [registry_record(r) for r in self.run_json(["registry", "list", "--kind", kind])]

    def object(self, name: str) -> Dict[str, Any]:
        return registry_record(self.run_json(["registry", "describe", name]))


def _key_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    text = str(value)
    if "," in text or "=" in text:
        raise InvalidRequestError("bad_key", f"key value {text!r} holds `,` or `=`, which `strata get --key` cannot carry; use url= (the server)")
    return text
