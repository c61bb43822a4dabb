# charla: `make run` to try it, `make test` to check it. See README.md.
GO       ?= go
BIN      := bin/charla
VENDORED := static/htmx.min.js static/hx-ws.min.js static/hx-upsert.min.js
AIR      := github.com/air-verse/air@v1.67.4
# The version stamped into the binary (charla version): the nearest tag,
# else the commit; -dirty when the tree has changes.
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/charla/charla/server.version=$(VERSION)
# make release builds one static binary for each of these (GOOS/GOARCH).
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64

.PHONY: run dev build release test bench gobench check generate assets clean

run: ## serve http://localhost:8080 on the embedded SQLite default
	$(GO) run .

dev: ## hot reload with air (.air.toml)
	$(GO) run $(AIR) -c .air.toml

build: generate ## one static binary with views, assets and migrations inside
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="$(LDFLAGS)" -o $(BIN) .

# Static (CGO_ENABLED=0: the SQLite driver is pure Go) binaries for every
# platform, named charla-VERSION-OS-ARCH, with SHA256SUMS, in dist/.
release: generate ## cross-compile static binaries for PLATFORMS into dist/
	rm -rf dist && mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
		out=dist/charla-$(VERSION)-$$os-$$arch$$ext; echo "$$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags="$(LDFLAGS)" -o $$out .; \
	done
	cd dist && sha256sum charla-* > SHA256SUMS

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

# Front-end files come from npm at the exact versions in package-lock.json.
# The htmx files are copied into static/ and committed (go build and go
# install need no Node); a test checks they are the pinned package byte for
# byte. After changing htmx's version in package.json: npm install, make
# assets, commit static/. node_modules also holds the test tools (tursodb).
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

clean: ## what make built or installed (not the committed htmx files)
	rm -rf bin dist tmp node_modules
