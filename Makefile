# charla: `make run` to try it, `make test` to check it. See README.md.
GO       ?= go
BIN      := bin/charla
VENDORED := static/htmx.min.js static/hx-ws.min.js static/hx-upsert.min.js
AIR      := github.com/air-verse/air@v1.67.4

.PHONY: run dev build test bench gobench check generate assets clean

run: assets ## serve http://localhost:8080 on the embedded SQLite default
	$(GO) run .

dev: assets ## hot reload with air (.air.toml)
	$(GO) run $(AIR) -c .air.toml

build: assets generate ## one static binary with views, assets and migrations inside
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o $(BIN) .

test: assets check ## everything CI runs
	$(GO) test -race -count=1 ./...

bench: assets ## load workloads on charla and the limit baseline → BENCHMARKS.md (about 3 minutes)
	$(GO) run ./cmd/charla-bench -out BENCHMARKS.md

gobench: ## the Go benchmarks of the hot path (CI runs them once each: -benchtime=1x)
	$(GO) test -run '^$$' -bench . -benchmem ./...

check: ## generated code fresh, gofmt and go vet clean
	@$(GO) tool templ generate >/dev/null
	@git diff --exit-code --stat -- '*_templ.go' || { echo "stale *_templ.go: run 'make generate' and commit"; exit 1; }
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

generate: ## templ → *_templ.go
	$(GO) tool templ generate

# Front-end files come from npm at the exact versions in package-lock.json
# and are copied into static/ (and embedded), never committed.
assets: $(VENDORED)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static/htmx.min.js: node_modules/.package-lock.json
	cp node_modules/htmx.org/dist/htmx.min.js $@
static/hx-ws.min.js: node_modules/.package-lock.json
	cp node_modules/htmx.org/dist/ext/hx-ws.min.js $@
static/hx-upsert.min.js: node_modules/.package-lock.json
	cp node_modules/htmx.org/dist/ext/hx-upsert.min.js $@

clean:
	rm -rf bin tmp node_modules $(VENDORED)
