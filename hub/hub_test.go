package hub

import (
	"testing"
)

func TestPublishReachesEverySubscriberOfTheRoomInOrder(t *testing.T) {
	h := New()
	a, b := h.Subscribe(1, 8, nil), h.Subscribe(1, 8, nil)
	other := h.Subscribe(2, 8, nil)
	defer a.Close()
	defer b.Close()
	defer other.Close()

	for id := int64(1); id <= 3; id++ {
		h.Publish(1, Event{LastID: id, Frame: []byte("frame")})
	}
	for _, s := range []*Subscription{a, b} {
		for want := int64(1); want <= 3; want++ {
			if got := (<-s.Events()).LastID; got != want {
				t.Fatalf("got event %d, want %d", got, want)
			}
		}
	}
	if n := len(other.Events()); n != 0 {
		t.Fatalf("room 2 got %d events of room 1", n)
	}
}

func TestSlowSubscriberIsDroppedNotWaitedFor(t *testing.T) {
	h := New()
	lagCalls := 0
	slow, fast := h.Subscribe(1, 2, func() { lagCalls++ }), h.Subscribe(1, 100, nil)
	defer slow.Close()
	defer fast.Close()
	for id := int64(1); id <= 10; id++ {
		h.Publish(1, Event{LastID: id})
	}
	select {
	case <-slow.Lagged():
	default:
		t.Fatal("a subscriber with a full buffer was not marked as lagged")
	}
	if lagCalls != 1 {
		t.Fatalf("onLag called %d times, want once", lagCalls)
	}
	select {
	case <-fast.Lagged():
		t.Fatal("a subscriber that kept up was marked as lagged")
	default:
	}
	if n := len(fast.Events()); n != 10 {
		t.Fatalf("fast subscriber buffered %d events, want 10", n)
	}
}

func TestClosedSubscriptionGetsNothing(t *testing.T) {
	h := New()
	s := h.Subscribe(1, 8, nil)
	s.Close()
	s.Close()
	h.Publish(1, Event{LastID: 1})
	if len(s.Events()) != 0 || h.Subscribers(1) != 0 {
		t.Fatal("closed subscription still receives events")
	}
}
