"""The README's marked shell blocks run as written on the example project, and each command exits 0.

A fenced block preceded by `<!-- readme-test -->` runs in a scratch folder shared by all such blocks (so `strata init
drivers && cd drivers` in the quickstart carries over to the next block); `<!-- readme-test: repo -->` runs its block
from the repository root. In a session block (`text`/`console`), lines starting with `$ ` are commands and the rest is
shown output; in a `sh`/`bash` block every line is a command. `strata` is the binary STRATA_BIN names. A training-set id
the README shows (they depend on when a set was made) stands for the id the run printed at the same place.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from strata_project import strata_binary

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
MARK = re.compile(r"^<!-- readme-test(?:: (\w+))? -->$")
ID = re.compile(r"\bts-[0-9a-f]{12}\b")


def marked_blocks(text: str) -> List[Tuple[str, str, List[Tuple[str, str]]]]:
    """(where, language, [(command, shown output)]) for each marked block, in README order."""
    lines = text.splitlines()
    blocks = []
    for index, line in enumerate(lines):
        mark = MARK.match(line)
        if not mark:
            continue
        fence = lines[index + 1]
        assert fence.startswith("```"), f"README line {index + 2}: a readme-test mark must stand right above a fenced block"
        language = fence[3:].strip()
        body = []
        for line in lines[index + 2:]:
            if line.startswith("```"):
                break
            body.append(line)
        blocks.append((mark.group(1) or "scratch", language, commands(language, body)))
    return blocks


def commands(language: str, body: List[str]) -> List[Tuple[str, str]]:
    """Joins `\\` continuations; in a session block, keeps each command's shown output for id matching."""
    result: List[Tuple[str, str]] = []
    session = language in ("text", "console")
    pending = ""
    for line in body:
        if session and not pending and not line.startswith("$ "):
            if result:
                result[-1] = (result[-1][0], result[-1][1] + line + "\n")
            continue
        line = line[2:] if session and not pending else line
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            result.append((command, ""))
    return result


def test_the_readme_marks_its_runnable_blocks() -> None:
    blocks = marked_blocks(README.read_text())
    assert len(blocks) >= 4, "the quickstart, the lookups, the aggregation lookups and the Python example are marked"
    assert any("train_model.py" in command for _, _, block in blocks for command, _ in block)


def test_readme_blocks_run_as_written(tmp_path: Path) -> None:
    binary = Path(strata_binary()).resolve()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "strata").symlink_to(binary)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    scratch_cwd = tmp_path / "scratch"
    scratch_cwd.mkdir()
    ids = {}
    for where, _, block in marked_blocks(README.read_text()):
        for command, shown in block:
            for shown_id, real_id in ids.items():
                command = command.replace(shown_id, real_id)
            cwd = REPO if where == "repo" else scratch_cwd
            if where == "repo":
                # As written, with the repository's relative paths; a release binary or .venv that this run did not
                # build stands in as the one it did (kept relative, which is what the example must cope with).
                relative = os.path.relpath(binary, REPO)
                command = command.replace(".build/release/strata", relative)
                if not (REPO / ".venv/bin/python").exists():
                    command = command.replace(".venv/bin/python", sys.executable)
            script = f"{command}\npwd > {tmp_path / 'cwd'}\n"
            done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, f"README command `{command}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            if where == "scratch":
                scratch_cwd = Path((tmp_path / "cwd").read_text().strip())
            for shown_id, real_id in zip(ID.findall(shown), ID.findall(done.stdout)):
                ids.setdefault(shown_id, real_id)
