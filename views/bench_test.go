package views_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/views"
)

// BenchmarkRenderMessageFrame renders what the socket sends for one new
// message: done once per message, whatever the number of readers.
func BenchmarkRenderMessageFrame(b *testing.B) {
	benchmarkFrame(b, "load s=3 n=17 t=1795640000000000000")
}

// BenchmarkRenderMessageFrameLinkAndCode is the same for a message whose
// body has an address and inline code: the path that splits the body.
func BenchmarkRenderMessageFrameLinkAndCode(b *testing.B) {
	benchmarkFrame(b, "the notes: https://example.com/charla/releases/2026-12-01?utm_source=chat, then run `make test`")
}

func benchmarkFrame(b *testing.B, body string) {
	msgs := []chat.Message{{
		ID: 123456, RoomID: 1, Key: "K7Q2JX4MZA-3-17", Author: "curious-otter",
		Body: body, CreatedAt: time.Now(),
	}}
	ctx := context.Background()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := views.MessagesFrame(msgs).Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/frame")
}
