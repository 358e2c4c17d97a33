"""Baselines for the offline benchmark, each run in its own process so wall time and peak memory are its own.

python3 baselines.py duckdb DATA_DIR OUT_CSV     DuckDB ASOF JOIN (latest mode: pre-dedup ties, post-filter TTL)
python3 baselines.py sqlite DATA_DIR OUT_CSV     plain SQLite, one correlated subquery per spine row (latest mode)
Both print the join time in seconds on the last line of stdout.
"""
import sys
import time

TTL_SECONDS = 7200


def duckdb_join(data, out):
    import duckdb
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE f AS SELECT entity_id, CAST(event_timestamp AS TIMESTAMPTZ) AS event_ts, CAST(created AS TIMESTAMPTZ) AS created_ts,
            value, count, row_number() OVER () AS seq
        FROM read_csv('{data}/features.csv', header=true, columns={{'entity_id':'BIGINT','event_timestamp':'VARCHAR','created':'VARCHAR','value':'DOUBLE','count':'BIGINT'}});
        CREATE TABLE s AS SELECT row_number() OVER () AS spine_row, entity_id, event_timestamp, CAST(event_timestamp AS TIMESTAMPTZ) AS ts, label
        FROM read_csv('{data}/spine.csv', header=true, columns={{'entity_id':'BIGINT','event_timestamp':'VARCHAR','label':'BIGINT'}});
    """)
    start = time.perf_counter()
    con.execute(f"""
        CREATE TABLE dedup AS SELECT * FROM f QUALIFY row_number() OVER (PARTITION BY entity_id, event_ts ORDER BY created_ts DESC, seq DESC) = 1;
        COPY (
            SELECT s.entity_id, s.event_timestamp, s.label,
                CASE WHEN d.event_ts >= s.ts - INTERVAL {TTL_SECONDS} SECOND THEN d.value END AS stats__value,
                CASE WHEN d.event_ts >= s.ts - INTERVAL {TTL_SECONDS} SECOND THEN d.count END AS stats__count
            FROM s ASOF LEFT JOIN dedup d ON s.entity_id = d.entity_id AND s.ts >= d.event_ts
            ORDER BY s.spine_row
        ) TO '{out}' (HEADER, DELIMITER ',');
    """)
    print(time.perf_counter() - start)


def sqlite_join(data, out):
    import csv
    import sqlite3
    from datetime import datetime, timezone

    def micros(text):
        return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()) * 1_000_000

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE f (entity_id INTEGER, event_ts INTEGER, created_ts INTEGER, seq INTEGER, value REAL, count INTEGER)")
    with open(f"{data}/features.csv") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany("INSERT INTO f VALUES (?, ?, ?, ?, ?, ?)",
                        ((int(r[0]), micros(r[1]), micros(r[2]), i, float(r[3]), int(r[4])) for i, r in enumerate(reader)))
    con.execute("CREATE INDEX f_pit ON f (entity_id, event_ts, created_ts, seq)")
    con.execute("CREATE TABLE s (spine_row INTEGER PRIMARY KEY, entity_id INTEGER, event_timestamp TEXT, ts INTEGER, label INTEGER)")
    with open(f"{data}/spine.csv") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany("INSERT INTO s (entity_id, event_timestamp, ts, label) VALUES (?, ?, ?, ?)",
                        ((int(r[0]), r[1], micros(r[1]), int(r[2])) for r in reader))
    start = time.perf_counter()
    rows = con.execute(f"""
        SELECT s.entity_id, s.event_timestamp, s.label, w.value, w.count FROM s LEFT JOIN f w ON w.rowid = (
            SELECT rowid FROM f WHERE f.entity_id = s.entity_id AND f.event_ts <= s.ts AND f.event_ts >= s.ts - {TTL_SECONDS * 1_000_000}
            ORDER BY event_ts DESC, created_ts DESC, seq DESC LIMIT 1)
        ORDER BY s.spine_row
    """).fetchall()
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["entity_id", "event_timestamp", "label", "stats__value", "stats__count"])
        writer.writerows(rows)
    print(time.perf_counter() - start)


if __name__ == "__main__":
    {"duckdb": duckdb_join, "sqlite": sqlite_join}[sys.argv[1]](sys.argv[2], sys.argv[3])
