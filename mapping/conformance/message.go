package conformance

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"
)

// message formats a finding's message as fmt.Sprintf does, for the verbs
// and types the rules use: %s and %v of strings, %q of strings, %d and %v
// of integers, and %%. A broken exchange formats one message per rule it
// breaks, and fmt costs several times as much; more, fmt keeps its
// arguments, so that every string a caller passes would be copied to the
// heap, where message leaves them on the caller's stack. Anything else
// (another verb, a width, a missing or extra argument) goes to fmt with a
// copy of the arguments (fallback); message_test.go holds the two to
// agreement.
func message(format string, args ...any) string {
	if false {
		// Never run: it shows vet that message, find and findCiting
		// take a format and its arguments, so that vet checks every call.
		_ = fmt.Sprintf(format, args...)
	}
	// One allocation of about the message's size, which becomes the
	// string without a copy.
	size := len(format)
	for _, a := range args {
		if s, ok := a.(string); ok {
			size += len(s) + 2
		} else {
			size += 20
		}
	}
	b, n := make([]byte, 0, size), 0
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
			return fallback(format, args)
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
			return fallback(format, args)
		}
		n++
	}
	if n != len(args) {
		return fallback(format, args)
	}
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not used again
}

// fallback is fmt.Sprintf for what message does not format itself, with
// a copy of the arguments of the types message knows (so that the caller's
// arguments stay on its stack); any other argument is replaced by a note,
// which a test of the rule that passed it would show.
func fallback(format string, args []any) string {
	copied := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			copied[i] = v
		case int:
			copied[i] = v
		case int64:
			copied[i] = v
		case int32:
			copied[i] = v
		default:
			copied[i] = unsupportedArgument
		}
	}
	return fmt.Sprintf(format, copied...)
}

// unsupportedArgument stands for an argument of a type message does not
// format.
const unsupportedArgument = "(argument of a type message does not format)"

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
// escapes each rune, or each invalid byte, on its own, so quoting the two
// parts apart gives the same text.
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
