package hub_test

import (
	"testing"

	"github.com/charla/charla/hub"
)

// BenchmarkFanout10k publishes one event to the 10,000 subscribers of a
// room and takes it from each, as their writers would.
func BenchmarkFanout10k(b *testing.B) {
	const subscribers = 10000
	h := hub.New()
	subs := make([]*hub.Subscription, subscribers)
	for i := range subs {
		subs[i] = h.Subscribe([]int64{1}, 64, hub.Hooks{})
	}
	ev := hub.Event{Kind: hub.Appended, Room: 1, LastID: 1, Senders: []int64{1}, Frame: make([]byte, 600)}
	b.ReportAllocs()
	for b.Loop() {
		h.Publish(ev)
		for _, s := range subs {
			q := s.Take()
			if len(q) != 1 {
				b.Fatalf("took %d events, want 1", len(q))
			}
			s.Release(q)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*subscribers), "ns/delivery")
}
