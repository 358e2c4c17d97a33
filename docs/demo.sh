#!/usr/bin/env bash
# The demo behind `make demo`: a fresh example project, taken through every step Strata has:
# ingest with quarantine and expectations → training set with manifest → materialize → lookups in-process and over HTTP
# (logged) → windowed aggregations served online and traced to their events → data quality: stored validation runs, a
# rejected push, a profile, drift of the serving log against the training set (with an HTML report) → an edit of a
# description that changes nothing stored → a late correction
# → `check --logs` finding exactly that skew → `lineage` tracing the value to its CSV line.
set -euo pipefail
STRATA=$(realpath "${STRATA:-.build/release/strata}")
DEMO_DIR=${DEMO_DIR:-/tmp/strata-demo}
PORT=${PORT:-6599}

step() { printf '\n\033[1m$ strata %s\033[0m\n' "$*"; "$STRATA" "$@"; }
say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }

rm -rf "$DEMO_DIR"
step init "$DEMO_DIR"
cd "$DEMO_DIR"
if [ "${ENGINE:-sqlite}" = spark ]; then
  say "The Spark engine (ENGINE=spark): training sets are computed by Spark (${SPARK_MASTER:-local[2]}) from a Parquet warehouse."
  printf 'offline:\n  engine: spark\n  spark:\n    master: "%s"\n    python: "%s"\n' "${SPARK_MASTER:-local[2]}" "${SPARK_PYTHON:-python3}" > strata.yaml
  cat strata.yaml
fi
step validate
step apply --message "first version of the driver features" --author demo
step registry list
say "Ingest: 6 malformed rows and 2 failing an expectation go to quarantine with file, line, column and reason; then the validation table."
step ingest
step historical --entities featuresets/data/driver_spine.csv --service driver_activity --out training.csv --include-status
printf '\nFirst rows of training.csv:\n'
head -4 training.csv

say "Windowed aggregations: trips and fares per driver over 1h/24h/7d windows, point in time, beside row features."
step historical --entities featuresets/data/driver_spine.csv --service driver_activity_windows --out windows.csv
printf '\nFirst rows of windows.csv:\n'
head -4 windows.csv

say "Materialize what was known at 2026-03-02T22:30Z and look it up in-process (driver_activity logs every lookup)."
step materialize --end 2026-03-02T22:30:00Z
step get --service driver_activity --key driver_id=1024 --key driver_id=9999 --at 2026-03-02T22:30:00Z

say "Definitions change without going dark: a teammate edits a description; apply is metadata only, and with no ingest and no materialize the training set and the lookup are unchanged."
sed -i 's/description: Hourly driver performance; older than two hours counts as stale./description: Hourly driver performance, from the trips pipeline./' featuresets/drivers.yaml
step plan
step apply --message "describe driver_stats" --author demo
"$STRATA" historical --entities featuresets/data/driver_spine.csv --service driver_activity --out training-after-edit.csv --include-status > /dev/null
cmp training.csv training-after-edit.csv && echo "training.csv and training-after-edit.csv are byte-identical"
step get --service driver_activity --key driver_id=1024 --key driver_id=9999 --at 2026-03-02T22:30:00Z

say "Windowed aggregations are served online too: tiles in LMDB, folded at request time (windows slide without re-materializing)."
step get --service driver_activity_windows --key driver_id=1024 --at 2026-03-02T23:00:00Z
say "Every served aggregate traces to the events in its window (count, then file:line), and equals the training set's value."
step lineage --view driver_trips --key driver_id=1024 --at 2026-03-02T23:00:00Z --feature trips_24h --limit 5

say "The same over HTTP with the Feast-compatible API (the server logs served rows off the request path)."
"$STRATA" serve --port "$PORT" > serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break; sleep 0.1; done
printf '$ curl -X POST http://127.0.0.1:%s/get-online-features -d {"entities": {"driver_id": [1024, 1001]}, "feature_service": "driver_activity"}\n' "$PORT"
curl -s -X POST "http://127.0.0.1:$PORT/get-online-features" -d '{"entities": {"driver_id": [1024, 1001]}, "feature_service": "driver_activity"}'
echo
printf '(and drivers 1001..1040 through the native route at 22:30, output not shown, so the feature log has something to profile)\n'
entities=$(python3 -c 'import json; print(json.dumps([{"driver_id": d} for d in range(1001, 1041)]))')
curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/v1/features" -d "{\"service\": \"driver_activity\", \"entities\": $entities, \"at\": \"2026-03-02T22:30:00Z\"}"
say "The same server has the web UI (registry, training sets, data quality, parity, lookup): http://127.0.0.1:$PORT/ui"
printf '$ curl http://127.0.0.1:%s/ui   # the page title\n' "$PORT"
curl -s "http://127.0.0.1:$PORT/ui" | grep -o '<title>[^<]*</title>'
kill -TERM $server; wait $server 2>/dev/null || true
trap - EXIT

say "Parity so far: the logged lookups agree with the offline point-in-time join."
step check --logs --service driver_activity --max-mismatch 0.001

say "Data quality: every ingest and push stores its validation results and a profile of its rows."
step quality runs
step quality show 1
say "A pushed batch with no ratings breaks the run rule null_rate(rating) <= 0.1: the whole push is rejected, nothing is written."
cat > no_ratings.jsonl <<'JSON'
{"driver_id": 1001, "event_timestamp": "2026-03-02T23:00:00Z", "created": "2026-03-02T23:01:00Z", "conv_rate": 0.5, "acc_rate": 0.5, "avg_daily_trips": 3, "rating": null, "city": "Porto"}
{"driver_id": 1002, "event_timestamp": "2026-03-02T23:00:00Z", "created": "2026-03-02T23:01:00Z", "conv_rate": 0.5, "acc_rate": 0.5, "avg_daily_trips": 3, "rating": null, "city": "Lisbon"}
JSON
printf '\n\033[1m$ strata push driver_stats --file no_ratings.jsonl\033[0m\n'
"$STRATA" push driver_stats --file no_ratings.jsonl || echo "(exit code $?)"
step quality runs --source driver_stats_source
say "Profile of the first ingest run: source columns, time columns and every row feature (view:feature)."
step profile --run 1 --top 2
say "Drift: what the server served (the feature log) against the training set built above; exit code 1 would mean drift."
train_id=$("$STRATA" historical --list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
printf '\n\033[1m$ strata drift --service driver_activity --reference training-set:%s --current logs:.. --html drift.html\033[0m\n' "$train_id"
"$STRATA" drift --service driver_activity --reference "training-set:$train_id" --current logs:.. --html drift.html || echo "(exit code $?)"
echo "Open $DEMO_DIR/drift.html in a browser: a reference-vs-current histogram per feature, inline SVG, no network needed."
step drift --history

say "A late correction arrives: driver 1024's 22:00 row, stamped as known at 22:10, but delivered only now."
echo "1024,2026-03-02T22:00:00Z,2026-03-02T22:10:00Z,0.111,0.222,3,4.9,Lisbon" >> featuresets/data/driver_stats.csv
step ingest
say "The checker finds exactly that skew, with its reason (exit code 1: over the threshold)."
"$STRATA" check --logs --service driver_activity --max-mismatch 0.001 || echo "(exit code $?)"
say "Lineage: where does the offline value come from? A CSV line, an ingest run, an expression."
step lineage --view driver_stats --key driver_id=1024 --at 2026-03-02T22:30:00Z

say "The same story as OpenLineage events for Marquez, DataHub or OpenMetadata (one per line; --emit URL posts them):"
printf '$ strata lineage --export openlineage   # summarised: event, job, run id → outputs\n'
"$STRATA" lineage --export openlineage | python3 -c 'import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print(e["eventType"].ljust(8), e["job"]["name"].ljust(27), e["run"]["runId"], "→", ", ".join(o["name"].rsplit("/", 1)[-1] for o in e["outputs"]))'

say "The training set made before the correction still reproduces byte for byte."
id=$("$STRATA" historical --list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
step historical --reproduce "$id" --out reproduced.csv
cmp training.csv reproduced.csv && echo "training.csv and reproduced.csv are byte-identical"
printf '\nDone. The project is in %s; try `%s --help`.\n' "$DEMO_DIR" "$STRATA"
printf 'Browse it: `cd %s && %s serve --port %s`, then open http://127.0.0.1:%s/ui\n' "$DEMO_DIR" "$STRATA" "$PORT" "$PORT"
