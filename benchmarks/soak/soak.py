#!/usr/bin/env python3
"""Soak test: `strata serve` under mixed load, then a one-screen summary.

Lookups at concurrency 16 (POST /v1/features, persistent connections), pushes from two clients (fresh rows, and now and
then a batch pushed twice), a `strata materialize --incremental` every 30 s and a `strata apply` every 60 s (the
service's description alternates, so every apply is a new registry revision the server must pick up). Prints requests,
errors by status, lookup latency percentiles, and the server's resident memory (peak, after warm-up, at the end).
Exits 1 on any 5xx, a dead server or a failed materialize/apply. Only the standard library: runs with any python3.

    python3 benchmarks/soak/soak.py --strata .build/release/strata --duration 600
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time


def run(strata, args, cwd):
    result = subprocess.run([strata] + args, cwd=cwd, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_route = {}
        self.by_status = {}
        self.latencies = []
        self.failures = []

    def record(self, route, status, seconds):
        with self.lock:
            self.by_route[route] = self.by_route.get(route, 0) + 1
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if route == "/v1/features" and status == 200:
                self.latencies.append(seconds)

    def fail(self, what):
        with self.lock:
            self.failures.append(what)


class Client:
    """One persistent connection that records every answer (status and latency) in `stats`, reconnecting after errors."""

    def __init__(self, port, stats, timeout):
        self.port, self.stats, self.timeout = port, stats, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def post(self, path, body):
        started = time.monotonic()
        try:
            self.conn.request("POST", path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
            response = self.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            self.stats.fail(f"{path}: {error!r}")
            status = "connection error"
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.stats.record(path, status, time.monotonic() - started)


def lookup_worker(port, stats, stop, seed):
    rng = random.Random(seed)
    client = Client(port, stats, timeout=30)
    while not stop.is_set():
        ids = [rng.randint(1001, 1045) for _ in range(rng.choice([1, 1, 1, 10]))]
        client.post("/v1/features", {"service": "driver_activity", "entities": [{"driver_id": i} for i in ids], "at": "2026-03-02T12:00:00Z"})


def push_worker(port, stats, stop, seed):
    rng = random.Random(seed)
    client = Client(port, stats, timeout=60)
    sequence = 0
    previous = None
    while not stop.is_set():
        sequence += 1
        if previous is not None and sequence % 10 == 0:
            body = previous  # the same batch again: must add nothing offline
        else:
            count = rng.randint(5, 50)
            base = 1772452800 + seed * 10_000_000 + sequence * 60  # 2026-03-02T12:00:00Z onwards, unique per client
            stamps = [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + i)) for i in range(count)]
            body = {"push_source_name": "driver_stats_source", "df": {
                "driver_id": [rng.randint(1001, 1045) for _ in range(count)],
                "event_timestamp": stamps, "created": stamps,
                "conv_rate": [round(rng.random(), 3) for _ in range(count)],
                "acc_rate": [round(rng.random(), 3) for _ in range(count)],
                "avg_daily_trips": [rng.randint(0, 30) for _ in range(count)],
                "rating": [round(rng.uniform(3.5, 5), 1) for _ in range(count)],
                "city": [rng.choice(["Lisbon", "Porto", "Zürich"]) for _ in range(count)]}}
            previous = body
        client.post("/push", body)
        stop.wait(0.05)


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strata", default=".build/release/strata")
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--lookup-clients", type=int, default=16)
    parser.add_argument("--push-clients", type=int, default=2)
    parser.add_argument("--materialize-every", type=float, default=30)
    parser.add_argument("--apply-every", type=float, default=60)
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    args = parser.parse_args()
    strata = os.path.abspath(args.strata)
    workdir = tempfile.mkdtemp(prefix="strata-soak-")
    project = os.path.join(workdir, "soak")
    try:
        for step in (["init", project], ["apply", "--project", project], ["ingest", "--project", project],
                     ["materialize", "--project", project, "--end", "2026-03-02T12:00:00Z"]):
            code, output = run(strata, step, workdir)
            if code != 0:
                sys.exit(f"setup failed: strata {' '.join(step)}\n{output}")
        # The server's log goes to a file: a pipe nobody reads fills up and blocks the server's writes.
        server_log = open(os.path.join(workdir, "server.log"), "w+")
        server = subprocess.Popen([strata, "serve", "--project", project, "--port", "0"], stdout=subprocess.PIPE, stderr=server_log, text=True)
        line = server.stdout.readline()
        match = re.search(r":(\d+)\s*$", line)
        if not match:
            server_log.seek(0)
            sys.exit(f"the server did not start: {line}{server_log.read()}")
        port = int(match.group(1))
        summary = soak(strata, project, server, port, args)
        if not summary["server_alive"]:
            server_log.seek(0)
            log = server_log.read()
            summary["server_log_tail"] = crash_excerpt(log)
            # The whole log (every thread's frames) outlives the work folder.
            kept = tempfile.NamedTemporaryFile("w", prefix="strata-soak-server-", suffix=".log", delete=False)
            with kept:
                kept.write(log)
            summary["server_log_path"] = kept.name
        server.terminate()
        server.wait(timeout=30)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(summary, sort_keys=True) if args.json else render(summary))
    sys.exit(0 if summary["passed"] else 1)


def crash_excerpt(log):
    """The crash's headline and the crashed thread's frames from Swift's backtrace (which lists every thread, the
    crashed one wherever it falls), else the log's tail."""
    start = log.find("*** Program crashed")
    if start < 0:
        return log[-4000:]
    headline = log[start:log.find("\n", start)]
    match = re.search(r"^Thread \d+ (\"[^\"]*\" )?crashed:$", log[start:], re.MULTILINE)
    if not match:
        return log[start:start + 8000]
    frames = log[start + match.start():]
    end = re.search(r"^Thread \d+ ", frames[1:], re.MULTILINE)
    return headline + "\n" + frames[:end.start() + 1 if end else 6000][:6000]


def soak(strata, project, server, port, args):
    stats, stop = Stats(), threading.Event()
    threads = [threading.Thread(target=lookup_worker, args=(port, stats, stop, i)) for i in range(args.lookup_clients)]
    threads += [threading.Thread(target=push_worker, args=(port, stats, stop, 100 + i)) for i in range(args.push_clients)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    next_materialize, next_apply = args.materialize_every, args.apply_every
    peak, warm, samples, applies, materializes = 0, None, [], 0, 0
    definitions = os.path.join(project, "featuresets", "drivers.yaml")
    while time.monotonic() - started < args.duration and server.poll() is None:
        time.sleep(1)
        elapsed = time.monotonic() - started
        rss = rss_kib(server.pid) or 0
        peak = max(peak, rss)
        samples.append(rss)
        if warm is None and elapsed >= min(60, args.duration / 5):
            warm = rss
        if elapsed >= next_materialize:
            next_materialize += args.materialize_every
            code, output = run(strata, ["materialize", "--project", project, "--incremental"], project)
            materializes += 1
            if code != 0:
                stats.fail(f"materialize: {output}")
        if elapsed >= next_apply:
            next_apply += args.apply_every
            applies += 1
            with open(definitions) as f:
                text = f.read()
            text = re.sub(r"(- name: driver_activity\n\s+description: Features for the driver-ranking model\.)( \(soak \d+\))?",
                          lambda m: f"{m.group(1)} (soak {applies})", text)
            with open(definitions, "w") as f:
                f.write(text)
            code, output = run(strata, ["apply", "--project", project, "--message", f"soak {applies}"], project)
            if code != 0:
                stats.fail(f"apply: {output}")
    stop.set()
    for thread in threads:
        thread.join()
    alive = server.poll() is None
    seconds = time.monotonic() - started
    server_errors = sum(count for status, count in stats.by_status.items() if isinstance(status, int) and status >= 500)
    return {
        "seconds": round(seconds, 1), "requests": sum(stats.by_route.values()), "by_route": stats.by_route,
        "by_status": {str(k): v for k, v in sorted(stats.by_status.items(), key=lambda kv: str(kv[0]))},
        "server_errors": server_errors, "client_failures": stats.failures[:10], "client_failure_count": len(stats.failures),
        "lookup_p50_ms": round(percentile(stats.latencies, 50) * 1000, 2), "lookup_p99_ms": round(percentile(stats.latencies, 99) * 1000, 2),
        "lookup_p999_ms": round(percentile(stats.latencies, 99.9) * 1000, 2),
        "rss_peak_mib": round(peak / 1024, 1), "rss_after_warmup_mib": round((warm or 0) / 1024, 1),
        "rss_end_mib": round((samples[-1] if samples else 0) / 1024, 1), "materializes": materializes, "applies": applies,
        "server_alive": alive, "passed": alive and server_errors == 0 and not stats.failures,
    }


def render(s):
    lines = [f"soak: {s['seconds']} s, {s['requests']} requests ({', '.join(f'{k} {v}' for k, v in sorted(s['by_route'].items()))})",
             f"by status: {', '.join(f'{k}: {v}' for k, v in s['by_status'].items())}",
             f"5xx: {s['server_errors']}   client failures: {s['client_failure_count']}   server alive: {s['server_alive']}",
             f"lookups: p50 {s['lookup_p50_ms']} ms, p99 {s['lookup_p99_ms']} ms, p99.9 {s['lookup_p999_ms']} ms",
             f"server RSS: peak {s['rss_peak_mib']} MiB, after warm-up {s['rss_after_warmup_mib']} MiB, at the end {s['rss_end_mib']} MiB",
             f"materialize runs: {s['materializes']}, applies: {s['applies']}",
             "PASS" if s["passed"] else "FAIL"]
    lines += [f"  {failure}" for failure in s["client_failures"]]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
