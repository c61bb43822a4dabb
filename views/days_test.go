package views

import (
	"testing"
	"time"

	"github.com/charla/charla/chat"
)

func TestDayLabels(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	now := time.Date(2026, 12, 1, 0, 30, 0, 0, madrid)
	at := func(y int, m time.Month, d, h, min int) chat.Message {
		return chat.Message{CreatedAt: time.Date(y, m, d, h, min, 0, 0, madrid)}
	}
	msgs := []chat.Message{
		at(2025, 12, 31, 23, 0), // another year
		at(2026, 1, 1, 0, 10),   // this year
		at(2026, 1, 1, 9, 0),
		at(2026, 11, 30, 0, 0), // yesterday
		at(2026, 11, 30, 23, 59),
		at(2026, 12, 1, 0, 0), // today
		at(2026, 12, 1, 0, 29),
	}
	want := []string{"Wednesday, December 31, 2025", "Thursday, January 1", "", Yesterday, "", Today, ""}
	got := withDays(msgs, now.UTC()) // now in another zone: the days are the messages'
	for i := range want {
		if got[i].Day != want[i] {
			t.Errorf("message %d (%s): day label %q, want %q", i, msgs[i].CreatedAt, got[i].Day, want[i])
		}
	}
}
