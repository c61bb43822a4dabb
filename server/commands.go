package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/charla/charla/db"
)

// usage is what charla help prints.
const usage = `usage: charla [command]

  (none), serve   run the chat server (settings from the environment and .env; see README.md)
  backup PATH     write a consistent copy of the file database (DATABASE_URL) to PATH, online
  version         print the version
  help            print this
`

// Exit codes of Main.
const (
	exitOK    = 0
	exitError = 1 // the command failed
	exitUsage = 2 // a wrong command line or setting
)

// Main runs the command that args name (os.Args[1:]) and returns the exit
// code: main stays a few lines, and tests run every command as the binary
// does.
func Main(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		if len(args) != 0 {
			return usageError(stdout, "serve takes no arguments")
		}
		return serve(ctx, getenv, log)
	case "backup":
		if len(args) != 1 || args[0] == "" {
			return usageError(stdout, "backup takes one argument: the path of the copy to write")
		}
		return backup(ctx, args[0], getenv, stdout, log)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, Version())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		return usageError(stdout, fmt.Sprintf("unknown command %q", cmd))
	}
}

func usageError(w io.Writer, problem string) int {
	fmt.Fprintf(w, "charla: %s\n\n%s", problem, usage)
	return exitUsage
}

func serve(ctx context.Context, getenv func(string) string, log *slog.Logger) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		log.Error("config", "err", err)
		return exitUsage
	}
	if err := Run(ctx, cfg, log, nil); err != nil {
		log.Error("charla stopped", "err", err)
		return exitError
	}
	return exitOK
}

// backup copies DATABASE_URL's file to path (see db.Backup).
func backup(ctx context.Context, path string, getenv func(string) string, stdout io.Writer, log *slog.Logger) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		log.Error("config", "err", err)
		return exitUsage
	}
	info, err := db.Backup(ctx, cfg.DatabaseURL, path)
	if err != nil {
		log.Error("backup failed", "err", err)
		if errors.Is(err, db.ErrBackupRemote) {
			return exitUsage
		}
		return exitError
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %d messages, %d bytes\n", db.Redact(cfg.DatabaseURL), info.Path, info.Messages, info.Bytes)
	return exitOK
}
