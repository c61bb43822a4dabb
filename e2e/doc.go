// Package e2e holds charla's browser tests: people, each in their own
// headless Chromium, use the app served in-process by server.Run, as a
// person would (typing, clicking, reloading, Back and Forward), while the
// server stops and starts again under them.
//
// harness_test.go is the harness: startApp serves charla on a free loopback
// port and a temp database (app.stop and app.start restart it on the same
// address and file), newBrowser starts one person's Chromium, and the
// browser's methods act on the page and wait for what it shows. Each other
// file tests one feature.
//
// The tests need Chromium (/usr/bin/chromium or "chromium" on PATH).
// Without it they are skipped, unless CHARLA_E2E=1 (as in CI), which makes
// that a failure. CHARLA_E2E_LOG=1 also logs the server's info lines
// (requests, sockets).
package e2e
