package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/charla/charla/db"
	"github.com/charla/charla/db/dbtest"
)

// BenchmarkIndexSearch times indexing 10,000 new messages of a dozen words
// on each index of a file: what the background indexer does after an
// upgrade, and what every search's catch-up does a few at a time.
func BenchmarkIndexSearch(b *testing.B) {
	const n = 10_000
	for _, kind := range []string{"fts5", "like"} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				s := dbtest.File(b)
				if kind == "like" {
					s.UseLikeIndex()
				}
				for i := 0; i < n; i += 1000 {
					batch := make([]db.NewMessage, 1000)
					for j := range batch {
						batch[j] = db.NewMessage{RoomID: db.GeneralRoom, Key: fmt.Sprintf("index-%08d", i+j), Author: "otter",
							Body: fmt.Sprintf("Mensaje número %d: ¿quién diseñó el índice de búsqueda %d?", i+j, j%97)}
					}
					if _, err := s.CreateMessages(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if err := s.IndexSearch(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "messages/op")
		})
	}
}
