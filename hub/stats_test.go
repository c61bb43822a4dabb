package hub_test

import (
	"testing"

	"github.com/charla/charla/hub"
)

// The hub counts events, the subscriptions they were handed to, and the
// slow subscriptions it dropped, for /metrics.
func TestStatsCountPublishesFanoutAndLag(t *testing.T) {
	h := hub.New()
	lags := 0
	for range 3 {
		h.Subscribe([]int64{1}, 1, hub.Hooks{Lag: func() { lags++ }})
	}
	h.Subscribe([]int64{2}, 1, hub.Hooks{})
	ev := hub.Event{Kind: hub.Appended, Room: 1, LastID: 1, Frame: []byte("x")}
	h.Publish(ev)
	h.Publish(ev) // nobody took the first: each of the three is over its limit
	h.Publish(hub.Event{Kind: hub.Appended, Room: 3, LastID: 2})
	got := h.Stats()
	want := hub.Stats{Published: 3, Fanout: 6, Lagged: 3}
	if got != want || lags != 3 {
		t.Fatalf("stats %+v (Lag hooks %d); want %+v", got, lags, want)
	}
}
