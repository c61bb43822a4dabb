package hub

import (
	"testing"
)

func TestPublishReachesEverySubscriberOfTheRoomInOrder(t *testing.T) {
	h := New()
	notified := 0
	a := h.Subscribe([]int64{1}, 8, Hooks{Notify: func() { notified++ }})
	b := h.Subscribe([]int64{1}, 8, Hooks{})
	other := h.Subscribe([]int64{2}, 8, Hooks{})
	defer a.Close()
	defer b.Close()
	defer other.Close()

	for id := int64(1); id <= 3; id++ {
		h.Publish(Event{Kind: Appended, Room: 1, LastID: id, Frame: []byte("frame")})
	}
	if notified != 1 {
		t.Fatalf("notified %d times for 3 events queued at once, want once (when the queue was empty)", notified)
	}
	for _, s := range []*Subscription{a, b} {
		got := s.Take()
		if len(got) != 3 || got[0].LastID != 1 || got[2].LastID != 3 {
			t.Fatalf("took %+v, want events 1, 2, 3", got)
		}
	}
	if n := len(other.Take()); n != 0 {
		t.Fatalf("room 2 got %d events of room 1", n)
	}
	h.Publish(Event{Kind: Appended, Room: 1, LastID: 4})
	if notified != 2 {
		t.Fatal("not notified of an event queued after the queue was emptied")
	}
}

func TestSlowSubscriberIsDroppedNotWaitedFor(t *testing.T) {
	h := New()
	lagCalls := 0
	slow := h.Subscribe([]int64{1}, 2, Hooks{Lag: func() { lagCalls++ }})
	fast := h.Subscribe([]int64{1}, 100, Hooks{Lag: func() { t.Fatal("a subscriber that kept up was dropped") }})
	defer slow.Close()
	defer fast.Close()
	for id := int64(1); id <= 10; id++ {
		h.Publish(Event{Kind: Appended, Room: 1, LastID: id})
	}
	if lagCalls != 1 {
		t.Fatalf("Lag called %d times, want once", lagCalls)
	}
	if n := len(fast.Take()); n != 10 {
		t.Fatalf("fast subscriber got %d events, want 10", n)
	}
	if n := len(slow.Take()); n != 2 {
		t.Fatalf("slow subscriber kept %d events, want the 2 before it lagged", n)
	}
	h.Publish(Event{Kind: Appended, Room: 1, LastID: 11})
	if n := len(slow.Take()); n != 0 {
		t.Fatal("a lagged subscription still queues events")
	}
}

func TestClosedSubscriptionGetsNothing(t *testing.T) {
	h := New()
	s := h.Subscribe([]int64{1}, 8, Hooks{})
	s.Close()
	s.Close()
	h.Publish(Event{Kind: Appended, Room: 1, LastID: 1})
	if len(s.Take()) != 0 || h.Subscribers(1) != 0 {
		t.Fatal("closed subscription still receives events")
	}
}

func TestOneSubscriptionFollowsSeveralRooms(t *testing.T) {
	h := New()
	s := h.Subscribe([]int64{1, 2}, 8, Hooks{})
	h.Publish(Event{Kind: Appended, Room: 2, LastID: 7})
	h.Publish(Event{Kind: Appended, Room: 3, LastID: 8})
	h.Publish(Event{Kind: Appended, Room: 1, LastID: 9})
	if got := s.Take(); len(got) != 2 || got[0].Room != 2 || got[1].Room != 1 {
		t.Fatalf("got %+v, want room 2 then 1 and nothing of room 3", got)
	}
	s.Close()
	if h.Subscribers(1)+h.Subscribers(2) != 0 {
		t.Fatal("a closed subscription is still in a room")
	}
}

func TestReleasedQueueIsReusedEmpty(t *testing.T) {
	h := New()
	s := h.Subscribe([]int64{1}, 8, Hooks{})
	h.Publish(Event{Kind: Appended, Room: 1, LastID: 1, Frame: []byte("big frame")})
	q := s.Take()
	s.Release(q)
	if q[0] != nil {
		t.Fatal("a released queue still holds its events, and so their frames")
	}
	h.Publish(Event{Kind: Appended, Room: 1, LastID: 2})
	if again := s.Take(); len(again) != 1 || again[0].LastID != 2 || &again[0] != &q[0] {
		t.Fatalf("took %+v, want event 2 in the released slice", again)
	}
}
