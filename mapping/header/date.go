package header

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Errors of ParseHTTPDate.
var (
	ErrDateSyntax   = errors.New("not an HTTP-date such as Sun, 06 Nov 1994 08:49:37 GMT")
	ErrDateObsolete = errors.New("an obsolete date format (RFC 850 or asctime); send IMF-fixdate, such as Sun, 06 Nov 1994 08:49:37 GMT")
)

var (
	dayNames   = [...]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// ParseHTTPDate parses an HTTP-date in the one format a sender may
// generate (RFC 9110 section 5.6.7, IMF-fixdate:
// "Sun, 06 Nov 1994 08:49:37 GMT"), without allocating. A date in one of
// the two obsolete formats, which recipients accept but senders must not
// send, is ErrDateObsolete.
func ParseHTTPDate(v string) (time.Time, error) {
	v = trimOWS(v)
	if t, ok := parseFixdate(v); ok {
		return t, nil
	}
	return time.Time{}, notFixdate(v)
}

// ValidHTTPDate is ParseHTTPDate for a caller that only asks whether v is
// an IMF-fixdate (nil), an obsolete date or no date, without building the
// time.
func ValidHTTPDate(v string) error {
	v = trimOWS(v)
	if _, ok := fixdateFields(v); ok {
		return nil
	}
	return notFixdate(v)
}

// notFixdate tells an obsolete date from no date.
func notFixdate(v string) error {
	if _, err := http.ParseTime(v); err == nil {
		return ErrDateObsolete
	}
	return ErrDateSyntax
}

// parseFixdate is fixdateFields as a time.
func parseFixdate(v string) (time.Time, bool) {
	f, ok := fixdateFields(v)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(f.year, time.Month(f.month+1), f.day, f.hour, f.minute, f.second, 0, time.UTC), true
}

// fixdate holds the fields of an IMF-fixdate; month counts from 0.
type fixdate struct{ year, month, day, hour, minute, second int }

// fixdateFields reads and checks the fields of IMF-fixdate =
// day-name "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT".
func fixdateFields(v string) (f fixdate, ok bool) {
	if len(v) != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
		v[19] != ':' || v[22] != ':' || v[25:] != " GMT" {
		return f, false
	}
	if days.index(v[:3]) < 0 {
		return f, false
	}
	f.month = months.index(v[8:11])
	var ok1, ok2, ok3, ok4, ok5 bool
	f.day, ok1 = twoDigits(v[5], v[6])
	f.hour, ok3 = twoDigits(v[17], v[18])
	f.minute, ok4 = twoDigits(v[20], v[21])
	f.second, ok5 = twoDigits(v[23], v[24])
	century, ok2a := twoDigits(v[12], v[13])
	year, ok2b := twoDigits(v[14], v[15])
	f.year, ok2 = century*100+year, ok2a && ok2b
	// second may be 60 (a leap second, RFC 9110 section 5.6.7); a day
	// past the month's end (31 Feb) names no day, so it is no date.
	ok = f.month >= 0 && ok1 && ok2 && ok3 && ok4 && ok5 && f.day >= 1 && f.day <= daysIn(f.month, f.year) &&
		f.hour <= 23 && f.minute <= 59 && f.second <= 60
	return f, ok
}

// twoDigits reads the ASCII digits a and b as a number.
func twoDigits(a, b byte) (int, bool) {
	a, b = a-'0', b-'0' // wraps above 9 for a byte that is no digit
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

// daysIn returns the number of days of month (0 for January) in the
// proleptic Gregorian year.
func daysIn(month, year int) int {
	if month == 1 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return monthDays[month]
}

var monthDays = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// days and months find a day or month name of a date.
var (
	days   = newNameTable(dayNames[:])
	months = newNameTable(monthNames[:])
)

// nameTable finds the position of a three-letter name with one multiply
// and one comparison: the multiplier is chosen when the package loads so
// that no two names share a slot.
type nameTable struct {
	mul  uint32
	keys [32]uint32 // packed name + 1 (0 marks a free slot)
	pos  [32]int8
}

// nameKey packs a three-letter name into an integer.
func nameKey(s string) uint32 { return uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2]) }

func newNameTable(names []string) nameTable {
	for mul := uint32(0x9e3779b1); mul < 0x9e3779b1+1<<20; mul += 2 {
		t := nameTable{mul: mul}
		perfect := true
		for i, n := range names {
			k := nameKey(n)
			slot := k * mul >> 27
			if t.keys[slot] != 0 {
				perfect = false
				break
			}
			t.keys[slot], t.pos[slot] = k+1, int8(i)
		}
		if perfect {
			return t
		}
	}
	panic("header: no multiplier separates the names " + strings.Join(names, " "))
}

// index returns the position of the three-letter name s, or -1.
func (t *nameTable) index(s string) int {
	k := nameKey(s)
	if slot := k * t.mul >> 27; t.keys[slot] == k+1 {
		return int(t.pos[slot])
	}
	return -1
}

// ErrRetryAfterSyntax: a retry-after value is neither an HTTP-date nor
// delay-seconds.
var ErrRetryAfterSyntax = errors.New("neither an HTTP-date nor a number of seconds")

// ParseRetryAfter parses a retry-after value (RFC 9110 section 10.2.3:
// HTTP-date / delay-seconds): it returns the seconds, or the date. A date
// in an obsolete format is ErrDateObsolete.
func ParseRetryAfter(v string) (seconds int64, date time.Time, err error) {
	if n, ok := parseDigits(trimOWS(v)); ok {
		return n, time.Time{}, nil
	}
	date, err = ParseHTTPDate(v)
	if errors.Is(err, ErrDateSyntax) {
		err = ErrRetryAfterSyntax
	}
	return 0, date, err
}
