package views

import (
	"context"
	"testing"
	"time"

	"github.com/charla/charla/chat"
	"github.com/charla/charla/i18n"
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
	for _, c := range []struct {
		lang i18n.Lang
		want []string
	}{
		{i18n.English, []string{"Wednesday, December 31, 2025", "Thursday, January 1", "", "Yesterday", "", "Today", ""}},
		{i18n.Spanish, []string{"miércoles, 31 de diciembre de 2025", "jueves, 1 de enero", "", "Ayer", "", "Hoy", ""}},
	} {
		ctx := i18n.WithLang(context.Background(), c.lang)
		got := withDays(ctx, msgs, now.UTC()) // now in another zone: the days are the messages'
		for i := range c.want {
			if got[i].Day != c.want[i] {
				t.Errorf("%s: message %d (%s): day label %q, want %q", c.lang, i, msgs[i].CreatedAt, got[i].Day, c.want[i])
			}
		}
	}
}
