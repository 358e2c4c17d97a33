"""examples/train_model.py runs end to end, locally and against a real server, and scores every driver it asks for."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from strata_project import example_project, serving, strata_binary

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "train_model.py"


def run_example(*args: str) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True, text=True,
                          env=dict(os.environ, STRATA_BIN=strata_binary()), timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def check_output(out: str) -> None:
    assert re.search(r"training set ts-[0-9a-f]+: 201 rows, 5 features", out), out
    accuracy = float(re.search(r"training accuracy (\d\.\d+)", out).group(1))
    assert 0.0 <= accuracy <= 1.0
    scores = re.findall(r"driver \d+: completion probability (\d\.\d+) \(5/5 features present\)", out)
    assert len(scores) == 5, out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_project(tmp_path_factory.mktemp("example"))


def test_train_model_runs_on_a_local_project(project: Path) -> None:
    check_output(run_example("--project", str(project)))


def test_train_model_runs_against_a_server(project: Path) -> None:
    for server in serving(project):
        check_output(run_example("--url", server.url, "--spine", str(project / "featuresets/data/driver_spine.csv")))
