package views_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestViewsDoNotPullInTheDatabase: the views render plain values (package
// chat), so rendering a page or a frame needs no SQL driver, no migration
// tool and no database/sql. When views imported db, every view pulled in
// libsql, modernc's SQLite and goose.
func TestViewsDoNotPullInTheDatabase(t *testing.T) {
	// go test puts its own go first on PATH.
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "github.com/charla/charla/views").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps views: %v\n%s", err, out)
	}
	var bad []string
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"database/sql", "sqlite", "libsql", "goose", "github.com/charla/charla/db"} {
			if strings.Contains(pkg, banned) {
				bad = append(bad, pkg)
				break
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("views depends on %d database packages, want none (a view must not pull in the database):\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
}
