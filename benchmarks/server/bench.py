"""Server benchmark: wrk on loopback against `strata serve` on a generated project (10k drivers, 1M time-ordered rows,
materialized), `/get-online-features` for `driver_everything` (all nine features of the example view) with 1 and 100
random drivers per request, with and without feature logging at rate 1.0, next to the same server's `/health`.
Cases are interleaved and repeated; each figure is the median of the runs.

.venv/bin/python benchmarks/server/bench.py [--duration 5] [--runs 3] [--concurrency 16]
Load generator and server share the machine's cores: the figures are a floor, not a ceiling.
"""
import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import HERE, OUT, STRATA, machine, save  # noqa: E402

SERVICES = """feature_services:
  - name: driver_everything_logged
    features: ["driver_stats:*"]
    logging: {sample_rate: 1.0}
"""


def wrk(url, bodies, connections, duration):
    """(req/s, p50 ms, p99 ms, non-2xx) of one wrk run; `bodies` are cycled through, one per request."""
    args = ["wrk", f"-t{1 if connections == 1 else 2}", f"-c{connections}", f"-d{duration}s", "--latency"]
    script = None
    if bodies:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal bodies = {\n')
        script.write(",\n".join(json.dumps(b) for b in bodies))
        script.write("\n}\nlocal i = 0\nrequest = function()\n  i = i % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[i])\nend\n")
        script.close()
        args += ["-s", script.name]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, pct(50), pct(99), int(errors.group(1)) if errors else 0


def prepare(scale):
    """A fresh project whose data ends now (the Feast route applies the 2h TTL at the current time)."""
    path = os.path.join(OUT, f"drivers-server-s{scale}")
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), path, "--scale", str(scale), "--recent"], check=True)
    with open(os.path.join(path, "featuresets", "bench_services.yaml"), "w") as fh:
        fh.write(SERVICES)
    for cmd in (["apply"], ["ingest"], ["materialize"]):
        subprocess.run([STRATA] + cmd, cwd=path, check=True, capture_output=True)
    return path, 10_000 * scale


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", default="16")
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    path, drivers = prepare(args.scale)
    rng = random.Random(3)

    def bodies(service, entities):
        return [json.dumps({"entities": {"driver_id": [100_000 + rng.randrange(drivers) for _ in range(entities)]}, "feature_service": service})
                for _ in range(256)]
    cases = [("health", None), ("one", bodies("driver_everything", 1)), ("one_logged", bodies("driver_everything_logged", 1)),
             ("hundred", bodies("driver_everything", 100)), ("hundred_logged", bodies("driver_everything_logged", 100))]
    port = 6590
    server = subprocess.Popen([STRATA, "serve", "--port", str(port)], cwd=path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health")
            break
        except Exception:
            time.sleep(0.1)
    # A server left on the port by an earlier run would answer instead of this one (with its own data).
    assert server.poll() is None, f"strata serve exited ({server.returncode}): is port {port} taken?"
    results = {"machine": machine(), "duration_s": args.duration, "runs": args.runs, "drivers": drivers}
    print(f"wrk on loopback, {args.duration}s × {args.runs} runs per case; load generator and server share {os.cpu_count()} cores\n")
    print(f"{'case':18} {'conc':>4} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs /health':>10}")
    try:
        check = urllib.request.Request(base + "/get-online-features", data=cases[1][1][0].encode(), method="POST")
        answer = json.loads(urllib.request.urlopen(check).read())
        statuses = answer["results"][1]["statuses"]
        assert statuses == ["PRESENT"], f"benchmark keys must be fresh, got {statuses} for {cases[1][1][0]}"
        for connections in (int(c) for c in args.concurrency.split(",")):
            runs = {name: [] for name, _ in cases}
            for _ in range(args.runs):
                for name, body in cases:
                    url = base + ("/health" if body is None else "/get-online-features")
                    runs[name].append(wrk(url, body, connections, args.duration))
            for name, _ in cases:
                figures = [statistics.median(r[i] for r in runs[name]) for i in range(4)]
                results[f"c{connections}_{name}"] = {"rps": figures[0], "p50_ms": figures[1], "p99_ms": figures[2], "errors": sum(r[3] for r in runs[name])}
                health = results[f"c{connections}_health"]["rps"]
                print(f"{name:18} {connections:>4} {figures[0]:>10,.0f} {figures[1]:>8.3f} {figures[2]:>8.3f} {figures[0] / health:>9.0%}")
    finally:
        server.terminate()
        server.wait()
    save("server", args.scale, results)


if __name__ == "__main__":
    main()
