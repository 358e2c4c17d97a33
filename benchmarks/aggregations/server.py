"""HTTP benchmark for aggregations: wrk on loopback against `strata serve` on the aggregation benchmark's data
(10k keys, 1M time-ordered events, materialized at the end of the data), native `POST /v1/features` for one entity
at that instant: the ten aggregations of view `windows` folded at request time, next to the row feature of view
`last_trip` (same server, same keys, same run) and `/health`. Cases are interleaved and repeated; each figure is the
median of the runs. Target (issue 13): aggregations ≥ 80% of the row-feature lookup's throughput.

.venv/bin/python benchmarks/aggregations/server.py [--duration 5] [--runs 3] [--concurrency 16]
Load generator and server share the machine's cores: the figures are a floor, not a ceiling.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
from common import STRATA, machine, save  # noqa: E402
from bench import wrk  # noqa: E402  (benchmarks/server/bench.py)

END = "2026-03-31T00:00:00Z"  # the generator's last day ends here (online.py requests at the same instant)
AGGREGATIONS = ["trips_1h", "fare_sum_1h", "fare_avg_1h", "trips_24h", "fare_sum_24h", "fare_avg_24h", "trips_7d", "fare_sum_7d",
                "fare_avg_7d", "riders_7d"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", default="16")
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    data = os.path.join(HERE, "..", "out", f"aggregations-online-s{args.scale}")
    if not os.path.exists(os.path.join(data, "events.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), data, "--scale", str(args.scale), "--row-view"], check=True)
    shutil.rmtree(os.path.join(data, ".strata"), ignore_errors=True)
    for cmd in (["apply"], ["ingest"], ["materialize", "--end", END]):
        subprocess.run([STRATA] + cmd, cwd=data, check=True, capture_output=True)
    keys = 10_000 * args.scale
    rng = random.Random(3)

    def bodies(features):
        return [json.dumps({"features": features, "entities": [{"entity_id": rng.randrange(keys)}], "at": END}) for _ in range(256)]
    cases = [("health", None), ("row_feature", bodies(["last_trip:fare"])), ("aggregations", bodies([f"windows:{a}" for a in AGGREGATIONS]))]
    port = 6591
    server = subprocess.Popen([STRATA, "serve", "--port", str(port)], cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health")
                break
            except Exception:
                time.sleep(0.1)
        for name, body in cases[1:]:
            check = urllib.request.Request(base + "/v1/features", data=body[0].encode(), method="POST", headers={"Content-Type": "application/json"})
            answer = urllib.request.urlopen(check).read().decode()
            assert "present" in answer.lower(), f"{name}: benchmark keys must be present, got {answer[:300]}"
        results = {"machine": machine(), "duration_s": args.duration, "runs": args.runs, "keys": keys}
        print(f"wrk on loopback, {args.duration}s × {args.runs} runs per case; load generator and server share {os.cpu_count()} cores\n")
        print(f"{'case':14} {'conc':>4} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs row':>7}")
        for connections in (int(c) for c in args.concurrency.split(",")):
            runs = {name: [] for name, _ in cases}
            for _ in range(args.runs):
                for name, body in cases:
                    url = base + ("/health" if body is None else "/v1/features")
                    runs[name].append(wrk(url, body, connections, args.duration))
            for name, _ in cases:
                figures = [statistics.median(r[i] for r in runs[name]) for i in range(4)]
                results[f"c{connections}_{name}"] = {"rps": figures[0], "p50_ms": figures[1], "p99_ms": figures[2], "errors": sum(r[3] for r in runs[name])}
            row = results[f"c{connections}_row_feature"]["rps"]
            for name, _ in cases:
                r = results[f"c{connections}_{name}"]
                print(f"{name:14} {connections:>4} {r['rps']:>10,.0f} {r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} {r['rps'] / row:>6.0%}")
            agg = results[f"c{connections}_aggregations"]["rps"]
            print(f"\nratio aggregations / row feature, 1 entity, c{connections}: {agg / row:.2f}  (target >= 0.80)")
    finally:
        server.terminate()
        server.wait()
    save("aggregations-server", args.scale, results)


if __name__ == "__main__":
    main()
