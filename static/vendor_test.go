package static

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// vendorSource is where each committed htmx file comes from in the npm
// package htmx.org.
var vendorSource = map[string]string{
	"htmx.min.js":      "dist/htmx.min.js",
	"hx-ws.min.js":     "dist/ext/hx-ws.min.js",
	"hx-upsert.min.js": "dist/ext/hx-upsert.min.js",
}

// The htmx files are committed, so that go build and go install work
// without Node; they must be byte for byte the npm package at the version
// package-lock.json pins (which npm ci checks against the lock's
// integrity hash). Without node_modules (no npm ci) this skips, unless
// CHARLA_TURSO=1 or CHARLA_E2E=1 (CI, which runs npm ci for tursodb and
// the browser tests anyway), where it fails.
func TestVendorFilesAreThePinnedNpmPackage(t *testing.T) {
	pkg := filepath.Join("..", "node_modules", "htmx.org")
	installed, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		if os.Getenv("CHARLA_TURSO") == "1" || os.Getenv("CHARLA_E2E") == "1" {
			t.Fatalf("no node_modules/htmx.org (run npm ci, or make assets): %v", err)
		}
		t.Skip("no node_modules/htmx.org: run npm ci (or make assets) to check the committed htmx files")
	}
	lock, err := os.ReadFile(filepath.Join("..", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var locked struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	var have struct{ Version string }
	if err := json.Unmarshal(lock, &locked); err != nil {
		t.Fatalf("package-lock.json: %v", err)
	}
	if err := json.Unmarshal(installed, &have); err != nil {
		t.Fatalf("node_modules/htmx.org/package.json: %v", err)
	}
	want := locked.Packages["node_modules/htmx.org"].Version
	if want == "" || have.Version != want {
		t.Fatalf("node_modules has htmx.org %q, package-lock.json pins %q: run npm ci", have.Version, want)
	}
	if len(vendorSource) != len(Vendor) {
		t.Fatalf("Vendor lists %d files, vendorSource %d: keep them together", len(Vendor), len(vendorSource))
	}
	for _, name := range Vendor {
		committed, err := FS.ReadFile(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		npm, err := os.ReadFile(filepath.Join(pkg, vendorSource[name]))
		if err != nil {
			t.Errorf("htmx.org %s: %v", vendorSource[name], err)
			continue
		}
		if !bytes.Equal(committed, npm) {
			t.Errorf("static/%s differs from htmx.org@%s %s: run make assets and commit static/", name, want, vendorSource[name])
		}
	}
}

// The htmx files are tracked by git: a clean clone builds a whole binary
// (before, they were ignored, and go build without make assets served
// pages without htmx).
func TestVendorFilesAreCommitted(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	if err := exec.Command(git, "rev-parse", "--git-dir").Run(); err != nil {
		t.Skip("not a git checkout")
	}
	for _, name := range Vendor {
		if out, err := exec.Command(git, "ls-files", "--error-unmatch", name).CombinedOutput(); err != nil {
			t.Errorf("static/%s is not tracked by git (%v: %s): a clean clone would build without it", name, err, bytes.TrimSpace(out))
		}
	}
}
