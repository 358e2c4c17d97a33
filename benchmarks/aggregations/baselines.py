"""Baselines for the aggregation benchmark: the same windows, the same semantics (known mode: an event counts at t when
created <= t and lower < event_ts <= t with lower = floor(t - window, hop); a key with no such event at or before t is
not found), each in its own process so wall time and peak memory are its own.

python3 baselines.py duckdb DATA_DIR OUT_CSV   DuckDB on a preloaded table: one range join + grouped aggregates
python3 baselines.py sqlite DATA_DIR OUT_CSV   plain SQLite in memory, indexed range join + grouped aggregates
Both print the query time in seconds (loading excluded) on the last line of stdout. Distinct counts are exact here.
"""
import sys
import time

# (name, window seconds, hop seconds): hops are Strata's defaults (5m below 12h, 1h below 12d).
WINDOWS = [("1h", 3_600, 300), ("24h", 86_400, 3_600), ("7d", 604_800, 3_600)]
US = 1_000_000


def query(integer_division):
    lowers = ", ".join(f"((t - {w * US}) {integer_division} {h * US}) * {h * US} AS l{name}" for name, w, h in WINDOWS)
    aggregates = []
    for name, _, _ in WINDOWS:
        inside = f"e.ts > sp.l{name}"
        aggregates += [f"count(*) FILTER (WHERE {inside}) AS trips_{name}", f"sum(e.fare) FILTER (WHERE {inside}) AS fare_sum_{name}",
                       f"avg(e.fare) FILTER (WHERE {inside}) AS fare_avg_{name}"]
    aggregates.append("count(DISTINCT e.rider_id) AS riders_7d")
    columns = []
    for name, _, _ in WINDOWS:
        columns += [f"CASE WHEN present THEN coalesce(a.trips_{name}, 0) END AS trips_{name}", f"CASE WHEN present THEN a.fare_sum_{name} END AS fare_sum_{name}",
                    f"CASE WHEN present THEN a.fare_avg_{name} END AS fare_avg_{name}"]
    columns.append("CASE WHEN present THEN coalesce(a.riders_7d, 0) END AS riders_7d")
    return f"""
        WITH firsts AS (SELECT k, min(CASE WHEN cr > ts THEN cr ELSE ts END) AS visible_from FROM e GROUP BY k),
        sp AS (SELECT r, k, t, {lowers} FROM s),
        a AS (SELECT sp.r, {", ".join(aggregates)}
              FROM sp JOIN e ON e.k = sp.k AND e.ts > sp.l7d AND e.ts <= sp.t AND e.cr <= sp.t GROUP BY sp.r),
        marked AS (SELECT s.*, coalesce(s.t >= f.visible_from, false) AS present FROM s LEFT JOIN firsts f ON f.k = s.k)
        SELECT marked.k AS entity_id, marked.event_timestamp, marked.label, {", ".join(columns)}
        FROM marked LEFT JOIN a ON a.r = marked.r ORDER BY marked.r
    """


def duckdb_baseline(data, out):
    import duckdb
    con = duckdb.connect()
    con.execute(f"""
        CREATE TABLE e AS SELECT entity_id AS k, epoch_us(CAST(event_timestamp AS TIMESTAMPTZ)) AS ts, epoch_us(CAST(created AS TIMESTAMPTZ)) AS cr,
            fare, rider_id
        FROM read_csv('{data}/events.csv', header=true,
                      columns={{'entity_id':'BIGINT','event_timestamp':'VARCHAR','created':'VARCHAR','fare':'DOUBLE','rider_id':'BIGINT'}});
        CREATE TABLE s AS SELECT row_number() OVER () AS r, entity_id AS k, event_timestamp, label, epoch_us(CAST(event_timestamp AS TIMESTAMPTZ)) AS t
        FROM read_csv('{data}/spine.csv', header=true, columns={{'entity_id':'BIGINT','event_timestamp':'VARCHAR','label':'BIGINT'}});
    """)
    start = time.perf_counter()
    con.execute(f"COPY ({query('//')}) TO '{out}' (HEADER, DELIMITER ',')")
    print(time.perf_counter() - start)


def sqlite_baseline(data, out):
    import csv
    import sqlite3
    from datetime import datetime, timezone

    def micros(text):
        return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()) * US

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE e (k INTEGER, ts INTEGER, cr INTEGER, fare REAL, rider_id INTEGER)")
    with open(f"{data}/events.csv") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?)", ((int(r[0]), micros(r[1]), micros(r[2]), float(r[3]), int(r[4])) for r in reader))
    con.execute("CREATE INDEX e_window ON e (k, ts)")
    con.execute("CREATE TABLE s (r INTEGER PRIMARY KEY, k INTEGER, event_timestamp TEXT, label INTEGER, t INTEGER)")
    with open(f"{data}/spine.csv") as fh:
        reader = csv.reader(fh)
        next(reader)
        con.executemany("INSERT INTO s (k, event_timestamp, label, t) VALUES (?, ?, ?, ?)", ((int(r[0]), r[1], int(r[2]), micros(r[1])) for r in reader))
    start = time.perf_counter()
    cursor = con.execute(query("/"))
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([d[0] for d in cursor.description])
        writer.writerows(cursor)
    print(time.perf_counter() - start)


if __name__ == "__main__":
    {"duckdb": duckdb_baseline, "sqlite": sqlite_baseline}[sys.argv[1]](sys.argv[2], sys.argv[3])
