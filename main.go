// Command charla is a real-time chat for the browser: Echo serves templ
// pages, htmx's hx-ws extension carries messages over a WebSocket, and every
// message is stored in libSQL/Turso (or a local SQLite file).
//
// main only hands the command line to package server (serve, backup,
// version), which runs until it is done or an interrupt or SIGTERM asks it
// to stop.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/charla/charla/server"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := server.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, log)
	stop()
	os.Exit(code)
}
