"""OpenLineage conformance of `strata lineage --export openlineage`, judged by third-party code: every event of every
job kind validates against the committed OpenLineage 2-0-2 JSON schema and facet schemas (jsonschema, all $refs
resolved locally), loads into openlineage-python's models and serializes back unchanged; run ids are stable UUIDv5s;
column lineage on the example project; `--emit` against a real loopback HTTP receiver; the server route with auth."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import threading
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from jsonschema import Draft202012Validator
from openlineage.client.serde import Serde
from referencing import Registry, Resource

import openlineage_models

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "Tests" / "Fixtures" / "openlineage"
RUN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://strata.example/openlineage/runs")


def strata_binary() -> str:
    path = os.environ.get("STRATA_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"STRATA_BIN must name the built strata binary (got {path!r}): run `make test`, or "
                    "`swift build --product strata` and STRATA_BIN=.build/debug/strata", pytrace=False)
    return path


def run(project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([strata_binary(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        pytest.fail(f"strata {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return result


def export(project: Path, *args: str) -> list[dict]:
    out = run(project, "lineage", "--export", "openlineage", *args).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project after one run of every job, including a failed check, a failed ingest, a failed training set and a
    killed materialization."""
    root = tmp_path_factory.mktemp("ol")
    subprocess.run([strata_binary(), "init", "proj"], cwd=root, check=True, capture_output=True)
    p = root / "proj"
    run(p, "apply", "-m", "first", "--author", "test")
    run(p, "ingest")
    run(p, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity", "--out", "train.csv")
    run(p, "historical", "--entities", "featuresets/data/driver_spine.csv", "--features", "driver_stats:conv_rate,driver_stats:trips_band",
        "--out", "train.db", "--include-status")
    assert run(p, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activty", "--out", "typo.csv",
               check=False).returncode != 0
    run(p, "materialize", "--end", "2026-03-02T10:00:00Z")
    run(p, "get", "--service", "driver_activity", "--key", "driver_id=1024", "--at", "2026-03-02T12:00:00Z")
    assert run(p, "check", "--logs", "--max-mismatch", "0", check=False).returncode == 1
    run(p, "check", "--snapshot", "--at", "2026-03-02T12:00:00Z", "--sample", "3")
    (p / "rows.jsonl").write_text(json.dumps({"driver_id": 1024, "event_timestamp": "2026-03-03T00:00:00Z", "created": "2026-03-03T00:00:00Z",
                                              "conv_rate": 0.5, "acc_rate": 0.5, "avg_daily_trips": 10, "rating": 4.9, "city": "Lisbon"}) + "\n")
    run(p, "push", "driver_stats", "--file", "rows.jsonl")
    csv = p / "featuresets" / "data" / "driver_stats.csv"
    original = csv.read_text()
    csv.write_text(original + "1001,oops\n")
    assert run(p, "ingest", "--strict", check=False).returncode == 1
    csv.write_text(original)
    killed = run(p, "materialize", "driver_stats", "--end", "2026-03-03T01:00:00Z", env={"STRATA_FAULT_AFTER_ROWS": "1"}, check=False)
    assert killed.returncode != 0
    return p


@pytest.fixture(scope="module")
def events(project: Path) -> list[dict]:
    return export(project)


@pytest.fixture(scope="module")
def tables(project: Path) -> dict[str, str]:
    """The applied revision's stored tables by kind (`source`, `features`) for the example's driver_stats, as `strata storage` lists
    them: storage is named by what decides its contents, not by registry version."""
    listed = json.loads(run(project, "storage", "--json").stdout)["tables"]
    current = {(t["kind"], t["object"]): t["table"] for t in listed if t["isCurrent"]}
    return {"source": current[("source", "driver_stats_source")], "features": current[("features", "driver_stats")]}


def schema_registry() -> Registry:
    schemas = [json.loads(path.read_text()) for path in [FIXTURES / "OpenLineage.json", *sorted((FIXTURES / "facets").glob("*.json"))]]
    return Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas)


def facet_containers(event: dict):
    """(where, {facet name: facet}) for every facet map in an event."""
    yield "run", event["run"].get("facets", {})
    yield "job", event["job"].get("facets", {})
    for side in ("inputs", "outputs"):
        for dataset in event[side]:
            for key in ("facets", "inputFacets", "outputFacets"):
                if key in dataset:
                    yield f"{side}:{dataset['name']}:{key}", dataset[key]


def test_every_event_validates_against_the_openlineage_schema(events: list[dict]) -> None:
    registry = schema_registry()
    core = json.loads((FIXTURES / "OpenLineage.json").read_text())
    validator = Draft202012Validator(core, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert events
    for event in events:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(event)]
        assert not errors, f"{event['eventType']} {event['job']['name']}: {errors}"
        assert uuid.UUID(event["run"]["runId"]).version == 5
        assert datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00")).tzinfo is not None
        assert event["schemaURL"] == "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
        assert urlparse(event["producer"]).scheme == "https"


def test_every_facet_validates_against_the_schema_its_schema_url_names(events: list[dict]) -> None:
    registry = schema_registry()
    by_key = {}
    for path in (FIXTURES / "facets").glob("*.json"):
        schema = json.loads(path.read_text())
        for key in schema.get("properties", {}):
            by_key[key] = schema
    seen = set()
    for event in events:
        for where, facets in facet_containers(event):
            for name, facet in facets.items():
                seen.add(name)
                assert name in by_key, f"{where}: facet `{name}` has no committed schema"
                assert facet["_schemaURL"].startswith(by_key[name]["$id"] + "#/$defs/"), f"{where}: {name} names {facet['_schemaURL']}"
                assert urlparse(facet["_producer"]).scheme == "https"
                for schema in ({"$ref": facet["_schemaURL"]}, by_key[name]):
                    document = facet if "$ref" in schema else {name: facet}
                    errors = [e.message for e in Draft202012Validator(schema, registry=registry).iter_errors(document)]
                    assert not errors, f"{where}: {name}: {errors}"
    assert seen == {"processing_engine", "errorMessage", "jobType", "schema", "dataSource", "documentation", "columnLineage",
                    "outputStatistics", "inputStatistics", "dataQualityAssertions"}


def test_every_job_kind_and_outcome_is_exported(events: list[dict]) -> None:
    outcomes = {(e["job"]["name"].split(".")[0], e["eventType"]) for e in events}
    assert outcomes == {("ingest", "START"), ("ingest", "COMPLETE"), ("ingest", "FAIL"), ("push", "START"), ("push", "COMPLETE"),
                        ("materialize", "START"), ("materialize", "COMPLETE"), ("historical", "START"), ("historical", "COMPLETE"),
                        ("historical", "FAIL"), ("check", "START"), ("check", "COMPLETE"), ("check", "FAIL")}
    by_run: dict[str, list[str]] = {}
    for e in events:
        by_run.setdefault(e["run"]["runId"], []).append(e["eventType"])
    assert all(types[0] == "START" for types in by_run.values())
    assert sorted(len(types) for types in by_run.values()).count(1) == 1, "only the killed materialization has no end"
    times = [e["eventTime"] for e in events]
    assert times == sorted(times)
    failed_ingest = next(e for e in events if e["eventType"] == "FAIL" and e["job"]["name"].startswith("ingest."))
    assert failed_ingest["run"]["facets"]["errorMessage"]["message"].startswith("row rejected in --strict mode")
    failed_set = next(e for e in events if e["eventType"] == "FAIL" and e["job"]["name"] == "historical.typo.csv")
    assert "driver_activty" in failed_set["run"]["facets"]["errorMessage"]["message"]
    failed_check = next(e for e in events if e["eventType"] == "FAIL" and e["job"]["name"] == "check.logs")
    assert "over the mismatch threshold 0.0" in failed_check["run"]["facets"]["errorMessage"]["message"]


def test_events_load_into_openlineage_python_models_and_serialize_back_unchanged(events: list[dict]) -> None:
    for event in events:
        model = openlineage_models.run_event(event)
        assert openlineage_models.without_empty(Serde.to_dict(model)) == openlineage_models.without_empty(event)


def test_run_ids_are_stable_version_5_uuids_of_the_run(project: Path, events: list[dict]) -> None:
    assert export(project) == events
    namespace = events[0]["job"]["namespace"]
    assert namespace == f"strata://{socket.gethostname()}{project.resolve()}"
    first_ingest = events[0]
    assert first_ingest["job"]["name"] == "ingest.driver_stats_source"
    assert first_ingest["run"]["runId"] == str(uuid.uuid5(RUN_NAMESPACE, f"{namespace}/ingest/1"))
    renamed = export(project, "--namespace", "team-features")
    assert {e["job"]["namespace"] for e in renamed} == {"team-features"}
    assert renamed[0]["run"]["runId"] == str(uuid.uuid5(RUN_NAMESPACE, "team-features/ingest/1"))


def test_datasets_are_named_by_where_they_live(project: Path, events: list[dict], tables: dict[str, str]) -> None:
    host = socket.gethostname()
    root = project.resolve()
    names = {(d["namespace"], d["name"]) for e in events for side in ("inputs", "outputs") for d in e[side]}
    assert (f"file://{host}", f"{root}/featuresets/data/driver_stats.csv") in names
    assert (f"file://{host}", f"{root}/featuresets/data/driver_spine.csv") in names
    assert (f"file://{host}", f"{root}/train.csv") in names
    assert (f"sqlite://{host}{root}/train.db", "training_set") in names
    assert (f"sqlite://{host}{root}/.strata/offline.db", tables["source"]) in names
    assert (f"sqlite://{host}{root}/.strata/offline.db", tables["features"]) in names
    assert (f"lmdb://{host}{root}/.strata/online", tables["features"]) in names
    assert (f"sqlite://{host}{root}/.strata/feature_log.db", "feature_log") in names
    assert (f"strata://{host}{root}", "push/driver_stats_source") in names


def lineage_of(events: list[dict], namespace_prefix: str, name: str) -> dict[str, list[tuple[str, str, str]]]:
    for e in events:
        for d in e["outputs"]:
            if d["namespace"].startswith(namespace_prefix) and d["name"] == name and "columnLineage" in d.get("facets", {}):
                return {out: [(i["name"], i["field"], "/".join(filter(None, (i["transformations"][0]["type"], i["transformations"][0].get("subtype")))))
                              for i in f["inputFields"]]
                        for out, f in d["facets"]["columnLineage"]["fields"].items()}
    raise AssertionError(f"no output {name} under {namespace_prefix}")


def test_column_lineage_names_the_source_columns_of_every_feature(events: list[dict], tables: dict[str, str]) -> None:
    src, table = tables["source"], tables["features"]
    view = lineage_of(events, "sqlite://", table)
    assert view["conv_x_acc"] == [(src, "conv_rate", "DIRECT/TRANSFORMATION"), (src, "acc_rate", "DIRECT/TRANSFORMATION")]
    assert view["is_top_rated"] == [(src, "rating", "DIRECT/TRANSFORMATION")]
    assert view["trips_band"] == [(src, "avg_daily_trips", "INDIRECT/CONDITIONAL")]
    assert view["stat_hour"] == [(src, "strata_event_ts", "DIRECT/TRANSFORMATION")]
    for identity in ("conv_rate", "acc_rate", "avg_daily_trips", "rating", "city"):
        assert view[identity] == [(src, identity, "DIRECT/IDENTITY")]
    online = lineage_of(events, "lmdb://", table)
    assert online["conv_x_acc"] == [(table, "conv_x_acc", "DIRECT/IDENTITY")]
    source_table = lineage_of(events, "sqlite://", src)
    assert source_table["conv_rate"][0][1:] == ("conv_rate", "DIRECT/IDENTITY")
    training = lineage_of(events, "file://", next(d["name"] for e in events for d in e["outputs"] if d["name"].endswith("/train.csv")))
    assert training["driver_stats__conv_x_acc"] == [(table, "conv_x_acc", "DIRECT/IDENTITY")]
    assert training["driver_id"][0][1:] == ("driver_id", "DIRECT/IDENTITY")
    with_status = lineage_of(events, "sqlite://", "training_set")
    assert with_status["driver_stats__status"] == [(table, "event_ts", "DIRECT/TRANSFORMATION")]


def test_since_and_job_filter_the_export(project: Path, events: list[dict]) -> None:
    assert {e["job"]["name"].split(".")[0] for e in export(project, "--job", "push", "--job", "check")} == {"push", "check"}
    middle = events[len(events) // 2]["eventTime"]
    assert export(project, "--since", middle) == [e for e in events if e["eventTime"] >= middle]
    bad = run(project, "lineage", "--export", "openlineage", "--job", "train", check=False)
    assert bad.returncode == 64 and "--job must be one of ingest, materialize, push, historical, check" in bad.stderr


class Receiver:
    """A real OpenLineage HTTP endpoint on loopback that answers with scripted statuses and records what it got."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[str, str | None, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if receiver.statuses else 201
                if status < 300:
                    receiver.requests.append((self.path, self.headers.get("Authorization"), json.loads(body)))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"" if status < 300 else b"{\"error\": \"scripted failure\"}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_emit_retries_a_server_error_and_delivers_every_event_in_order(project: Path, events: list[dict]) -> None:
    with Receiver([500, 503]) as receiver:
        result = run(project, "lineage", "--export", "openlineage", "--emit", receiver.url, env={"OPENLINEAGE_API_KEY": "k3y"})
    assert result.stdout.strip() == f"sent {len(events)} events to {receiver.url}/api/v1/lineage"
    assert [body for _, _, body in receiver.requests] == events
    assert {(path, auth) for path, auth, _ in receiver.requests} == {("/api/v1/lineage", "Bearer k3y")}


def test_emit_reports_an_endpoint_that_keeps_failing(project: Path) -> None:
    with Receiver([500] * 10) as receiver:
        result = run(project, "lineage", "--export", "openlineage", "--emit", receiver.url + "/api/v1/lineage", "--token", "t", check=False)
    assert result.returncode == 1
    assert re.search(r"answered HTTP 500 to event 1 of \d+ \(after 3 attempts\): \{\"error\": \"scripted failure\"\}; 0 sent", result.stderr), result.stderr
    assert receiver.requests == []


def test_emit_does_not_retry_a_rejected_event(project: Path) -> None:
    with Receiver([201, 401]) as receiver:
        result = run(project, "lineage", "--export", "openlineage", "--job", "push", "--emit", receiver.url, check=False)
    assert result.returncode == 1
    assert "answered HTTP 401 to event 2 of 2 (after 1 attempt)" in result.stderr and "1 sent" in result.stderr
    assert "fix: pass the server's API key with --token or OPENLINEAGE_API_KEY" in result.stderr
    assert len(receiver.requests) == 1


def test_emit_reports_an_unreachable_endpoint(project: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run(project, "lineage", "--export", "openlineage", "--emit", f"http://127.0.0.1:{port}", check=False)
    assert result.returncode == 1
    assert f"cannot reach http://127.0.0.1:{port}/api/v1/lineage to send event 1 of" in result.stderr, result.stderr
    assert run(project, "lineage", "--export", "openlineage", "--emit", "ftp://x", check=False).returncode == 64


def test_server_route_serves_the_same_events_behind_the_token(project: Path, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    server = subprocess.Popen([strata_binary(), "serve", "--port", "0", "--token-file", str(token)], cwd=project,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = None
        while base is None:
            ready, _, _ = select.select([server.stdout], [], [], 60)
            line = server.stdout.readline() if ready else ""
            assert line, "the server did not start"
            found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
            base = found.group(1) if found else None

        def get(path: str, token_value: str | None) -> tuple[int, str]:
            request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token_value}"} if token_value else {})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        assert get("/v1/lineage/openlineage", None)[0] == 401
        status, body = get("/v1/lineage/openlineage", "s3cret")
        assert status == 200
        assert [json.loads(line) for line in body.splitlines()] == export(project)
        status, body = get("/v1/lineage/openlineage?job=historical", "s3cret")
        assert [json.loads(line) for line in body.splitlines()] == export(project, "--job", "historical")
    finally:
        server.terminate()
        server.wait(timeout=30)
