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

// esShortMonths are the months as Intl abbreviates them in Spanish.
var esShortMonths = [...]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"}

// enMoment is the layout of an English date and time, short.
const enMoment = "Jan 2, 2006 15:04"

// Moment writes t's date and time in ctx's language, short: "Jan 2, 2006
// 15:04" or "2 ene 2006 15:04" (a search result's time without script;
// charla.js rewrites it with Intl, in the reader's zone).
func Moment(ctx context.Context, t time.Time) string {
	if LangOf(ctx) != Spanish {
		return t.Format(enMoment)
	}
	return strconv.Itoa(t.Day()) + " " + esShortMonths[t.Month()-1] + " " + strconv.Itoa(t.Year()) + " " + t.Format("15:04")
}
