# Common tasks. `make test` is what CI runs (through .ci/run).
GO        ?= go
BIN       ?= bin/agentmark
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: build test vet fmt conformance bench demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/agentmark

test: vet
	$(GO) test $(TESTFLAGS) ./...

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Render conformance against upstream's golden outputs (needs Node and ../shared).
conformance: build
	bash scripts/conformance.sh $(BIN)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./templatedx/... ./prompt/...
	bash bench/render/run.sh

# The main job, offline: scaffold a project and run its example prompt
# (model_name mock/echo: the built-in mock provider, no network).
demo: build
	rm -rf /tmp/agentmark-demo && $(BIN) init /tmp/agentmark-demo >/dev/null
	$(BIN) run-prompt /tmp/agentmark-demo/agentmark/customer-support.prompt.mdx

clean:
	rm -rf bin dist
