"""Shared by the client tests: the built binary (STRATA_BIN), the example project made ready, and a real server on port 0."""
from __future__ import annotations

import os
import re
import select
import subprocess
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

MATERIALIZE_END = "2026-03-03T00:00:00Z"


def strata_binary() -> str:
    path = os.environ.get("STRATA_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"STRATA_BIN must name the built strata binary (got {path!r}): run `make test`, or "
                    "`swift build --product strata` and STRATA_BIN=.build/debug/strata", pytrace=False)
    return path


def run(project: Path, *args: str, check: bool = True, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    done = subprocess.run([strata_binary(), *args], cwd=project, capture_output=True, input=stdin)
    if check and done.returncode != 0:
        raise AssertionError(f"strata {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")
    return done


def example_project(folder: Path) -> Path:
    """`strata init` + apply + ingest + materialize: the README's example project, ready to serve."""
    run(folder, "init", "demo")
    project = folder / "demo"
    run(project, "apply")
    run(project, "ingest")
    run(project, "materialize", "--end", MATERIALIZE_END)
    return project


class Server:
    """`strata serve --port 0` on a project; `url` is where it listens."""

    def __init__(self, project: Path, *extra: str) -> None:
        self.process = subprocess.Popen([strata_binary(), "serve", "--port", "0", *extra], cwd=project,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = ""
        while not self.url:
            ready, _, _ = select.select([self.process.stdout], [], [], 60)
            line = self.process.stdout.readline() if ready else ""
            if not line:
                self.stop()
                raise AssertionError(f"the server did not start: {self.process.stderr.read()}")
            found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
            self.url = found.group(1) if found else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serving(project: Path, *extra: str) -> Iterator[Server]:
    server = Server(project, *extra)
    try:
        yield server
    finally:
        server.stop()
