"""Deterministic benchmark projects on the example project's definitions (featuresets/drivers.yaml, copied verbatim).

python benchmarks/generate.py OUT_DIR [--scale N] [--shape time|entity] [--seed S]

scale 1: 10k drivers, 1M source rows, 100k spine rows; scale 10: 100k, 10M, 1M.
shape `time` (the default, what pipelines export): rows in event-time order, drivers interleaved in random order within
each hour, and 2% late corrections (a second version of an earlier hour, written when it was created, 1–6 h later).
shape `entity`: the same rows sorted by driver, then event time (the friendly shape, kept as a second column).
Columns follow the example source: driver_id, event_timestamp, created, conv_rate, acc_rate, avg_daily_trips, rating,
city (a string), with about 1% nulls in rating and 0.5% in conv_rate.
"""
import argparse
import os
import random
import re
import shutil
import time

BASE = 1_772_323_200  # 2026-03-01T00:00:00Z, seconds
HERE = os.path.dirname(os.path.abspath(__file__))
CITIES = ["Porto", "Lisbon", "Braga", "Faro", "Coimbra", "Aveiro", "Madrid", "Sevilla", "Valencia", "Bilbao",
          "Paris", "Lyon", "Marseille", "Berlin", "Hamburg", "Munich", "Rome", "Milan", "Turin", "Naples"]


class Stamps:
    """Formats epoch seconds as RFC 3339 with a cache (the generator writes a few million timestamps)."""

    def __init__(self):
        self.cache = {}

    def __call__(self, seconds):
        text = self.cache.get(seconds)
        if text is None:
            text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
            if len(self.cache) < 4_000_000:
                self.cache[seconds] = text
        return text


def rows(rng, drivers, hours, corrections):
    """(export_ts, driver, event, created, values…) tuples: one row per driver and hour plus the corrections."""
    out = []
    for h in range(hours):
        order = list(range(drivers))
        rng.shuffle(order)
        offsets = sorted(rng.randrange(0, 3600) for _ in range(drivers))
        for driver, offset in zip(order, offsets):
            event = BASE + h * 3600 + offset
            created = event + rng.randrange(0, 600)
            out.append((created, driver, event, created) + values(rng))
    originals = len(out)
    for index in rng.sample(range(originals), corrections):
        _, driver, event, _ = out[index][:4]
        created = event + rng.randrange(3600, 6 * 3600)
        out.append((created, driver, event, created) + values(rng))
    return out


def values(rng):
    conv = "" if rng.random() < 0.005 else f"{rng.randrange(0, 1000) / 1000}"
    rating = "" if rng.random() < 0.01 else f"{rng.randrange(30, 51) / 10}"
    return (conv, f"{rng.randrange(0, 1000) / 1000}", rng.randrange(0, 40), rating, CITIES[rng.randrange(len(CITIES))])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--shape", choices=["time", "entity"], default="time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--recent", action="store_true", help="end the data at the current hour (for serving with a 2h TTL)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    drivers = 10_000 * args.scale
    total = 1_000_000 * args.scale
    corrections = total // 50
    hours = (total - corrections) // drivers
    global BASE
    if args.recent:
        BASE = int(time.time()) // 3600 * 3600 - (hours - 1) * 3600
    data = os.path.join(args.out, "featuresets", "data")
    os.makedirs(data, exist_ok=True)
    # The example's `city` expectation names the example's five cities; the generated rows use CITIES, so the copy
    # expects those (otherwise ~90% of the rows land in the quarantine and every figure measures the wrong work).
    with open(os.path.join(HERE, "..", "featuresets", "drivers.yaml")) as fh:
        definitions = fh.read()
    expectation = re.search(r"city: \{in: \[[^\]]*\]\}", definitions)
    assert expectation, "featuresets/drivers.yaml: the city expectation moved; update benchmarks/generate.py"
    definitions = definitions.replace(expectation.group(0), "city: {in: [" + ", ".join(CITIES) + "]}")
    with open(os.path.join(args.out, "featuresets", "drivers.yaml"), "w") as fh:
        fh.write(definitions)
    ts = Stamps()
    table = rows(rng, drivers, hours, corrections)
    if args.shape == "time":
        table.sort(key=lambda r: (r[0] // 3600, r[2]))  # exported hour by hour, each hour in event-time order
    else:
        table.sort(key=lambda r: (r[1], r[2], r[3]))
    first_id = 100_000
    with open(os.path.join(data, "driver_stats.csv"), "w") as f:
        f.write("driver_id,event_timestamp,created,conv_rate,acc_rate,avg_daily_trips,rating,city\n")
        chunk = []
        for _, driver, event, created, conv, acc, trips, rating, city in table:
            chunk.append(f"{first_id + driver},{ts(event)},{ts(created)},{conv},{acc},{trips},{rating},{city}\n")
            if len(chunk) >= 100_000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
    spine_rows = 100_000 * args.scale
    with open(os.path.join(data, "driver_spine.csv"), "w") as f:
        f.write("driver_id,event_timestamp,label_completed_trip\n")
        for i in range(spine_rows):
            driver = first_id + rng.randrange(0, drivers + drivers // 100)  # 1% unknown drivers
            t = BASE + rng.randrange(0, hours * 3600 + 7200)
            f.write(f"{driver},{ts(t)},{i % 2}\n")
    print(f"generated {len(table):,} rows ({corrections:,} late corrections) for {drivers:,} drivers, {spine_rows:,} spine rows, "
          f"shape {args.shape}, in {args.out}")


if __name__ == "__main__":
    main()
