# marquee: `make` builds output/ from data/, `make test` runs the tests.
# Cargo's build directory is shared under ~/.cache so rebuilds and CI reuse compiled crates.

CARGO_TARGET_DIR ?= $(HOME)/.cache/marquee-target
export CARGO_TARGET_DIR

REAL_INPUTS := $(wildcard data/movies_metadata.csv data/movies_metadata.csv.gz data/movies_dataset.csv data/movies_dataset.csv.gz)
DATA ?= $(if $(REAL_INPUTS),data,data/sample)
OUT ?= output
# The address the site will be published at (optional): `make BASE_URL=https://example.org/cine/`
# adds sitemap.xml, robots.txt, canonical links and Open Graph tags.
BASE_URL ?=
BENCH_DATA ?= ../shared/data/full
BENCH_SCALES ?= 1 4 8
BENCH_OUT ?= /tmp/marquee-bench
BENCH_SETTLE ?= 10
# Rows of the synthetic ratings.csv of the full-ratings case (0 skips it).
BENCH_RATINGS_ROWS ?= 26000000
# One cargo profile (dev, optimised in Cargo.toml) for make, tests, bench and CI:
# the dependencies compile once.
BIN := $(CARGO_TARGET_DIR)/debug/marquee

# Templates and static files are read at run time (--templates): editing them is a
# rebuild, not a recompile.
SOURCES := Cargo.toml Cargo.lock $(shell find src sql crates -type f 2>/dev/null)
TEMPLATES_DIR ?= templates
TEMPLATES := $(shell find $(TEMPLATES_DIR) -type f 2>/dev/null)
INPUTS := $(shell find $(DATA) -maxdepth 1 -type f -name '*.csv*' 2>/dev/null)

.PHONY: all etl recommend site test bench clean sample browser-test

all: site

# When the last build finished. (Not output/manifest.json: a rebuild of unchanged data
# links it from the previous output, old modification time and all.)
STAMP := $(OUT).cache/make-stamp
site: $(STAMP)
ifeq ($(wildcard $(OUT)/manifest.json),)
.PHONY: $(STAMP)
endif

$(BIN): $(SOURCES)
	cargo build --locked
	@touch $@

# The pipeline, one target a stage: etl (load and clean the inputs), recommend (every
# movie's five), site (the questions, the bundle, the pages, and publishing output/).
# `make etl` and `make recommend` keep their results in $(OUT).cache/stages without
# touching output/; the next stage starts from them. Each runs only when what it is
# made from changed, so `make -q TARGET` says truthfully whether TARGET is up to date.
ETL_STAMP := $(OUT).cache/make-etl
RECOMMEND_STAMP := $(OUT).cache/make-recommend
etl: $(ETL_STAMP)
recommend: $(RECOMMEND_STAMP)

$(ETL_STAMP): $(BIN) $(INPUTS)
	@if [ "$(DATA)" = "data/sample" ]; then echo "marquee: no Kaggle files in data/, building from the bundled sample in data/sample"; fi
	$(BIN) build --data $(DATA) --out $(OUT) --until etl
	@mkdir -p $(@D) && touch $@

$(RECOMMEND_STAMP): $(ETL_STAMP)
	$(BIN) build --data $(DATA) --out $(OUT) --until recommend
	@mkdir -p $(@D) && touch $@

# Rebuilt only when the inputs, the SQL, the templates or the code change; marquee then
# reuses what the change did not touch (see $(OUT).cache beside the output).
$(STAMP): $(RECOMMEND_STAMP) $(TEMPLATES)
	$(BIN) build --data $(DATA) --out $(OUT) --templates $(TEMPLATES_DIR) --timings $(if $(BASE_URL),--base-url '$(BASE_URL)')
	@mkdir -p $(@D) && touch $@

# check.mjs runs the browser's normalisation and lookup (marquee.js) under node;
# tests/search/check.mjs its search and suggestions on the sample's index.
SEARCH_CHECK_OUT ?= /tmp/marquee-search-check
test:
	cargo test --locked --workspace
	node tests/normalization/check.mjs
	$(BIN) build --data data/sample --out $(SEARCH_CHECK_OUT)
	node tests/search/check.mjs $(SEARCH_CHECK_OUT) sample

# The bench's cluster run (a Ballista scheduler and two executors on this machine) needs
# a binary built with the ballista feature: the first one compiles DataFusion a second
# time with Ballista's features. BENCH_CLUSTER=0 skips the run and that compile.
BENCH_CLUSTER ?= 1
CLUSTER_BIN := $(CARGO_TARGET_DIR)/debug/marquee-ballista
BENCH_CLUSTER_BIN := $(if $(filter 1,$(BENCH_CLUSTER)),$(CLUSTER_BIN))

# Cargo puts the last build's binary at $(BIN): the plain build afterwards puts it back.
$(CLUSTER_BIN): $(SOURCES)
	cargo build --locked --features ballista
	cp $(BIN) $@
	cargo build --locked
	@touch $(BIN)

bench: $(BIN) $(BENCH_CLUSTER_BIN)
	BENCH_CLUSTER_BIN=$(BENCH_CLUSTER_BIN) BENCH_SETTLE=$(BENCH_SETTLE) tools/bench.sh $(BIN) $(BENCH_DATA) "$(BENCH_SCALES)" $(BENCH_OUT) $(BENCH_RATINGS_ROWS)

# Regenerates the bundled sample (deterministic).
sample:
	python3 tools/make_sample.py

clean:
	cargo clean
	rm -rf $(OUT) $(OUT).cache .output.staging-*

# Real-browser tests: Debian's Chromium driven by playwright-core (no browser download).
browser-test:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	cd tests/browser && npm install --no-audit --no-fund --silent
	cargo test --locked --features browser --test browser
