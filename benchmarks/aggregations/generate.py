"""Deterministic data for the aggregation benchmark: a trip-like event log in event-time order, and a spine.

python3 generate.py OUT_DIR [--scale N] [--seed S] [--row-view]
scale 1: 1M events over 10k keys and 30 days (1% known a day late), 100k spine rows. scale 10: 10M, 100k keys, 1M.
The view has count/sum/avg of `fare` over 1h, 24h and 7d, and an approximate distinct count of riders over 7d.
"""
import argparse
import os
import random
import time

BASE = 1_772_323_200  # 2026-03-01T00:00:00Z, seconds
DAYS = 30

AGGREGATIONS = [
    ("trips_1h", "count", None, "1h"), ("fare_sum_1h", "sum", "fare", "1h"), ("fare_avg_1h", "avg", "fare", "1h"),
    ("trips_24h", "count", None, "24h"), ("fare_sum_24h", "sum", "fare", "24h"), ("fare_avg_24h", "avg", "fare", "24h"),
    ("trips_7d", "count", None, "7d"), ("fare_sum_7d", "sum", "fare", "7d"), ("fare_avg_7d", "avg", "fare", "7d"),
    ("riders_7d", "approx_count_distinct", "rider_id", "7d"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--row-view", action="store_true", help="add view `last_trip` (one row feature) for the online benchmark")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    keys = 10_000 * args.scale
    events = 1_000_000 * args.scale
    spine_rows = 100_000 * args.scale
    span = DAYS * 86_400
    os.makedirs(os.path.join(args.out, "featuresets"), exist_ok=True)
    cache = {}

    def ts(s):
        text = cache.get(s)
        if text is None:
            text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))
            if len(cache) < 4_000_000:
                cache[s] = text
        return text

    # Event times drawn at random and written in time order, as an event log arrives.
    times = sorted(rng.randrange(0, span) for _ in range(events))
    with open(os.path.join(args.out, "events.csv"), "w") as f:
        f.write("entity_id,event_timestamp,created,fare,rider_id\n")
        lines = []
        for offset in times:
            event = BASE + offset
            created = event + (86_400 if rng.random() < 0.01 else rng.randrange(0, 300))
            lines.append(f"{rng.randrange(keys)},{ts(event)},{ts(created)},{rng.randrange(300, 8_000) / 100},{rng.randrange(5_000)}\n")
            if len(lines) >= 100_000:
                f.writelines(lines)
                lines = []
        f.writelines(lines)
    with open(os.path.join(args.out, "spine.csv"), "w") as f:
        f.write("entity_id,event_timestamp,label\n")
        for i in range(spine_rows):
            key = rng.randrange(keys + keys // 100)  # 1% unknown keys
            f.write(f"{key},{ts(BASE + rng.randrange(0, span + 86_400))},{i % 2}\n")
    aggregations = "\n".join(
        f"      {name}: {{function: {function}{f', column: {column}' if column else ''}, window: {window}}}"
        for name, function, column, window in AGGREGATIONS)
    with open(os.path.join(args.out, "featuresets", "bench.yaml"), "w") as f:
        f.write(f"""entities:
  - name: entity
    join_keys: {{entity_id: int64}}
sources:
  - name: events
    path: events.csv
    timestamp: event_timestamp
    created: created
    schema: {{entity_id: int64, fare: float64, rider_id: int64}}
feature_views:
  - name: windows
    entities: [entity]
    source: events
    aggregations:
{aggregations}
""")
        if args.row_view:
            f.write("""  - name: last_trip
    entities: [entity]
    source: events
    features:
      fare: float64
""")
    print(f"generated {events} events over {keys} keys and {spine_rows} spine rows in {args.out}")


if __name__ == "__main__":
    main()
