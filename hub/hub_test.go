package hub

import (
	"testing"
)

func TestPublishReachesEverySubscriberOfTheRoomInOrder(t *testing.T) {
	h := New()
	a, b := h.Subscribe([]int64{1}, 8, nil), h.Subscribe([]int64{1}, 8, nil)
	other := h.Subscribe([]int64{2}, 8, nil)
	defer a.Close()
	defer b.Close()
	defer other.Close()

	for id := int64(1); id <= 3; id++ {
		h.Publish(Event{Room: 1, LastID: id, Frame: []byte("frame")})
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
	slow, fast := h.Subscribe([]int64{1}, 2, func() { lagCalls++ }), h.Subscribe([]int64{1}, 100, nil)
	defer slow.Close()
	defer fast.Close()
	for id := int64(1); id <= 10; id++ {
		h.Publish(Event{Room: 1, LastID: id})
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
	s := h.Subscribe([]int64{1}, 8, nil)
	s.Close()
	s.Close()
	h.Publish(Event{Room: 1, LastID: 1})
	if len(s.Events()) != 0 || h.Subscribers(1) != 0 {
		t.Fatal("closed subscription still receives events")
	}
}

func TestOneSubscriptionFollowsSeveralRooms(t *testing.T) {
	h := New()
	s := h.Subscribe([]int64{1, 2}, 8, nil)
	h.Publish(Event{Room: 2, LastID: 7})
	h.Publish(Event{Room: 3, LastID: 8})
	h.Publish(Event{Room: 1, LastID: 9})
	if a, b := <-s.Events(), <-s.Events(); a.Room != 2 || b.Room != 1 || len(s.Events()) != 0 {
		t.Fatalf("got rooms %d, %d (+%d more), want 2 then 1 and nothing of room 3", a.Room, b.Room, len(s.Events()))
	}
	s.Close()
	if h.Subscribers(1)+h.Subscribers(2) != 0 {
		t.Fatal("a closed subscription is still in a room")
	}
}
