package hub

import (
	"testing"
)

func TestPublishReachesEverySubscriberOfTheRoomInOrder(t *testing.T) {
	h := New()
	a, b := h.Subscribe(1, 8), h.Subscribe(1, 8)
	other := h.Subscribe(2, 8)
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
	slow, fast := h.Subscribe(1, 2), h.Subscribe(1, 100)
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
	s := h.Subscribe(1, 8)
	s.Close()
	s.Close()
	h.Publish(1, Event{LastID: 1})
	if len(s.Events()) != 0 || h.Subscribers(1) != 0 {
		t.Fatal("closed subscription still receives events")
	}
}
