package header

import (
	"errors"
	"strings"
)

// ErrRangeSyntax: a range value is not ranges-specifier.
var ErrRangeSyntax = errors.New("not a range such as bytes=0-499 or bytes=-500")

// CountRanges parses a range request value (RFC 9110 section 14.2:
// ranges-specifier = range-unit "=" range-set) and returns its unit and
// how many ranges it asks for, so that a validator can tell a request for
// one range from a request for several. Byte ranges are checked in full
// (first-pos "-" [last-pos] with last >= first, or "-" suffix-length);
// other units' ranges only for their characters.
func CountRanges(v string) (unit string, n int, err error) {
	unit, set, ok := strings.Cut(trimOWS(v), "=")
	if !ok || !IsToken(unit) {
		return "", 0, ErrRangeSyntax
	}
	bytes := strings.EqualFold(unit, "bytes")
	for e := range Elements(set) {
		if bytes && !validByteRange(e) || !bytes && !validOtherRange(e) {
			return "", 0, ErrRangeSyntax
		}
		n++
	}
	if n == 0 {
		return "", 0, ErrRangeSyntax
	}
	return unit, n, nil
}

func validByteRange(e string) bool {
	first, last, ok := strings.Cut(e, "-")
	if !ok {
		return false
	}
	if first == "" {
		_, ok := parseDigits(last) // suffix-range
		return ok
	}
	f, ok := parseDigits(first)
	if !ok {
		return false
	}
	if last == "" {
		return true
	}
	l, ok := parseDigits(last)
	return ok && l >= f
}

// validOtherRange: other-range = 1*( %x21-2B / %x2D-7E ).
func validOtherRange(e string) bool {
	for i := 0; i < len(e); i++ {
		if c := e[i]; c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return e != ""
}
