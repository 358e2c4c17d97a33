"""Deterministic data for the offline benchmark: entities × hourly feature rows with late corrections, and a spine.

python3 generate.py OUT_DIR [--scale N] [--seed S]
scale 1: 10k entities, 1M feature rows (2% late corrections), 100k spine rows. scale 10: 100k, 10M, 1M.
"""
import argparse
import os
import random

BASE = 1_772_323_200  # 2026-03-01T00:00:00Z, seconds


def iso(seconds):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    entities = 10_000 * args.scale
    rows = 1_000_000 * args.scale
    spine_rows = 100_000 * args.scale
    per_entity = rows // entities
    os.makedirs(os.path.join(args.out, "featuresets"), exist_ok=True)
    # Cache formatted timestamps: there are only a few hundred distinct hours and minutes.
    cache = {}

    def ts(s):
        text = cache.get(s)
        if text is None:
            text = iso(s)
            cache[s] = text
        return text

    written = 0
    with open(os.path.join(args.out, "features.csv"), "w") as f:
        f.write("entity_id,event_timestamp,created,value,count\n")
        for e in range(entities):
            for h in range(per_entity):
                if written >= rows:
                    break
                event = BASE + h * 3600
                created = event + rng.randrange(0, 600, 60)
                if rng.random() < 0.02:
                    # A late correction: same event time, known a day later, different value.
                    created = event + 86_400
                f.write(f"{e},{ts(event)},{ts(created)},{rng.randrange(0, 100_000) / 100},{rng.randrange(0, 50)}\n")
                written += 1
    hours = per_entity
    with open(os.path.join(args.out, "spine.csv"), "w") as f:
        f.write("entity_id,event_timestamp,label\n")
        for i in range(spine_rows):
            e = rng.randrange(0, entities + entities // 100)  # 1% unknown entities
            t = BASE + rng.randrange(0, hours * 3600 + 7200, 60)
            f.write(f"{e},{ts(t)},{i % 2}\n")
    with open(os.path.join(args.out, "featuresets", "bench.yaml"), "w") as f:
        f.write("""entities:
  - name: entity
    join_keys: {entity_id: int64}
sources:
  - name: events
    path: features.csv
    timestamp: event_timestamp
    created: created
    schema: {entity_id: int64, value: float64, count: int64}
feature_views:
  - name: stats
    entities: [entity]
    source: events
    ttl: 2h
    features:
      value: float64
      count: int64
""")
    print(f"generated {written} feature rows for {entities} entities and {spine_rows} spine rows in {args.out}")


if __name__ == "__main__":
    main()
