# Moat's entry points. `make up` and `make test` each install what is missing
# first (scripts/setup.sh), so a fresh Debian 12 machine needs nothing else.
SWIFT ?= swift
DATA ?= ./data
# Conformance suites that keep both cores busy for seconds. They run in their
# own process, so they cannot delay the timing-sensitive server tests.
CPU_BOUND_TESTS = MoatTOMLTests|MoatJOSETests|MoatCryptoTests|MoatJSONTests|MoatDataTests|MoatGuardTests

.PHONY: up build test test-swift test-browser test-terraform test-interop bench setup setup-python clean

setup:
	./scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product moat

up: build
	./.build/release/moat up --data $(DATA)

test: setup-python
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter '$(CPU_BOUND_TESTS)'
	$(SWIFT) test --skip-build --skip '$(CPU_BOUND_TESTS)'
	./scripts/interop-test.sh
	./scripts/terraform-test.sh
	./scripts/browser-test.sh
	./scripts/gateway-browser-test.sh
	# `make up` builds in release mode, whose whole-module compilation has
	# failed where the debug build passed, so the test run builds it too.
	$(SWIFT) build -c release --product moat

setup-python:
	./scripts/setup.sh --with-python

test-swift: setup
	$(SWIFT) test

# Speed measured against a peer in the same run; results go to docs/benchmarks.md.
bench: setup
	./bench/identity/run.sh
	./bench/guard/run.sh
	./bench/audit/run.sh
	./bench/gateway/run.sh

test-browser: setup-python
	./scripts/browser-test.sh
	./scripts/gateway-browser-test.sh

# Offline checks of the Azure Terraform (deploy/azure): HCL parse, baseline tests,
# checkov. The script installs its own Python packages into .venv.
test-terraform:
	./scripts/terraform-test.sh

test-interop: setup-python
	./scripts/interop-test.sh

clean:
	rm -rf .build .venv
