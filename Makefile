# Ferry — build, run, test and measure.
#
#   make build   the ferry binary, stamped with the git version
#   make run     build, then open the console on ./config.toml and ./ferry.db
#                (a new ./ferry.db is filled with demo data on first open)
#   make test    gofmt check, go vet, go test -race (SQLite's own code not instrumented)
#   make bench   benchmarks; narrow with BENCH=Plan PKG=./store/...; the whole-process
#                ones beside their baselines: make bench BENCH=Beside PKG=./cmd/cli
#   make bench-table   every benchmark, then the README's table written from them
#                (internal/benchtable: figures beside their baselines, ratios, targets)
#   make lint    gofmt check, go vet, and staticcheck when it is installed
#   make demo    a 1,000,000-deployment demo database in demo-1m.db
#   make clean   remove the binary, databases, the SSH host key, what the example's
#                scripts wrote, and test caches of this tree

GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X ferry/cmd/cli.Version=$(VERSION)
BIN     := ferry
BENCH   ?= .
PKG     ?= ./...

.PHONY: all build run test fmt-check vet bench bench-table lint demo clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/ferry

run: build
	./$(BIN)

# gofmt -l prints the files that are not formatted; any output fails the check.
fmt-check:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files are not formatted (run gofmt -w on them):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi

vet:
	$(GO) vet ./...

# The race detector instruments Ferry and every library but SQLite itself
# (modernc.org/sqlite/lib, C translated to Go): its memory is reached only through
# database/sql's connections, one goroutine at a time, and instrumenting it made
# SQLite-heavy tests five to eight times slower (make test: 4 min 8 s → 2 min 6 s).
RACE_FLAGS := -race -gcflags='modernc.org/sqlite/lib=-race=false'

test: fmt-check vet
	$(GO) test $(RACE_FLAGS) ./...

bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem $(PKG)

# Every benchmark, then the README's table written from what they printed. The
# whole-process pairs take a median of 15 (a second's worth would be 2 to 4 of the
# slow ones); the million-deployment demo beside its CSV import runs once (minutes);
# a tick over SSH 300 times (its p99 wants them, and it allows no more).
PAIRS := ^Benchmark(Beside|FirstFrame|ReportProcess1M|ReportSQLite3CLI1M)$$
bench-table:
	{ $(GO) test -run '^$$' -bench '$(PAIRS)' -benchtime 15x -benchmem -timeout 60m ./cmd/cli && \
	  FERRY_BENCH_DEMO=1000000 $(GO) test -run '^$$' -bench '^BenchmarkDemoBeside$$' -benchmem -timeout 60m ./cmd/cli && \
	  $(GO) test -run '^$$' -bench '^BenchmarkTickRoundTrip$$' -benchtime 300x -benchmem -timeout 60m ./cmd/sshd && \
	  $(GO) test -run '^$$' -bench . -skip '^BenchmarkTickRoundTrip$$' -benchmem -timeout 60m \
		$$($(GO) list ./... | grep -v '/cmd/cli$$'); } > bench.out || { cat bench.out; exit 1; }
	cat bench.out
	$(GO) run ./internal/benchtable -readme README.md < bench.out

lint: fmt-check vet
	@if command -v staticcheck >/dev/null 2>&1; then \
		staticcheck ./...; \
	else \
		echo "staticcheck not installed; skipped (go install honnef.co/go/tools/cmd/staticcheck@latest)"; \
	fi

demo: build
	./$(BIN) demo --deployments 1000000 --db demo-1m.db

clean:
	rm -f $(BIN) ferry.db ferry.db-wal ferry.db-shm demo-1m.db demo-1m.db-wal demo-1m.db-shm ferry_host_ed25519 bench.out
	rm -rf artifacts build run
	$(GO) clean -testcache
