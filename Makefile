# Kefu — the two commands: `make run` and `make test`. Everything they need is
# installed by them (Go modules, npm packages, and for tests Debian's Chromium).

SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X kefu/cmd/cli.Version=$(VERSION) -X kefu/cmd/cli.Commit=$(COMMIT) -X kefu/cmd/cli.BuildDate=$(DATE)
WEB := console/web

.PHONY: all build ui go run test test-go test-ui test-e2e test-deps vet bench eval clean

all: build

## build: the web UI and the binary bin/kefu (UI embedded)
build: ui go

$(WEB)/node_modules/.stamp: $(WEB)/package.json $(WEB)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required (Node.js >= 20.19)"; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

ui: $(WEB)/node_modules/.stamp
	cd $(WEB) && npm run build --silent

go:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/kefu ./cmd/kefu

## run: build and start the appliance on embedded defaults with demo data
run: build
	bin/kefu serve --demo

## test: every suite — Go (SQLite and MariaDB), UI unit tests, browser end-to-end
test: test-deps vet test-go test-ui test-e2e

test-deps:
	@bash .ci/test-deps

vet:
	$(GO) vet ./...
	@out=$$($$($(GO) env GOROOT)/bin/gofmt -l appliance cmd connectors console knowledge nlu); \
	if [ -n "$$out" ]; then echo "gofmt -w these files:"; echo "$$out"; exit 1; fi

test-go:
	$(GO) test -race -count=1 -timeout 15m ./...

test-ui: $(WEB)/node_modules/.stamp
	cd $(WEB) && npx vitest run

test-e2e: build
	cd $(WEB) && npx playwright test

## eval: retrieval on the demo knowledge base; intents on the public datasets (../shared/datasets)
eval: go
	bin/kefu eval retrieval --demo --queries knowledge/testdata/demo-eval.jsonl
	bin/kefu eval intents --train ../shared/datasets/banking77/train.jsonl --test ../shared/datasets/banking77/test.jsonl
	bin/kefu eval intents --train ../shared/datasets/smp2017_ecdt_task1/train.jsonl --test ../shared/datasets/smp2017_ecdt_task1/test.jsonl

## bench: app API throughput and latency on SQLite and on MariaDB
bench: go
	bin/kefu bench app --db sqlite
	bin/kefu bench app --db mysql

clean:
	rm -rf bin $(WEB)/dist/assets $(WEB)/dist/index.html $(WEB)/test-results $(WEB)/playwright-report
