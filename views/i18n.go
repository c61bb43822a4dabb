package views

import (
	"context"

	"github.com/charla/charla/i18n"
)

// T is a message of the catalog in the reader's language (see package
// i18n): every word a view shows goes through it, as { T(ctx, "id") }.
func T(ctx context.Context, id string, args ...any) string { return i18n.T(ctx, id, args...) }

// lang is the reader's language, for <html lang>, which Intl on the page
// also follows.
func lang(ctx context.Context) string { return string(i18n.LangOf(ctx)) }
