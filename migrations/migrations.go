// Package migrations holds charla's schema as numbered goose SQL files,
// embedded so that the binary carries them. Add new files at the end; never
// edit one that has shipped.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
