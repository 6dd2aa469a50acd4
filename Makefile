# The two commands a new user needs: `make run` and `make test`.
# Everything they need is installed here, from the Go module proxy (and, for
# the browser and client tests, Debian and npm packages).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# MinIO server as published, pinned: installed once from the Go module proxy
# (about 5 minutes on 2 cores) and cached outside the work tree, so clones
# share it. nats-server, at the version go.mod pins, is for the tests that
# need a NATS of their own (replicas, NATS outages). The stamps name the
# versions.
MINIO_VERSION ?= v0.0.0-20260212201848-7aac2a2c5b7c
NATS_VERSION  := $(shell go list -m -f '{{.Version}}' github.com/nats-io/nats-server/v2)
TOOLS_DIR     ?= $(HOME)/.cache/s3gateway/stock
MINIO_BIN     ?= $(TOOLS_DIR)/minio
NATS_SERVER_BIN ?= $(TOOLS_DIR)/nats-server
MINIO_STAMP   := $(TOOLS_DIR)/.minio-$(MINIO_VERSION)
NATS_STAMP    := $(TOOLS_DIR)/.nats-server-$(NATS_VERSION)
export MINIO_BIN NATS_SERVER_BIN

GATEWAY_BIN := bin/gateway
DEVIDP_BIN  := bin/devidp

.PHONY: help build run test minio nats-server vet fmt clean openapi compose-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build the gateway and the development identity provider into bin/
	go build -o $(GATEWAY_BIN) ./cmd/gateway
	go build -o $(DEVIDP_BIN) ./cmd/devidp

minio: $(MINIO_STAMP) ## install the pinned MinIO server as published (cached in ~/.cache/s3gateway)

nats-server: $(NATS_STAMP) ## install nats-server at go.mod's version, for the tests with an external NATS

# No file prerequisites: the stamp's name already says which version it was
# built from, and a fresh clone's files are always newer. Built outside the
# module so that the project's go.mod is not involved.
$(MINIO_STAMP):
	@mkdir -p $(TOOLS_DIR)
	@echo "installing MinIO $(MINIO_VERSION) (first time only, a few minutes)..."
	cd $(TOOLS_DIR) && GOBIN=$(abspath $(TOOLS_DIR)) GOFLAGS= CGO_ENABLED=0 go install -trimpath github.com/minio/minio@$(MINIO_VERSION)
	@rm -f $(TOOLS_DIR)/.minio-*
	@touch $@

$(NATS_STAMP):
	@mkdir -p $(TOOLS_DIR)
	cd $(TOOLS_DIR) && GOBIN=$(abspath $(TOOLS_DIR)) GOFLAGS= CGO_ENABLED=0 go install -trimpath github.com/nats-io/nats-server/v2@$(NATS_VERSION)
	@rm -f $(TOOLS_DIR)/.nats-server-*
	@touch $@

run: build minio ## start a local MinIO, a demo tenant, the gateway and a development identity provider
	./scripts/run.sh

vet: ## a gofmt check, go vet and staticcheck (pinned in go.mod's tool directive)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	go tool staticcheck ./...

test: minio nats-server vet openapi-lint compose-check browser-deps node-deps ## the whole suite, against a real MinIO
	go test -count=1 -race -timeout 30m ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)

.PHONY: fuzz loadtest bench

# Fuzz targets, as package:Target; `make fuzz` runs each for FUZZTIME.
# `make test` gives each a number of inputs instead of a duration: Go 1.26's
# fuzzing coordinator can report the end of a timed run as a failure
# ("context deadline exceeded", golang/go#75804), a count never races it.
FUZZTIME ?= 10s
TEST_FUZZTIME ?= 20000x
FUZZ_TARGETS := handlers:FuzzObjectName handlers:FuzzRange handlers:FuzzDecodeJSON \
	service:FuzzBucketName access:FuzzParse

fuzz: ## run every fuzz target for FUZZTIME (default 10s) each
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $$t for $(FUZZTIME)"; \
	  go test -run='^$$' -fuzz="^$${t#*:}$$" -fuzztime=$(FUZZTIME) ./$${t%%:*} || exit 1; \
	done

loadtest: minio ## mixed load against a real MinIO, restarted midway; fails on corruption, loss or 5xx
	go run ./cmd/loadtest $(LOADTEST_FLAGS)

# The benchmark against its peers (direct MinIO, nginx, MinIO Console): a
# full run takes about 20 minutes and rewrites bench/results.json and
# bench/RESULTS.md; QUICK=1 checks it in about 3 minutes. BENCH_FLAGS go to
# the command (see go run ./bench/cmd/bench -h).
QUICK ?=
BENCH_FLAGS ?=
CONSOLE_VERSION ?= v1.7.6
CONSOLE_BIN     ?= $(TOOLS_DIR)/console
export CONSOLE_BIN

bench: build minio bench-deps ## gateway vs direct MinIO, nginx and Console; writes bench/results.json and bench/RESULTS.md (QUICK=1: short)
	QUICK=$(QUICK) go run ./bench/cmd/bench $(BENCH_FLAGS)

.PHONY: bench-deps
bench-deps: $(CONSOLE_BIN) ## install the benchmark's peers if missing: Debian's nginx, MinIO Console (Go module proxy)
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  sudo=; if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; fi; \
	  $$sudo apt-get update -q; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx; \
	fi

$(CONSOLE_BIN):
	@mkdir -p $(TOOLS_DIR)
	@echo "building MinIO Console $(CONSOLE_VERSION) (first time only)..."
	GOBIN=$(TOOLS_DIR) go install github.com/minio/console/cmd/console@$(CONSOLE_VERSION)

openapi: ## regenerate openapi/openapi.json from the handlers' annotations
	go run ./openapi/cmd/genopenapi

.PHONY: clients browser-deps node-deps openapi-lint

# Redocly CLI (pinned in openapi/lint/package-lock.json) with its
# recommended rules as errors; no Node.js or npm fails here, never skips.
openapi-lint: openapi/lint/node_modules/.package-lock.json ## lint openapi/openapi.json with an independent validator
	cd openapi/lint && npm run --silent lint

openapi/lint/node_modules/.package-lock.json: openapi/lint/package.json openapi/lint/package-lock.json
	cd openapi/lint && npm ci --no-audit --no-fund


clients: node-deps ## regenerate the Go and TypeScript clients from openapi/openapi.json
	go run ./clients/go/gen
	cd clients/ts && npm run --silent generate

compose-check: ## validate docker-compose.yml (installs Debian's docker-compose if missing)
	@if ! command -v docker-compose >/dev/null; then \
	  sudo=; if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; fi; \
	  $$sudo apt-get update -q; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose; \
	fi
	docker-compose -f docker-compose.yml config -q
	docker-compose -f docker-compose.yml --profile scale config -q

browser-deps: ## install Debian's Chromium and ChromeDriver for the browser tests, if missing
	@if [ ! -x /usr/bin/chromium ]; then \
	  sudo=; if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; fi; \
	  $$sudo apt-get update; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi

node-deps: clients/ts/node_modules/.package-lock.json clients/heyapi/node_modules/.package-lock.json ## install the TypeScript clients' npm packages, if needed

clients/ts/node_modules/.package-lock.json: clients/ts/package.json clients/ts/package-lock.json
	cd clients/ts && npm ci --no-audit --no-fund

clients/heyapi/node_modules/.package-lock.json: clients/heyapi/package.json clients/heyapi/package-lock.json
	cd clients/heyapi && npm ci --no-audit --no-fund

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build output and the local run's data
	rm -rf bin .run bench/tmp cmd/loadtest/loadtest
