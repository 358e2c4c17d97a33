"""Web UI benchmark: page time and weight of `strata serve`'s /ui on a generated registry — 1,000 feature views with
10 features each (10,000 features), one view with 200 versions, 1,000 recorded training sets — next to the same
server's /health in the same run.

Each page is requested sequentially over one keep-alive connection (warm caches, after one cold request that builds
the per-revision index); the time is the client's round trip on loopback, so it bounds the server time from above.
Search is timed on /ui/search.json (what search-as-you-type calls) and on the full results page.

.venv/bin/python benchmarks/ui/bench.py [--strata .build/release/strata] [--requests 200]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

VIEWS, FEATURES_PER_VIEW, HOT_VERSIONS, TRAINING_SETS = 1000, 10, 200, 1000


def definitions(hot_description: str, all_views: bool) -> str:
    out = ["entities:", "  - name: user", "    join_keys: {user_id: int64}", "    owner: growth@example.com", "",
           "sources:", "  - name: events", "    path: data/events.csv", "    format: csv", "    timestamp: event_ts",
           "    schema: {user_id: int64, x: float64, label: string}", "    owner: data-platform@example.com", "",
           "feature_views:",
           "  - name: hot_view", "    entities: [user]", "    source: events", f"    description: {json.dumps(hot_description)}",
           "    owner: ranking@example.com", "    tags: [hot, ranking]", "    features:"]
    out += [f"      f_{k}: {{type: float64, expr: \"x * {k + 1}\"}}" for k in range(FEATURES_PER_VIEW)]
    if all_views:
        for v in range(1, VIEWS):
            out += [f"  - name: view_{v:04d}", "    entities: [user]", "    source: events",
                    f"    description: Generated view number {v} for the UI benchmark.", f"    owner: team{v % 17}@example.com",
                    f"    tags: [generated, group{v % 23}]", "    features:"]
            out += [f"      f_{k}: {{type: float64, expr: \"x + {k}\", description: \"feature {k} of view {v}\"}}" for k in range(FEATURES_PER_VIEW)]
    out += ["", "feature_services:", "  - name: ranking", "    features: [\"hot_view:*\"]", "    owner: ranking@example.com"]
    return "\n".join(out) + "\n"


def strata(binary: str, project: str, *args: str) -> str:
    result = subprocess.run([binary, *args], cwd=project, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"strata {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def generate(binary: str, root: str) -> tuple[str, str]:
    """The project folder and one training-set id."""
    project = os.path.join(root, "proj")
    os.makedirs(os.path.join(project, "featuresets"))
    os.makedirs(os.path.join(project, "data"))
    with open(os.path.join(project, "data", "events.csv"), "w") as f:
        f.write("user_id,event_ts,x,label\n")
        for i in range(2000):
            f.write(f"{i % 100},2026-03-01T{i % 24:02d}:{i % 60:02d}:00Z,{i * 0.5},{'<b>' if i % 7 == 0 else 'ok'}\n")
    with open(os.path.join(project, "data", "spine.csv"), "w") as f:
        f.write("user_id,event_timestamp\n" + "".join(f"{i},2026-03-02T00:00:00Z\n" for i in range(100)))
    path = os.path.join(project, "featuresets", "defs.yaml")
    started = time.time()
    # 199 versions of the hot view with the small project, then the full registry as the 200th.
    for version in range(1, HOT_VERSIONS):
        with open(path, "w") as f:
            f.write(definitions(f"Hot view, revision {version}.", all_views=False))
        strata(binary, project, "apply", "-m", f"tune hot_view ({version})", "--author", f"user{version % 5}")
    with open(path, "w") as f:
        f.write(definitions(f"Hot view, revision {HOT_VERSIONS}.", all_views=True))
    strata(binary, project, "apply", "-m", "a thousand views", "--author", "bench")
    strata(binary, project, "ingest")
    strata(binary, project, "materialize", "hot_view", "--end", "2026-03-02T00:00:00Z")
    strata(binary, project, "historical", "--entities", "data/spine.csv", "--service", "ranking", "--out", "train.csv")
    # 999 more training sets: copies of the real manifest under new ids, written where `historical` records them.
    db = sqlite3.connect(os.path.join(project, ".strata", "registry.db"))
    (ts_id, created, manifest), = db.execute("SELECT id, created_at, manifest FROM training_sets").fetchall()
    body = json.loads(manifest)
    rows = []
    for n in range(1, TRAINING_SETS):
        body["id"] = f"ts-bench{n:06d}"
        rows.append((body["id"], created + n, json.dumps(body, sort_keys=True)))
    db.executemany("INSERT INTO training_sets (id, created_at, manifest) VALUES (?, ?, ?)", rows)
    db.commit()
    db.close()
    print(f"generated in {time.time() - started:.1f} s: {VIEWS} views, {VIEWS * FEATURES_PER_VIEW} features, "
          f"{HOT_VERSIONS} versions of hot_view, {TRAINING_SETS} training sets")
    return project, ts_id


def measure(port: int, path: str, requests: int) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port)

    def get() -> tuple[float, int, int]:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return (time.perf_counter() - started) * 1000, response.status, len(body)

    cold, status, size = get()
    times = []
    for _ in range(requests):
        elapsed, status, size = get()
        times.append(elapsed)
    connection.close()
    times.sort()
    return {"path": path, "status": status, "bytes": size, "cold_ms": round(cold, 2), "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strata", default=os.environ.get("STRATA_BIN", ".build/release/strata"))
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    binary = os.path.abspath(args.strata)
    with tempfile.TemporaryDirectory(prefix="strata-ui-bench-") as root:
        project, ts_id = generate(binary, root)
        server = subprocess.Popen([binary, "serve", "--port", "0"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = server.stdout.readline()
            port = int(line.strip().rsplit(":", 1)[-1])
            pages = ["/health", "/ui", "/ui?views=20", "/ui/registry", "/ui/registry?page=10", "/ui/registry?kind=feature_view",
                     "/ui/registry/feature_view/hot_view", "/ui/registry/feature_view/hot_view/diff?from=1&to=200",
                     "/ui/registry/feature_view/view_0500", "/ui/feature/view_0500/f_3", "/ui/training-sets", "/ui/training-sets?page=10",
                     f"/ui/training-sets/{ts_id}", "/ui/quality", "/ui/parity", "/ui/lookup?service=ranking&key.user_id=7",
                     "/ui/search.json?q=view_05", "/ui/search.json?q=feature%207", "/ui/registry?q=group1", "/ui/registry?q=f_3"]
            results = [measure(port, page, args.requests) for page in pages]
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"\n{'page':58} {'status':>6} {'KB':>7} {'cold ms':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for r in results:
        print(f"{r['path']:58} {r['status']:>6} {r['bytes'] / 1024:>7.1f} {r['cold_ms']:>8} {r['p50_ms']:>7} {r['p99_ms']:>7}")
    pages_only = [r for r in results if r["path"].startswith("/ui")]
    print(f"\nworst page p99 {max(r['p99_ms'] for r in pages_only)} ms (budget 50), heaviest page "
          f"{max(r['bytes'] for r in pages_only) / 1024:.1f} KB (budget 200), search p99 "
          f"{max(r['p99_ms'] for r in pages_only if 'search' in r['path'] or 'q=' in r['path'])} ms (budget 20); "
          f"/health p99 {results[0]['p99_ms']} ms in the same run. Shared 2-core machine: client and server share the cores.")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "ui.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
