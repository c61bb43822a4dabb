package server

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release, stamped at build time by make release:
//
//	go build -ldflags "-X github.com/charla/charla/server.version=v1.2.0"
//
// Empty (a plain go build), Version falls back on what the Go toolchain
// recorded: the module version (go install …@v1.2.0) and the commit.
var version string

// Version says which charla this is: the stamped version, else the
// module's, with the commit it was built from when known, and the Go that
// built it.
func Version() string {
	v, commit, dirty := version, "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version // "(devel)" for a build in a checkout
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	out := "charla " + v
	if commit != "" {
		out += " commit " + commit[:min(12, len(commit))]
		if dirty {
			out += "+modified"
		}
	}
	return fmt.Sprintf("%s %s %s/%s", out, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
