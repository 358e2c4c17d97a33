"""What each kind of definition edit costs (issue 21): `strata apply` after one edit, on the realistic 1M-row project
(time-ordered, 10k drivers interleaved, the example's driver_stats with 9 features), next to what the same change cost
before storage followed semantics, measured in this run: ingesting every source file again and materializing again.

Each edit is applied on top of the previous ones, in the order below, on one store: ingested and materialized once at
the start, with its source file then moved away (apply must never read it).

.venv/bin/python benchmarks/definitions/bench.py [--scale N]
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import OUT, STRATA, machine, project, run_with_usage, save  # noqa: E402

END = "2026-03-20T00:00:00Z"


def measure(cmd, cwd):
    """Runs `cmd`; returns (wall s, CPU s, stdout)."""
    wall, usage, stdout = run_with_usage(cmd, cwd)
    return wall, usage.ru_utime + usage.ru_stime, stdout


def edit(path, old, new):
    file = os.path.join(path, "featuresets", "drivers.yaml")
    with open(file) as fh:
        text = fh.read()
    if old not in text:
        sys.exit(f"the definitions no longer contain {old!r}")
    with open(file, "w") as fh:
        fh.write(text.replace(old, new, 1))


FEATURE_END = '        expr: "hour(event_timestamp)"\n'
EDITS = [
    ("description of a view", [("description: Hourly driver performance; older than two hours counts as stale.", "description: Hourly driver performance.")]),
    ("expectation threshold", [("acc_rate: {between: [0, 1]}", "acc_rate: {between: [0, 1.5]}")]),
    ("ttl (breaking)", [("    ttl: 2h\n", "    ttl: 3h\n")]),
    ("new expression feature", [(FEATURE_END, FEATURE_END + '      conv_pct:\n        type: float64\n        expr: "conv_rate * 100"\n')]),
    ("changed expression (breaking)", [('expr: "conv_rate * acc_rate"', 'expr: "conv_rate * acc_rate * 2"')]),
    ("new nullable column and a feature reading it", [("      city: string\n    description: Hourly", "      city: string\n      tip: float64\n    description: Hourly"),
                                                       (FEATURE_END, FEATURE_END + "      tip: float64\n")]),
    ("new view on the existing source", [("feature_services:", "  - name: driver_quality\n    entities: [driver]\n    source: driver_stats_source\n"
                                                               "    features:\n      rating: float64\n      is_good: {type: bool, expr: \"rating >= 4.5\"}\n\nfeature_services:")]),
    # The column appears twice, in the source's schema and as a view feature: both change.
    ("column type change int64 → float64 (breaking)", [("      avg_daily_trips: int64\n", "      avg_daily_trips: float64\n")] * 2),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    generated = project(args.scale, "time")
    work = os.path.join(OUT, f"definitions-s{args.scale}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "featuresets", "data"))
    shutil.copy(os.path.join(generated, "featuresets", "drivers.yaml"), os.path.join(work, "featuresets", "drivers.yaml"))
    for name in os.listdir(os.path.join(generated, "featuresets", "data")):
        os.symlink(os.path.join(generated, "featuresets", "data", name), os.path.join(work, "featuresets", "data", name))
    # The generated cities are not the example's five: without this rule 90% of the rows would be quarantined.
    edit(work, "        city: {in: [Delhi, Lisbon, Porto, São Paulo, Zürich]}\n", "")
    measure([STRATA, "apply"], work)
    ingest = measure([STRATA, "ingest"], work)
    materialize = measure([STRATA, "materialize", "--end", END], work)
    # Source files may be gone by the time definitions change: apply must not need them.
    os.rename(os.path.join(work, "featuresets", "data", "driver_stats.csv"), os.path.join(work, "driver_stats.csv.away"))
    before = ingest[0] + materialize[0]
    results = {"machine": machine(), "scale": args.scale, "ingest_s": ingest[0], "materialize_s": materialize[0], "edits": []}
    print(f"baseline, same run: ingest {ingest[0]:.2f} s (CPU {ingest[1]:.2f} s) + materialize {materialize[0]:.2f} s (CPU {materialize[1]:.2f} s)"
          f" = {before:.2f} s: what every edit cost before (re-ingest and re-materialize)")
    print(f"{'edit':<48} {'apply s':>8} {'CPU s':>7} {'vs before':>10}  what plan said")
    for label, replacements in EDITS:
        for old, new in replacements:
            edit(work, old, new)
        plan = measure([STRATA, "plan"], work)[2]
        storage = [line.strip() for line in plan.splitlines() if line.startswith("  ") and ":" in line and "`" in line and "→" not in line]
        wall, cpu, _ = measure([STRATA, "apply", "--allow-breaking", "-m", label], work)
        results["edits"].append({"edit": label, "apply_s": wall, "apply_cpu_s": cpu, "plan": storage})
        print(f"{label:<48} {wall:>8.2f} {cpu:>7.2f} {wall / before:>9.3f}x  {' | '.join(storage)[:160]}")
    save("definitions", args.scale, results)


if __name__ == "__main__":
    main()
