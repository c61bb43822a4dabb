// Command charla is a real-time chat for the browser: Echo serves templ
// pages, htmx's hx-ws extension carries messages over a WebSocket, and every
// message is stored in libSQL/Turso (or a local SQLite file).
//
// main only reads the settings and runs the server (package server) until
// an interrupt or SIGTERM asks it to stop.
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
	cfg, err := server.LoadConfig(os.Getenv)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, cfg, log, nil); err != nil {
		log.Error("charla stopped", "err", err)
		os.Exit(1)
	}
}
