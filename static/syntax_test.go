package static

import (
	"os"
	"os/exec"
	"testing"
)

// TestScriptParses runs charla.js through Node's parser: a script that
// does not parse runs none of its blocks, and the page never connects.
// (A merge once dropped one "})();" and every browser test timed out.)
// Node is what the front-end tooling needs anyway; without it the test is
// skipped, except in CI (CHARLA_E2E=1), where it fails.
func TestScriptParses(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CHARLA_E2E") == "1" {
			t.Fatal("no node on PATH: CI needs it to check charla.js")
		}
		t.Skip("no node on PATH")
	}
	if out, err := exec.Command(node, "--check", "charla.js").CombinedOutput(); err != nil {
		t.Fatalf("charla.js does not parse: %v\n%s", err, out)
	}
}
