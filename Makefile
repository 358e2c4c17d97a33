# Strata: the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
# chromium + chromium-driver: the web UI's browser tests drive headless Chromium through Selenium (python/tests/test_ui.py).
# postgresql: the shared registry's tests start their own PostgreSQL server (initdb in a temporary folder).
# openjdk-17-jre-headless: the Spark engine's tests run pyspark (from .venv) in local mode and as a standalone cluster.
APT_PACKAGES := liblmdb-dev libsqlite3-dev libzstd-dev zlib1g-dev curl python3-venv chromium chromium-driver postgresql openjdk-17-jre-headless
DEMO_DIR ?= /tmp/strata-demo
STRATA := .build/release/strata

.PHONY: deps venv build demo test soak bench-spark bench-definitions bench-offline bench-aggregations bench-online bench-server bench-check bench-get bench-quality bench-columnar bench-python bench-ui clean
.PHONY: bench-micro bench-micro-check bench-micro-thresholds bench-micro-build

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

# Runs the example project end to end and prints what each step did. `make demo ENGINE=spark` runs the same flow with
# training sets computed by Spark (local[2]; SPARK_MASTER=spark://HOST:PORT for a cluster), pyspark from .venv.
ENGINE ?= sqlite
demo: build
	@if [ "$(ENGINE)" = spark ]; then $(MAKE) --no-print-directory venv; fi
	@DEMO_DIR=$(DEMO_DIR) STRATA=$(STRATA) ENGINE=$(ENGINE) SPARK_PYTHON=$(abspath $(PYTHON)) bash docs/demo.sh

# Builds and runs every test. Property tests use a fixed seed in CI (CI=true) and a printed random seed locally.
# Every target imports only what Package.swift declares for it (SwiftPM's import check, run on whatever is compiled).
test: deps venv
	swift build --build-tests --explicit-target-dependency-import-check=error
	STRATA_PYTHON=$(abspath $(PYTHON)) swift test --skip-build --skip '\.SparkEngineTests/'
	@# Spark's JVMs take both cores for minutes: alone, so that the timing-sensitive suites above never share the CPU with them.
	STRATA_PYTHON=$(abspath $(PYTHON)) swift test --skip-build --filter '\.SparkEngineTests/'
	swift build --product strata
	@$(MAKE) --no-print-directory python-client
	@if [ -d python/tests ]; then STRATA_BIN=$(abspath .build/debug/strata) $(PYTHON) -m pytest -q python/tests; fi

clean:
	rm -rf .build $(DEMO_DIR)

# Soak test (not in CI): the release server for SOAK_SECONDS (default 10 minutes) under lookups at c=16, pushes, a
# materialize every 30 s and an apply every minute; prints requests, errors by status, p99 and the server's RSS.
# A 30-second version runs in `make test`.
SOAK_SECONDS ?= 600
soak: build venv
	$(PYTHON) benchmarks/soak/soak.py --strata $(STRATA) --duration $(SOAK_SECONDS)

# Benchmarks: each area measures Strata next to a baseline in the same run (DuckDB and SQLite from .venv, raw LMDB,
# the server's /health) on data generated from the example project's definitions; `make bench` runs them all and
# writes docs/performance.md. SCALE=10 runs the offline and lookup areas on 10M rows / 100k drivers / 1M spine rows.
SCALE ?= 1
DURATION ?= 5
BENCH_BIN := benchmarks/.build/release
.PHONY: bench bench-build bench-report

bench-build: build venv
	@command -v wrk >/dev/null && command -v hyperfine >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get install -y -qq wrk hyperfine; }
	cd benchmarks && swift build -c release --product OnlineBench && swift build -c release --product CheckBench

# Aggregation benchmark: `historical` with count/sum/avg over 1h/24h/7d + a distinct count, 1M events / 10k keys /
# 100k spine rows, vs DuckDB (from .venv) on a preloaded table and plain SQLite, same run, answers compared; then the
# same aggregations served online (materialize and push events/s, tile bytes per key, lookup p50/p99 vs raw mdb_get,
# same run), then over HTTP (wrk, 1 entity, vs a row-feature lookup on the same server).
bench-aggregations: bench-build
	$(PYTHON) benchmarks/aggregations/bench.py --scale $(SCALE)
	$(PYTHON) benchmarks/aggregations/online.py --scale $(SCALE)
	$(PYTHON) benchmarks/aggregations/server.py --scale $(SCALE) --duration $(DURATION)

bench-offline: bench-build
	$(PYTHON) benchmarks/offline/bench.py --scale $(SCALE)

# Spark engine: `historical` (9 row features, 100k spine rows per SCALE) on Spark local[2] next to the SQLite engine, same
# run, answers compared byte for byte, at SCALE=1 and 10 (SPARK_SCALES=1 for the first only); where Spark's time goes.
SPARK_SCALES ?= 1,10
bench-spark: build venv
	$(PYTHON) benchmarks/spark/bench.py --scales $(SPARK_SCALES)

# What each kind of definition edit costs: `strata apply` after it, on the realistic 1M-row project with its source file
# moved away, next to re-ingesting and re-materializing (what every edit cost before issue 21), same run.
bench-definitions: build venv
	$(PYTHON) benchmarks/definitions/bench.py --scale $(SCALE)

bench-online: bench-build
	$(PYTHON) benchmarks/online/bench.py --scale $(SCALE)

bench-server: bench-build
	$(PYTHON) benchmarks/server/bench.py --duration $(DURATION)

bench-check: bench-build
	$(PYTHON) benchmarks/check/bench.py

bench-get: bench-build
	$(PYTHON) benchmarks/get/bench.py

bench-report:
	$(PYTHON) benchmarks/report.py

bench: bench-build python-client
	$(PYTHON) benchmarks/offline/bench.py --scale $(SCALE)
	$(PYTHON) benchmarks/online/bench.py --scale $(SCALE)
	$(PYTHON) benchmarks/aggregations/bench.py --scale $(SCALE)
	$(PYTHON) benchmarks/aggregations/online.py --scale $(SCALE)
	$(PYTHON) benchmarks/python/bench.py --scale $(SCALE)
	@if [ "$(SCALE)" = 1 ]; then \
		$(PYTHON) benchmarks/server/bench.py --duration $(DURATION) && \
		$(PYTHON) benchmarks/check/bench.py && \
		$(PYTHON) benchmarks/get/bench.py; fi
	$(PYTHON) benchmarks/report.py

# Data-quality benchmark: profiling, expectation checks, patterns and drift on 1M rows, next to an ingest of the same rows,
# then pandas describe() + numpy.histogram on the same shape of data as the baseline.
bench-quality: bench-build
	cd benchmarks && swift build -c release --product QualityBench && .build/release/QualityBench
	$(PYTHON) benchmarks/quality/pandas_baseline.py
	STRATA_BIN=$(CURDIR)/.build/release/strata $(PYTHON) benchmarks/quality/profile_file.py

# Columnar benchmark: the offline benchmark's training set written as CSV, Parquet and Arrow, and loaded into pandas.
bench-columnar: bench-build
	$(PYTHON) benchmarks/columnar/bench.py --scale $(SCALE)

# The Python client (python/, `strata_client`) installed into .venv, offline: built by the venv's own setuptools.
.PHONY: python-client
python-client: venv
	$(PYTHON) -m pip install --quiet --no-index --no-deps --no-build-isolation --force-reinstall ./python

# Python client benchmark: a training set through strata_client (local binary and server) as a pandas DataFrame vs
# DuckDB (CSV load + ASOF join + fetch_df) and pandas.read_csv of the CSV training set, same run.
bench-python: bench-build python-client
	$(PYTHON) benchmarks/python/bench.py --scale $(SCALE)

# Web UI page times: a generated registry (1,000 views, 10,000 features, 200 versions of one view, 1,000 training sets)
# served by the release binary; p99 server time and weight per page, search time, next to /health in the same run.
bench-ui: build venv
	$(PYTHON) benchmarks/ui/bench.py --strata $(STRATA)

# Instruction and allocation counts (benchmarks/micro, package-benchmark; docs/performance.md, "Instruction and
# allocation counts"): single and 100-key lookups, the expression evaluator, CSV decoding, a windowed aggregation fold
# and a lookup response's JSON, each with instructions per iteration (callgrind, in StrataMicroCount) and mallocs (in
# process). Counts, not times: the same on a busy machine. `bench-micro` prints the table; `bench-micro-check` (not
# yet in `make test`: callgrind's counts follow the CPU's choice of glibc's memcpy/strlen variants, so thresholds taken
# here are unproven on CI's machines, and its release build adds ~20 minutes) fails when instructions rise by more than 5% or mallocs by more than 2 over benchmarks/micro/Thresholds,
# and passes, with a note, when counts fell that far; `bench-micro-thresholds` rewrites the thresholds from a new run
# after an intended change (commit the files). Its own package and .build: a release build of Strata's libraries.
# (No --disable-sandbox: it reaches swiftc, and `swift build` without it would then rebuild every module, and back.)
MICRO := cd benchmarks/micro && swift package
bench-micro-build: deps
	@command -v valgrind >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq valgrind; }
	cd benchmarks/micro && swift build -c release --product StrataMicroCount

bench-micro: bench-micro-build
	$(MICRO) benchmark --no-progress

bench-micro-check: bench-micro-build
	@log=$$(mktemp); $(MICRO) benchmark thresholds check --no-progress 2>&1 | tee $$log; status=$${PIPESTATUS[0]}; \
	if [ $$status -ne 0 ] && grep -q "is BETTER than the defined thresholds" $$log && ! grep -q "is WORSE than" $$log; then \
		echo "bench-micro-check: counts fell below benchmarks/micro/Thresholds (passes); lower them with 'make bench-micro-thresholds' and commit"; \
		status=0; \
	elif [ $$status -ne 0 ]; then \
		echo "bench-micro-check: FAILED: a count rose above benchmarks/micro/Thresholds (table above), or the suite did not run"; \
	fi; rm -f $$log; exit $$status

bench-micro-thresholds: bench-micro-build
	$(MICRO) --allow-writing-to-package-directory benchmark thresholds update --no-progress
