# The test command of README.md. It needs only Go: modules come from the
# module proxy on first use.
GO ?= go

.PHONY: test run bench fmt-check

test: fmt-check
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

run:
	$(GO) run ./bench/cmd/benchtrace run

# Speed, as docs/performance.md reports it (compare runs with benchstat).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 10 ./sdk/ ./sdk/usage/ ./exporters/benchlog/
