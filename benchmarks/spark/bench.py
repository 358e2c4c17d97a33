"""Spark engine benchmark: `strata historical --service driver_everything` (9 row features, 4 of them expressions, 100k
spine rows per SCALE) on the SQLite engine and on Spark local[2], whole commands, same run, same data, answers compared
byte for byte; then where Spark's time goes (publishing source rows to the warehouse, session start, the join, reading
the answer back), from the progress lines the binary prints with STRATA_PROGRESS=1.

Ingest on a Spark project is the SQLite ingest (validation, quarantine, lineage) followed by publishing the accepted rows
to the Parquet warehouse, which the first `historical` after an ingest does: its cost is the "publish" figure.

.venv/bin/python benchmarks/spark/bench.py [--scales 1,10] [--runs 2]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import STRATA, fresh_state, machine, project, run_measured, save  # noqa: E402

HIST = ["historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_everything"]


def spark_yaml(path, master):
    with open(os.path.join(path, "strata.yaml"), "w") as fh:
        fh.write(f'offline:\n  engine: spark\n  spark:\n    master: "{master}"\n    python: "{sys.executable}"\n'
                 "    conf: {spark.driver.memory: 4g}\n")


def timed_spark(path, args):
    """(wall s, {phase: s}) of one Spark-engine command, phases parsed from its progress lines."""
    start = time.perf_counter()
    done = subprocess.run([STRATA] + args, cwd=path, capture_output=True, text=True, env=dict(os.environ, STRATA_PROGRESS="1"))
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"strata {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    phases = {}
    for line in done.stderr.splitlines():
        if m := re.search(r"published (\d+) new rows .* in ([\d.]+) s", line):
            phases["publish_s"] = phases.get("publish_s", 0) + float(m.group(2))
            phases["published_rows"] = phases.get("published_rows", 0) + int(m.group(1))
        elif m := re.search(r"Spark .* ready in ([\d.]+) s", line):
            phases["session_s"] = float(m.group(1))
        elif m := re.search(r"view \d+/\d+ .*: done in ([\d.]+) s", line):
            phases["join_s"] = phases.get("join_s", 0) + float(m.group(1))
        elif m := re.search(r"Spark job finished in ([\d.]+) s", line):
            phases["job_s"] = float(m.group(1))
        elif m := re.search(r"read Spark's answer .* in ([\d.]+) s", line):
            phases["read_answer_s"] = float(m.group(1))
    return wall, phases


def same_bytes(a, b):
    with open(a, "rb") as x, open(b, "rb") as y:
        return x.read() == y.read()


def scale_results(scale, runs, master):
    path = project(scale, "time")
    fresh_state(path)
    settings = os.path.join(path, "strata.yaml")
    if os.path.exists(settings):
        os.unlink(settings)
    with open(os.path.join(path, "featuresets", "data", "driver_stats.csv")) as fh:
        rows = sum(1 for _ in fh) - 1
    with open(os.path.join(path, "featuresets", "data", "driver_spine.csv")) as fh:
        spine = sum(1 for _ in fh) - 1
    run_measured([STRATA, "apply"], cwd=path)
    r = {"rows": rows, "spine_rows": spine}
    r["ingest_s"], r["ingest_mib"], _ = run_measured([STRATA, "ingest"], cwd=path)
    for mode, extra in (("known", []), ("latest", ["--corrections", "latest"])):
        walls = [run_measured([STRATA] + HIST + extra + ["--out", f"sqlite_{mode}.csv"], cwd=path)[0] for _ in range(runs)]
        r[f"sqlite_{mode}_s"] = min(walls)
    spark_yaml(path, master)
    shutil.rmtree(os.path.join(path, ".strata", "warehouse"), ignore_errors=True)
    r["spark_first_s"], r["spark_first_phases"] = timed_spark(path, HIST + ["--out", "spark_first.csv"])
    for mode, extra in (("known", []), ("latest", ["--corrections", "latest"])):
        best = None
        for _ in range(runs):
            wall, phases = timed_spark(path, HIST + extra + ["--out", f"spark_{mode}.csv"])
            if best is None or wall < best[0]:
                best = (wall, phases)
        r[f"spark_{mode}_s"], r[f"spark_{mode}_phases"] = best
        r[f"check_{mode}"] = "equal" if same_bytes(os.path.join(path, f"spark_{mode}.csv"), os.path.join(path, f"sqlite_{mode}.csv")) else "DIFFER"
    os.unlink(settings)
    return r


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    for scale in [int(s) for s in args.scales.split(",")]:
        results = {"machine": machine(), "scale": scale, "runs": args.runs, "master": args.master}
        r = scale_results(scale, args.runs, args.master)
        results.update(r)
        save("spark", scale, results)
        print(f"\nSCALE={scale}: {r['rows']:,} source rows, {r['spine_rows']:,} spine rows, Spark {args.master}, best of {args.runs}")
        print(f"  ingest (SQLite, validation + quarantine + lineage): {r['ingest_s']:.2f} s ({r['rows'] / r['ingest_s']:,.0f} rows/s)")
        for mode in ("known", "latest"):
            s, k = r[f"sqlite_{mode}_s"], r[f"spark_{mode}_s"]
            p = r[f"spark_{mode}_phases"]
            print(f"  historical {mode:6}: SQLite {s:6.2f} s   Spark {k:6.2f} s ({k / s:.2f}x SQLite)   answers {r[f'check_{mode}']}")
            print(f"      Spark phases: session {p.get('session_s', 0):.1f} s, join {p.get('join_s', 0):.1f} s, "
                  f"job {p.get('job_s', 0):.1f} s, read answer {p.get('read_answer_s', 0):.2f} s")
        p = r["spark_first_phases"]
        print(f"  first Spark historical after ingest: {r['spark_first_s']:.2f} s, of which publishing "
              f"{p.get('published_rows', 0):,} rows to the warehouse {p.get('publish_s', 0):.2f} s "
              f"({p.get('published_rows', 0) / max(p.get('publish_s', 1e-9), 1e-9):,.0f} rows/s)")


if __name__ == "__main__":
    main()
