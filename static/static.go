// Package static is what the browser gets besides HTML: charla.css,
// charla.js, and the htmx files, committed so that go build and go install
// work without Node. They are the npm package pinned in package-lock.json,
// byte for byte (TestVendorFilesAreThePinnedNpmPackage); `make assets`
// copies them again from node_modules after a version change.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed *.css *.js
var FS embed.FS

// Vendor lists the files copied from npm. Their absence is a build mistake,
// which TestVendorAssetsAreEmbedded reports.
var Vendor = []string{"htmx.min.js", "hx-ws.min.js", "hx-upsert.min.js"}

// Version is a short hash of every embedded file, for cache-busting URLs.
func Version() string {
	h := sha256.New()
	fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}
