package conformance

import (
	"fmt"
	"strconv"
	"strings"
)

// message formats a finding's message as fmt.Sprintf does. The verbs the
// rules use (%s and %v of strings and errors, %q of strings, %d of
// integers, %%) are appended directly: a broken exchange formats one
// message per rule it breaks, and fmt's general machinery costs several
// times as much. Anything else (another verb, a width, a named type that
// may have a String method, a missing or extra argument) is handed to
// fmt.Sprintf whole, so the answer is always fmt's; message_test.go holds
// the two to agreement.
func message(format string, args ...any) string {
	var buf [256]byte
	b, n := buf[:0], 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			next := strings.IndexByte(format[i:], '%')
			if next < 0 {
				next = len(format) - i
			}
			b = append(b, format[i:i+next]...)
			i += next - 1
			continue
		}
		if i++; i == len(format) {
			return fmt.Sprintf(format, args...)
		}
		if format[i] == '%' {
			b = append(b, '%')
			continue
		}
		ok := false
		if n < len(args) {
			b, ok = appendArg(b, format[i], args[n])
		}
		if !ok {
			return fmt.Sprintf(format, args...)
		}
		n++
	}
	if n != len(args) {
		return fmt.Sprintf(format, args...)
	}
	return string(b)
}

// appendArg appends arg formatted by verb, if it is one of the simple
// cases message handles.
func appendArg(b []byte, verb byte, arg any) ([]byte, bool) {
	switch a := arg.(type) {
	case string:
		switch verb {
		case 's', 'v':
			return append(b, a...), true
		case 'q':
			return appendQuoted(b, a), true
		}
	case int:
		return appendInt(b, verb, int64(a))
	case int64:
		return appendInt(b, verb, a)
	case int32:
		return appendInt(b, verb, int64(a))
	case error:
		if verb == 's' || verb == 'v' {
			return append(b, a.Error()...), true
		}
	}
	return b, false
}

func appendInt(b []byte, verb byte, n int64) ([]byte, bool) {
	if verb != 'd' && verb != 'v' {
		return b, false
	}
	return strconv.AppendInt(b, n, 10), true
}

// appendQuoted appends strconv.Quote(s). Its plain ASCII prefix is copied
// as it is, which Quote would do one rune at a time; the rest (where a
// value was clipped, or has other characters) goes through Quote. Quote
// escapes each rune, or each invalid byte, on its own, so quoting the
// two parts apart gives the same text.
func appendQuoted(b []byte, s string) []byte {
	i := 0
	for i < len(s) && ' ' <= s[i] && s[i] <= '~' && s[i] != '"' && s[i] != '\\' {
		i++
	}
	b = append(append(b, '"'), s[:i]...)
	if i == len(s) {
		return append(b, '"')
	}
	n := len(b)
	b = strconv.AppendQuote(b, s[i:])
	copy(b[n:], b[n+1:]) // drop the rest's opening quote
	return b[:len(b)-1]
}
