# marquee: `make` builds output/ from data/, `make test` runs the tests.
# Cargo's build directory is shared under ~/.cache so rebuilds and CI reuse compiled crates.

CARGO_TARGET_DIR ?= $(HOME)/.cache/marquee-target
export CARGO_TARGET_DIR

REAL_INPUTS := $(wildcard data/movies_metadata.csv data/movies_metadata.csv.gz data/movies_dataset.csv data/movies_dataset.csv.gz)
DATA ?= $(if $(REAL_INPUTS),data,data/sample)
# The bundled sample carries every kind of damaged row on purpose (a few percent).
REJECT_SHARE ?= $(if $(REAL_INPUTS),0.01,0.05)
OUT ?= output
BENCH_DATA ?= ../shared/data/full
BIN := $(CARGO_TARGET_DIR)/release/marquee

SOURCES := Cargo.toml Cargo.lock build.rs $(shell find src sql templates -type f 2>/dev/null)
INPUTS := $(shell find $(DATA) -maxdepth 1 -type f -name '*.csv*' 2>/dev/null)

.PHONY: all site test bench clean sample browser-test

all: site

site: $(OUT)/manifest.json

$(BIN): $(SOURCES)
	cargo build --release --locked
	@touch $@

# Rebuilt only when the inputs, the SQL, the templates or the code change.
$(OUT)/manifest.json: $(BIN) $(INPUTS)
	@if [ "$(DATA)" = "data/sample" ]; then echo "marquee: no Kaggle files in data/, building from the bundled sample in data/sample"; fi
	$(BIN) build --data $(DATA) --out $(OUT) --max-reject-share $(REJECT_SHARE) --timings

test:
	cargo test --locked

bench: $(BIN)
	@echo "== marquee build on $(BENCH_DATA) (release) =="
	/usr/bin/time -v $(BIN) build --data $(BENCH_DATA) --out /tmp/marquee-bench-out --timings --timings-json /tmp/marquee-bench.json 2> /tmp/marquee-bench.err; status=$$?; \
	  grep -v '^\s' /tmp/marquee-bench.err | grep -v 'Command being timed' ; grep -E 'Elapsed|Maximum resident' /tmp/marquee-bench.err; exit $$status
	@echo "== recommendation quality on $(BENCH_DATA) =="
	$(BIN) eval --data $(BENCH_DATA)

# Regenerates the bundled sample (deterministic).
sample:
	python3 tools/make_sample.py

clean:
	cargo clean
	rm -rf $(OUT) .output.staging-*

# Real-browser tests: Debian's Chromium driven by playwright-core (no browser download).
browser-test:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	cd tests/browser && npm install --no-audit --no-fund --silent
	cargo test --locked --features browser --test browser
