# The two commands: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
USLUGI := $(BUILD_DIR)/uslugi

.PHONY: run test deps configure build build-portal unit integration browser clean bench test-sanitize fuzz-smoke

# The portal with the registries sandbox and a local SMTP sink; Ctrl-C stops all of them.
run: build-portal
	@mkdir -p var
	@BUILD_DIR=$(BUILD_DIR) exec scripts/run-local.sh

test: build
	@scripts/run-tests.sh

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

# Everything: the program, the tests and the benchmarks.
build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) -- --no-print-directory

# Only the program, which is all `make run` needs.
build-portal: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target uslugi -- --no-print-directory

# Unit and integration tests against a build with ASan + UBSan in build-asan
# (docs/testing.md); `make test-sanitize SANITIZE_ARGS=--postgresql` adds PostgreSQL.
test-sanitize: deps
	@scripts/test-sanitize.sh $(SANITIZE_ARGS)

# A few seconds of libFuzzer per target in build-fuzz (also a step of `make test`);
# FUZZ_SECONDS=300 for a longer run.
fuzz-smoke: deps
	@scripts/fuzz-smoke.sh

bench: build
	@bench/page_vs_nginx.sh

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
