"""Helpers shared by the benchmark scripts: measured child processes, generated projects, result files."""
import json
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, ".."))
OUT = os.path.join(HERE, "out")
STRATA = os.environ.get("STRATA_BIN") or os.path.join(ROOT, ".build", "release", "strata")


def run_measured(cmd, cwd=None, env=None):
    """Runs `cmd` to completion; returns (wall seconds, peak RSS MiB, stdout). Exits the benchmark when it fails."""
    wall, usage, stdout = run_with_usage(cmd, cwd, env)
    return wall, usage.ru_maxrss / 1024, stdout


def run_with_usage(cmd, cwd=None, env=None):
    """Runs `cmd` to completion; returns (wall seconds, its rusage, stdout). Exits the benchmark when it fails."""
    import time
    stdout_path = os.path.join(OUT, f".stdout-{os.getpid()}")
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            if cwd:
                os.chdir(cwd)
            out = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(out, 1)
            os.dup2(devnull, 2)
            os.execvpe(cmd[0], cmd, env or os.environ)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    with open(stdout_path) as fh:
        stdout = fh.read()
    os.unlink(stdout_path)
    if status != 0:
        sys.exit(f"command failed (status {status}): {' '.join(cmd)}\n{stdout[-2000:]}")
    return wall, usage, stdout


def median_of(runs, fn):
    """Calls fn() `runs` times; returns the median of each position of its tuple results."""
    results = [fn() for _ in range(runs)]
    return tuple(statistics.median(r[i] for r in results) for i in range(len(results[0])))


def project(scale, shape):
    """The generated project for a scale and shape (generated once, then reused), with its .strata state removed."""
    path = os.path.join(OUT, f"drivers-s{scale}-{shape}")
    if not os.path.exists(os.path.join(path, "featuresets", "data", "driver_spine.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), path, "--scale", str(scale), "--shape", shape], check=True)
    return path


def fresh_state(path):
    shutil.rmtree(os.path.join(path, ".strata"), ignore_errors=True)


def save(area, scale, results):
    """Writes one area's results as JSON for report.py."""
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f"results-{area}-s{scale}.json"), "w") as fh:
        json.dump(results, fh, indent=1)


def machine():
    cores = os.cpu_count()
    with open("/proc/meminfo") as fh:
        total_kib = int(fh.readline().split()[1])
    return f"{cores} cores, {total_kib / 1024 / 1024:.0f} GiB, shared with other builds"
