# The two commands: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
USLUGI := $(BUILD_DIR)/uslugi

.PHONY: run test deps build unit integration browser clean bench

# The portal with the registries sandbox and a local SMTP sink; Ctrl-C stops all of them.
run: build
	@mkdir -p var
	@BUILD_DIR=$(BUILD_DIR) exec scripts/run-local.sh

test: build
	@scripts/run-tests.sh

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) -- --no-print-directory

bench: build
	@bench/page_vs_nginx.sh

clean:
	rm -rf $(BUILD_DIR)
