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
step registry search hourly
printf '\nDone. The project is in %s; try `%s --help`.\n' "$DEMO_DIR" "$STRATA"
