"""Server benchmark: wrk on loopback against `strata serve` — /get-online-features with 1 and 100 entities, with and
without feature logging, at concurrency 1, 16 and 64 — next to the same server's /health as the framework's ceiling.

python3 benchmarks/server/bench.py [--strata PATH] [--duration 15]
Load generator and server share the machine's cores: the figures are a floor, not a ceiling.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def wrk(url, body, connections, duration):
    script = None
    args = ["wrk", f"-t{1 if connections == 1 else 2}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if body is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ' + json.dumps(body) + "\n")
        script.close()
        args += ["-s", script.name]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, pct(50), pct(99), int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", default=os.path.join(HERE, "..", "..", ".build", "release", "strata"))
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()
    strata = os.path.abspath(args.strata)
    project = tempfile.mkdtemp(prefix="strata-server-bench-")
    subprocess.run([strata, "init", project], check=True, capture_output=True)
    # A second service without logging, to measure what logging costs.
    with open(os.path.join(project, "featuresets", "nolog.yaml"), "w") as f:
        f.write("feature_services:\n  - name: driver_activity_nolog\n    features: [driver_stats:conv_rate, driver_stats:acc_rate, driver_stats:avg_daily_trips, driver_stats:conv_x_acc, driver_stats:is_top_rated]\n")
    for cmd in (["apply"], ["ingest"], ["materialize"]):
        subprocess.run([strata] + cmd, cwd=project, check=True, capture_output=True)
    port = 6590
    # Output goes nowhere: an unread pipe would fill up and stall the server mid-benchmark.
    server = subprocess.Popen([strata, "serve", "--port", str(port)], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health")
            break
        except Exception:
            time.sleep(0.1)
    drivers = list(range(1001, 1041))
    one = {"entities": {"driver_id": [1001]}, "feature_service": "driver_activity_nolog"}
    hundred = {"entities": {"driver_id": [drivers[i % 40] for i in range(100)]}, "feature_service": "driver_activity_nolog"}
    one_logged = {"entities": {"driver_id": [1001]}, "feature_service": "driver_activity"}
    print(f"wrk on loopback, {args.duration}s per run; load generator and server share {os.cpu_count()} cores\n")
    print(f"{'case':34} {'conc':>4} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'vs /health':>10}")
    try:
        for connections in (1, 16, 64):
            ceiling = wrk(base + "/health", None, connections, args.duration)
            rows = [("GET /health (ceiling)", ceiling),
                    ("1 entity", wrk(base + "/get-online-features", json.dumps(one), connections, args.duration)),
                    ("1 entity, logging at rate 1.0", wrk(base + "/get-online-features", json.dumps(one_logged), connections, args.duration)),
                    ("100 entities", wrk(base + "/get-online-features", json.dumps(hundred), connections, args.duration))]
            for name, (rps, p50, p99, errors) in rows:
                note = f"  ({errors} errors)" if errors else ""
                print(f"{name:34} {connections:>4} {rps:>10,.0f} {p50:>8.3f} {p99:>8.3f} {rps / ceiling[0]:>9.0%}{note}")
            print()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
