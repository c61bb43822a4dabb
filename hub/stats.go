package hub

import "sync/atomic"

// counters are what the hub has done since it started, for metrics: a few
// atomic adds per published event, never one per subscriber.
type counters struct {
	published atomic.Uint64 // events published
	fanout    atomic.Uint64 // subscriptions those events were handed to
	lagged    atomic.Uint64 // subscriptions dropped as too slow (Hooks.Lag)
}

// Stats is a snapshot of the hub's counters.
type Stats struct {
	Published uint64 // events published
	Fanout    uint64 // subscriptions those events were handed to (a slow or closed one included)
	Lagged    uint64 // subscriptions that fell behind by their limit and were told to go (Hooks.Lag)
}

// Stats returns the hub's counters so far.
func (h *Hub) Stats() Stats {
	return Stats{
		Published: h.stats.published.Load(),
		Fanout:    h.stats.fanout.Load(),
		Lagged:    h.stats.lagged.Load(),
	}
}
