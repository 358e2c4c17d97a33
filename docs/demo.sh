#!/usr/bin/env bash
# The demo behind `make demo`: a fresh example project, taken through every step Strata has.
set -euo pipefail
STRATA=$(realpath "${STRATA:-.build/release/strata}")
DEMO_DIR=${DEMO_DIR:-/tmp/strata-demo}

step() { printf '\n\033[1m$ strata %s\033[0m\n' "$*"; "$STRATA" "$@"; }

rm -rf "$DEMO_DIR"
step init "$DEMO_DIR"
cd "$DEMO_DIR"
step validate
step plan
step apply --message "first version of the driver features" --author demo
step registry list
step ingest
step historical --entities featuresets/data/driver_spine.csv --service driver_activity --out training.csv --include-status
printf '\nFirst rows of training.csv:\n'
head -4 training.csv

# A late correction arrives: the same driver-hour, known 30 minutes later. A new training set sees it
# (the spine row is after the correction was known); the recorded one reproduces byte for byte.
echo "1024,2026-03-01T22:00:00Z,2026-03-01T22:30:00Z,0.999,0.999,99,5.0,Lisbon" >> featuresets/data/driver_stats.csv
step ingest
id=$("$STRATA" historical --list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
step historical --reproduce "$id" --out reproduced.csv
cmp training.csv reproduced.csv && echo "training.csv and reproduced.csv are byte-identical"
step materialize --end 2026-03-02T23:00:00Z
step get --service driver_activity --key driver_id=1024 --key driver_id=9999 --at 2026-03-02T23:00:00Z
printf '\nDone. The project is in %s; try `%s --help`.\n' "$DEMO_DIR" "$STRATA"
