"""The Spark engine end to end through the CLI: `make demo`'s flow on a project switched to `offline.engine: spark`, and
training sets equal to the SQLite engine's byte for byte (same content hash) in every mode, on local[2] and on a real
standalone cluster (a master and a worker from pyspark's own bin/spark-class, on loopback, started and stopped here)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from strata_project import run, strata_binary

REPO = Path(__file__).resolve().parents[2]


def spark_settings(master: str, python: str = sys.executable) -> str:
    return f'offline:\n  engine: spark\n  spark:\n    master: "{master}"\n    python: "{python}"\n'


def historical(project: Path, out: str, *extra: str) -> dict:
    done = run(project, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity",
               "--out", out, "--json", *extra)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spark")
    run(folder, "init", "demo")
    project = folder / "demo"
    run(project, "apply")
    run(project, "ingest")
    return project


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A standalone master and one worker on loopback; yields spark://127.0.0.1:PORT."""
    import pyspark
    home = os.path.dirname(pyspark.__file__)
    logs = tmp_path_factory.mktemp("cluster")
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    env = dict(os.environ, SPARK_HOME=home, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    spark_class = os.path.join(home, "bin", "spark-class")
    master_log, worker_log = open(logs / "master.log", "w"), open(logs / "worker.log", "w")
    master = subprocess.Popen([spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
                               "--webui-port", "0"], env=env, stdout=master_log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", "2",
                               "--memory", "2g", "--webui-port", "0", "--work-dir", str(logs / "work")],
                              env=env, stdout=worker_log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while "Successfully registered with master" not in (logs / "worker.log").read_text():
            assert time.time() < deadline and worker.poll() is None and master.poll() is None, (logs / "worker.log").read_text()[-2000:]
            time.sleep(0.25)
        yield url
    finally:
        for process in (worker, master):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        master_log.close()
        worker_log.close()


def test_training_sets_equal_the_sqlite_engine_in_every_mode(project: Path) -> None:
    modes = [("known.csv", ["--include-status"]), ("latest.csv", ["--corrections", "latest"]),
             ("strict-asof.parquet", ["--strict", "--as-of", "2026-03-02T12:00:00Z"])]
    settings = project / "strata.yaml"
    settings.unlink(missing_ok=True)
    expected = {out: historical(project, "sqlite-" + out, *extra) for out, extra in modes}
    settings.write_text(spark_settings("local[2]"))
    try:
        for out, extra in modes:
            manifest = historical(project, "spark-" + out, *extra)
            assert manifest["engine"] == "spark (local[2])"
            assert manifest["output"]["contentSHA256"] == expected[out]["output"]["contentSHA256"], out
            assert (project / ("spark-" + out)).read_bytes() == (project / ("sqlite-" + out)).read_bytes(), out
            assert manifest["views"][0]["statusCounts"] == expected[out]["views"][0]["statusCounts"]
        # The warehouse holds the source rows by event day, with the ledger of what is published.
        warehouse = project / ".strata" / "warehouse"
        tables = [p for p in warehouse.iterdir() if not p.name.startswith("_")]
        assert tables and all((t / "_strata_exported").exists() for t in tables)
        assert any(p.name.startswith("event_day=") for t in tables for p in t.iterdir())
    finally:
        settings.unlink(missing_ok=True)


def test_a_standalone_cluster_gives_the_same_training_set(project: Path, standalone: str) -> None:
    settings = project / "strata.yaml"
    expected = historical(project, "sqlite-cluster.csv", "--include-status")
    settings.write_text(spark_settings(standalone))
    try:
        manifest = historical(project, "cluster.csv", "--include-status")
        assert manifest["engine"] == f"spark ({standalone})"
        assert (project / "cluster.csv").read_bytes() == (project / "sqlite-cluster.csv").read_bytes()
        assert manifest["output"]["contentSHA256"] == expected["output"]["contentSHA256"]
    finally:
        settings.unlink(missing_ok=True)


def test_a_python_without_pyspark_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    settings = project / "strata.yaml"
    settings.write_text(spark_settings("local[2]", python="/usr/bin/python3" if shutil.which("python3") else "python3"))
    try:
        done = run(project, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity",
                   "--out", str(tmp_path / "x.csv"), check=False)
        assert done.returncode != 0
        err = done.stderr.decode()
        assert "has no pyspark" in err and "offline.spark.python" in err, err
        assert not (tmp_path / "x.csv").exists()
        settings.write_text(spark_settings("local[2]", python="/nonexistent/python"))
        done = run(project, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity",
                   "--out", str(tmp_path / "x.csv"), check=False)
        assert done.returncode != 0 and "cannot run the Python for Spark" in done.stderr.decode(), done.stderr.decode()
        settings.write_text('offline:\n  engine: sparc\n')
        done = run(project, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity",
                   "--out", str(tmp_path / "x.csv"), check=False)
        assert done.returncode != 0 and "strata.yaml:2" in done.stderr.decode() and "`sqlite` or `spark`" in done.stderr.decode(), done.stderr.decode()
    finally:
        settings.unlink(missing_ok=True)


def test_a_source_with_nothing_ingested_answers_not_found(tmp_path: Path) -> None:
    """Before any ingest the warehouse has nothing to publish: Spark joins an empty table, and every row is not_found,
    as on SQLite."""
    run(tmp_path, "init", "empty")
    project = tmp_path / "empty"
    run(project, "apply")
    (project / "strata.yaml").write_text(spark_settings("local[2]"))
    manifest = historical(project, "empty.csv", "--include-status")
    assert manifest["views"][0]["statusCounts"] == {"not_found": manifest["rowCount"]}
    assert manifest["rowCount"] > 0


def test_the_demo_flow_runs_on_spark(tmp_path: Path) -> None:
    """`make demo ENGINE=spark`: every step of the demo, with training sets (and their reproduction) from Spark."""
    env = dict(os.environ, DEMO_DIR=str(tmp_path / "demo"), STRATA=strata_binary(), ENGINE="spark", SPARK_PYTHON=sys.executable,
               PORT=str(free_port()))
    done = subprocess.run(["bash", str(REPO / "docs" / "demo.sh")], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "engine: spark (local[2])" in done.stdout
    assert "identical to the original" in done.stdout


def test_definition_edits_and_a_damaged_warehouse_keep_spark_equal_to_sqlite(tmp_path: Path) -> None:
    """An applied edit (a feature's expression and a description) is computed by Spark as by SQLite, from the source
    rows already published; a published file deleted by hand is noticed, the table published again whole with a
    warning, and the answer is unchanged."""
    run(tmp_path, "init", "edits")
    project = tmp_path / "edits"
    run(project, "apply")
    run(project, "ingest")
    settings = project / "strata.yaml"
    settings.write_text(spark_settings("local[2]"))
    historical(project, "before.csv", "--include-status")
    definitions = project / "featuresets" / "drivers.yaml"
    text = definitions.read_text()
    edited = text.replace('expr: "conv_rate * acc_rate"', 'expr: "round(conv_rate * acc_rate * 100, 2)"').replace(
        "description: Hourly driver performance;", "description: Hourly driver performance, edited;")
    assert edited != text
    definitions.write_text(edited)
    run(project, "apply", "--allow-breaking")
    # The damage: one published file of the source table deleted by hand.
    warehouse = project / ".strata" / "warehouse"
    published = sorted(p for t in warehouse.iterdir() if not t.name.startswith("_") for p in t.glob("event_day=*/rows-*.parquet"))
    assert published
    published[0].unlink()
    done = run(project, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity",
               "--out", "spark-edited.csv", "--include-status", "--json")
    spark = json.loads(done.stdout)
    assert "did not match its ledger" in done.stderr.decode() and "is missing" in done.stderr.decode(), done.stderr.decode()
    settings.unlink()
    sqlite = historical(project, "sqlite-edited.csv", "--include-status")
    assert (project / "spark-edited.csv").read_bytes() == (project / "sqlite-edited.csv").read_bytes()
    assert spark["output"]["contentSHA256"] == sqlite["output"]["contentSHA256"]
    assert (project / "spark-edited.csv").read_bytes() != (project / "before.csv").read_bytes(), "the edited expression changed nothing"
