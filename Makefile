# Strata: the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
APT_PACKAGES := liblmdb-dev libsqlite3-dev libzstd-dev zlib1g-dev curl python3-venv
DEMO_DIR ?= /tmp/strata-demo
STRATA := .build/release/strata

.PHONY: deps venv build demo test soak bench-offline bench-online bench-server bench-check clean

# Installs the system libraries Strata links (LMDB, SQLite) when they are missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The Python environment for tests and benchmark baselines (pyarrow, DuckDB, polars, scipy, Selenium, …).
VENV := .venv
PYTHON := $(VENV)/bin/python
venv: $(VENV)/.installed
$(VENV)/.installed: python/requirements-test.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r python/requirements-test.txt
	touch $@

build: deps
	swift build -c release --product strata

# Runs the example project end to end and prints what each step did.
demo: build
	@DEMO_DIR=$(DEMO_DIR) STRATA=$(STRATA) bash docs/demo.sh

# Builds and runs every test. Property tests use a fixed seed in CI (CI=true) and a printed random seed locally.
test: deps venv
	swift build --build-tests
	STRATA_PYTHON=$(abspath $(PYTHON)) swift test --skip-build
	swift build --product strata
	@if [ -d python/tests ]; then STRATA_BIN=$(abspath .build/debug/strata) $(PYTHON) -m pytest -q python/tests; fi

clean:
	rm -rf .build $(DEMO_DIR)

# Soak test (not in CI): the release server for SOAK_SECONDS (default 10 minutes) under lookups at c=16, pushes, a
# materialize every 30 s and an apply every minute; prints requests, errors by status, p99 and the server's RSS.
# A 30-second version runs in `make test`.
SOAK_SECONDS ?= 600
soak: build
	python3 benchmarks/soak/soak.py --strata $(STRATA) --duration $(SOAK_SECONDS)

# Offline benchmark: Strata vs DuckDB ASOF JOIN vs plain SQLite on generated data (SCALE=10 for 10M rows).
SCALE ?= 1
bench-offline: build
	@python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
	python3 benchmarks/offline/bench.py --scale $(SCALE)

# Online benchmark: materialize, push and in-process lookups next to raw LMDB in the same run (SCALE=10 adds 10M rows / 100k keys).
bench-online: deps
	cd benchmarks && swift build -c release --product OnlineBench
	benchmarks/.build/release/OnlineBench --scale $(SCALE)

# Server benchmark: wrk against strata serve (1 and 100 entities, logging on/off, c=1/16/64) next to /health.
DURATION ?= 15
bench-server: build
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get install -y -qq wrk; }
	python3 benchmarks/server/bench.py --duration $(DURATION)

# Consistency-check benchmark: replay 1M logged lookups against 1M offline rows / 10k keys.
bench-check: deps
	cd benchmarks && swift build -c release --product CheckBench
	benchmarks/.build/release/CheckBench
