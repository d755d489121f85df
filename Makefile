# The test command of README.md. It installs what it needs by itself: Go
# modules come from the module proxy; Prometheus and docker-compose (to
# validate docker-compose.yml) from Debian, when missing; the collector and
# Jaeger are built by collector/stack into the ignored .cache/ folder.
GO ?= go
COMPONENT := exporters/benchlogexporter
# Every Go module of the repository: the root (SDK, command, tests), the
# attribute keys, the log format, and the collector component.
MODULES := . sdk/semconv exporters/benchlog $(COMPONENT)

.PHONY: test unit e2e deps run bench fmt-check vet

test: fmt-check vet unit e2e

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# vet also builds every module for Windows and macOS: the SDK and the
# command must build there, though the tests run on Linux.
vet:
	@set -e; for m in $(MODULES); do echo "go vet: $$m"; (cd $$m && $(GO) vet ./... && \
		GOOS=windows $(GO) build ./... && GOOS=darwin $(GO) build ./...); done

# Unit tests of every module: no servers.
unit: deps
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) test -race -count=1 ./...); done

# The end-to-end tests: build and start the stack (collector, Jaeger,
# Prometheus on loopback ports), run benchmarks through it, stop it.
e2e: deps
	BENCHTRACE_E2E=1 BENCHTRACE_STACK_TEST=1 $(GO) test -p 1 -count=1 -timeout 45m -v ./collector/ ./collector/e2e/

# Debian packages the tests use, installed once (Node.js and npm for the
# end-to-end test of a Node producer, collector/e2e/node).
deps:
	@missing=""; \
	command -v prometheus >/dev/null || missing="$$missing prometheus"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

run:
	$(GO) run ./bench/cmd/benchtrace run

# Speed, as docs/performance.md reports it (compare runs with benchstat).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 10 ./sdk/ ./sdk/usage/
	cd exporters/benchlog && $(GO) test -run '^$$' -bench . -benchmem -count 10 ./...
	cd $(COMPONENT) && $(GO) test -run '^$$' -bench . -benchmem -count 10 ./...
