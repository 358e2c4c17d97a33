"""Baselines for the offline benchmark, each run in its own process so wall time and peak memory are its own.

python baselines.py duckdb-known PROJECT OUT_CSV    DuckDB: CSV load, then the known-mode join (ASOF on eligibility time)
python baselines.py duckdb-latest PROJECT OUT_CSV   DuckDB: CSV load, then dedup + ASOF JOIN (latest mode)
python baselines.py sqlite PROJECT OUT_CSV          plain SQLite: load, index, one correlated subquery per spine row (known)
Each prints `load SECONDS` and `join SECONDS` lines; the join time covers the join, the TTL rule, the expression
features of `driver_everything` and writing the CSV (the table is already loaded: "preloaded").
"""
import sys
import time

TTL_SECONDS = 7200
FEATURES = """
    f.conv_rate, f.acc_rate, f.avg_daily_trips, f.rating, f.city,
    f.conv_rate * f.acc_rate AS conv_x_acc,
    coalesce(f.rating, 0) >= 4.8 AS is_top_rated,
    CASE WHEN f.avg_daily_trips >= 20 THEN 'high' WHEN f.avg_daily_trips >= 10 THEN 'medium' ELSE 'low' END AS trips_band,
    hour(f.event_ts) AS stat_hour"""
NAMES = ["conv_rate", "acc_rate", "avg_daily_trips", "rating", "city", "conv_x_acc", "is_top_rated", "trips_band", "stat_hour"]


def duckdb_load(project):
    import duckdb
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    data = f"{project}/featuresets/data"
    start = time.perf_counter()
    con.execute(f"""
        CREATE TABLE f AS SELECT driver_id, CAST(event_timestamp AS TIMESTAMPTZ) AS event_ts, CAST(created AS TIMESTAMPTZ) AS created_ts,
            conv_rate, acc_rate, avg_daily_trips, rating, city, row_number() OVER () AS seq
        FROM read_csv('{data}/driver_stats.csv', header=true, columns={{'driver_id':'BIGINT','event_timestamp':'VARCHAR','created':'VARCHAR',
            'conv_rate':'DOUBLE','acc_rate':'DOUBLE','avg_daily_trips':'BIGINT','rating':'DOUBLE','city':'VARCHAR'}});
        CREATE TABLE s AS SELECT row_number() OVER () AS spine_row, driver_id, event_timestamp, CAST(event_timestamp AS TIMESTAMPTZ) AS ts,
            label_completed_trip
        FROM read_csv('{data}/driver_spine.csv', header=true, columns={{'driver_id':'BIGINT','event_timestamp':'VARCHAR','label_completed_trip':'BIGINT'}});
    """)
    print(f"load {time.perf_counter() - start}")
    return con


def select_features(con, winners, out):
    """Spine rows with their winner's features; null where there is no winner or it is older than the TTL."""
    cells = ", ".join(f"CASE WHEN w.event_ts >= s.ts - INTERVAL {TTL_SECONDS} SECOND THEN w.{n} END AS driver_stats__{n}" for n in NAMES)
    con.execute(f"""
        COPY (
            SELECT s.driver_id, s.event_timestamp, s.label_completed_trip, {cells}
            FROM s LEFT JOIN ({winners}) w ON w.spine_row = s.spine_row
            ORDER BY s.spine_row
        ) TO '{out}' (HEADER, DELIMITER ',');
    """)


def duckdb_known(project, out):
    """Known mode: a row is visible from max(event, created); the winner is the best (event, created, seq) among visible
    rows, i.e. a running maximum over rows ordered by visibility, picked by an ASOF JOIN on the visibility time."""
    con = duckdb_load(project)
    start = time.perf_counter()
    winners = f"""
        SELECT s.spine_row, f.event_ts, {FEATURES}
        FROM s ASOF LEFT JOIN (
            SELECT driver_id, greatest(event_ts, created_ts) AS visible_ts,
                max({{'e': event_ts, 'c': created_ts, 'q': seq}}) OVER (PARTITION BY driver_id ORDER BY greatest(event_ts, created_ts)
                    RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS best
            FROM f) r ON s.driver_id = r.driver_id AND s.ts >= r.visible_ts
        LEFT JOIN f ON f.seq = r.best.q"""
    select_features(con, winners, out)
    print(f"join {time.perf_counter() - start}")


def duckdb_latest(project, out):
    """Latest mode: dedup each (driver, event) to its best version, then ASOF JOIN on event time."""
    con = duckdb_load(project)
    start = time.perf_counter()
    winners = f"""
        SELECT s.spine_row, f.event_ts, {FEATURES}
        FROM s ASOF LEFT JOIN (
            SELECT * FROM f QUALIFY row_number() OVER (PARTITION BY driver_id, event_ts ORDER BY created_ts DESC, seq DESC) = 1
        ) f ON s.driver_id = f.driver_id AND s.ts >= f.event_ts"""
    select_features(con, winners, out)
    print(f"join {time.perf_counter() - start}")


def sqlite_known(project, out):
    import csv
    import sqlite3
    from datetime import datetime, timezone

    def micros(text):
        return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()) * 1_000_000

    def number(text, kind):
        return kind(text) if text else None

    data = f"{project}/featuresets/data"
    con = sqlite3.connect(":memory:")
    start = time.perf_counter()
    con.execute("""CREATE TABLE f (driver_id INTEGER, event_ts INTEGER, created_ts INTEGER, seq INTEGER, conv_rate REAL, acc_rate REAL,
                   avg_daily_trips INTEGER, rating REAL, city TEXT)""")
    with open(f"{data}/driver_stats.csv") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany("INSERT INTO f VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        ((int(r[0]), micros(r[1]), micros(r[2]), i, number(r[3], float), number(r[4], float), number(r[5], int),
                          number(r[6], float), r[7]) for i, r in enumerate(reader)))
    con.execute("CREATE INDEX f_pit ON f (driver_id, event_ts, created_ts, seq)")
    con.execute("CREATE TABLE s (spine_row INTEGER PRIMARY KEY, driver_id INTEGER, event_timestamp TEXT, ts INTEGER, label INTEGER)")
    with open(f"{data}/driver_spine.csv") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany("INSERT INTO s (driver_id, event_timestamp, ts, label) VALUES (?, ?, ?, ?)",
                        ((int(r[0]), r[1], micros(r[1]), int(r[2])) for r in reader))
    print(f"load {time.perf_counter() - start}")
    start = time.perf_counter()
    ttl = TTL_SECONDS * 1_000_000
    rows = con.execute(f"""
        SELECT s.driver_id, s.event_timestamp, s.label, w.conv_rate, w.acc_rate, w.avg_daily_trips, w.rating, w.city,
            w.conv_rate * w.acc_rate, CASE WHEN w.rowid IS NOT NULL THEN coalesce(w.rating, 0) >= 4.8 END,
            CASE WHEN w.rowid IS NULL THEN NULL WHEN w.avg_daily_trips >= 20 THEN 'high' WHEN w.avg_daily_trips >= 10 THEN 'medium' ELSE 'low' END,
            (w.event_ts / 3600000000) % 24
        FROM s LEFT JOIN f w ON w.rowid = (
            SELECT rowid FROM f WHERE f.driver_id = s.driver_id AND f.event_ts <= s.ts AND f.created_ts <= s.ts
            ORDER BY event_ts DESC, created_ts DESC, seq DESC LIMIT 1) AND w.event_ts >= s.ts - {ttl}
        ORDER BY s.spine_row
    """).fetchall()
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["driver_id", "event_timestamp", "label_completed_trip"] + [f"driver_stats__{n}" for n in NAMES])
        for row in rows:
            writer.writerow(list(row[:9]) + [None if row[9] is None else ("true" if row[9] else "false")] + list(row[10:]))
    print(f"join {time.perf_counter() - start}")


if __name__ == "__main__":
    {"duckdb-known": duckdb_known, "duckdb-latest": duckdb_latest, "sqlite": sqlite_known}[sys.argv[1]](sys.argv[2], sys.argv[3])
