package i18n

import (
	"context"
	"strconv"
	"time"
)

// Dates the server writes itself: the day separators of a full page, the
// fallback for a page without script (charla.js relabels them with Intl
// in the page's <html lang>, which gives the same words). Go's time
// package writes English names only, so Spanish ones are here.
var (
	esWeekdays = [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
	esMonths   = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
		"agosto", "septiembre", "octubre", "noviembre", "diciembre"}
)

// Layouts of an English date, as Intl writes them.
const (
	enDay     = "Monday, January 2"
	enDayYear = "Monday, January 2, 2006"
)

// Day writes t's date in ctx's language, with its weekday and, when
// withYear, its year: "Monday, January 2" or "lunes, 2 de enero".
func Day(ctx context.Context, t time.Time, withYear bool) string {
	if LangOf(ctx) != Spanish {
		if withYear {
			return t.Format(enDayYear)
		}
		return t.Format(enDay)
	}
	s := esWeekdays[t.Weekday()] + ", " + strconv.Itoa(t.Day()) + " de " + esMonths[t.Month()-1]
	if withYear {
		s += " de " + strconv.Itoa(t.Year())
	}
	return s
}
