// Package header parses the HTTP header fields that statusd's validation
// reads: list headers (RFC 9110 section 5.6.1), Level 3 profile headers,
// prefer and preference-applied (RFC 7240), content-range (RFC 9110
// section 14.4), allow and entity tags (RFC 9110 section 8.8.3). The parsers
// are tolerant where real servers vary (white space, empty list elements,
// repeated field lines), strict where a value is simply wrong, never panic,
// and do not allocate on the common path.
package header

import (
	"iter"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// Has reports whether a header named name (compared case-insensitively) is
// among headers.
func Has(headers []*statusdv1.Header, name string) bool {
	for _, h := range headers {
		if strings.EqualFold(h.GetName(), name) {
			return true
		}
	}
	return false
}

// Get returns the value of the first header named name, and whether there
// is one.
func Get(headers []*statusdv1.Header, name string) (string, bool) {
	for _, h := range headers {
		if strings.EqualFold(h.GetName(), name) {
			return h.GetValue(), true
		}
	}
	return "", false
}

// Values yields the value of every field line named name, in order.
func Values(headers []*statusdv1.Header, name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, h := range headers {
			if strings.EqualFold(h.GetName(), name) && !yield(h.GetValue()) {
				return
			}
		}
	}
}

// Elements yields the elements of a comma-separated list value, trimmed of
// optional white space, skipping empty elements. Commas inside quoted
// strings, and inside an element that opens with '<' before its '>', do not
// split; an unterminated quote or '<' runs to the end of the value.
func Elements(value string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for value != "" {
			var e string
			if e, value = CutElement(value); e != "" && !yield(e) {
				return
			}
		}
	}
}

// CutElement splits the first element off a comma-separated list value,
// as Elements reads it: element is trimmed of optional white space and may
// be empty (an empty list element, which Elements skips); rest is what
// follows its comma. It is the loop body of Elements for callers that must
// not set up an iterator (a hot loop that keeps its state on the stack).
func CutElement(value string) (element, rest string) {
	// Most elements are short tokens (methods, preferences): the first
	// bytes are read here, and a comma before any quote or bracket ends
	// the element, as elementEnd would find, without a call.
	short := value[:min(len(value), shortElement)]
	i := 0
	for i < len(short) && !listSyntax[short[i]] {
		i++
	}
	switch {
	case i < len(short) && short[i] == ',':
		return trimOWS(value[:i]), value[i+1:]
	case i == len(value):
		return trimOWS(value), ""
	}
	return cutElement(value) // a quote or bracket, or a long element
}

// listSyntax marks the bytes that end CutElement's short reading: the
// comma, and the quote and bracket that may hide one.
var listSyntax = [256]bool{',': true, '"': true, '<': true}

// shortElement is how many bytes CutElement reads before it looks for the
// comma with strings.IndexByte.
const shortElement = 16

// cutElement is CutElement for an element with quotes or brackets, or a
// long one.
func cutElement(value string) (element, rest string) {
	if strings.IndexByte(value, ',') < 0 { // the last element: no quotes or brackets to skip
		return trimOWS(value), ""
	}
	end := elementEnd(value)
	element = trimOWS(value[:end])
	if end < len(value) {
		rest = value[end+1:]
	}
	return element, rest
}

// elementEnd returns the index of the comma that ends the first element of
// value, or len(value).
func elementEnd(value string) int {
	i := 0
	for i < len(value) && (value[i] == ' ' || value[i] == '\t') {
		i++
	}
	if i < len(value) && value[i] == '<' {
		j := strings.IndexByte(value[i:], '>')
		if j < 0 {
			return len(value)
		}
		i += j + 1
	}
	for ; i < len(value); i++ {
		switch value[i] {
		case ',':
			return i
		case '"':
			// Skip the quoted string, honouring backslash escapes.
			for i++; i < len(value) && value[i] != '"'; i++ {
				if value[i] == '\\' {
					i++
				}
			}
			if i >= len(value) {
				return len(value)
			}
		}
	}
	return len(value)
}

// ListElements yields the elements of every field line named name, so that
// repeated and comma-joined lines read the same.
func ListElements(headers []*statusdv1.Header, name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for v := range Values(headers, name) {
			for e := range Elements(v) {
				if !yield(e) {
					return
				}
			}
		}
	}
}

// HasToken reports whether the list header name holds the element token,
// such as "100-continue" in expect or "return=representation" in prefer:
// both are parsed with ParsePreference, so names compare
// case-insensitively, white space around '=' and quotes around the value do
// not matter, and parameters after ';' are ignored. A token without '='
// matches an element of that name whatever its value.
func HasToken(headers []*statusdv1.Header, name, token string) bool {
	want, ok := ParsePreference(token)
	if !ok {
		return false
	}
	for p := range Preferences(headers, name) {
		if p.matches(want.Name, want.Value) {
			return true
		}
	}
	return false
}

// Condition is a request condition as the catalog writes it
// (MethodOutcome.when_request_has, ErrorStatus.when_request_lacks): a
// header name, such as "range", or a name and an element of its list
// value, such as "prefer: return=representation".
type Condition struct {
	// Name is the header name.
	Name string
	// Element is the list element the header must hold; empty when the
	// header's presence is the condition.
	Element string
}

// ParseCondition reads a condition written "name" or "name: element".
func ParseCondition(s string) Condition {
	name, element, _ := strings.Cut(s, ":")
	return Condition{Name: trimOWS(name), Element: trimOWS(element)}
}

// MetBy reports whether a request with headers meets the condition.
func (c Condition) MetBy(headers []*statusdv1.Header) bool {
	if c.Element == "" {
		return Has(headers, c.Name)
	}
	return HasToken(headers, c.Name, c.Element)
}

// trimOWS trims optional white space (spaces and tabs) from both ends.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// isTchar reports whether c may appear in an RFC 9110 token.
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// IsToken reports whether s is a non-empty RFC 9110 token.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchars[s[i]] {
			return false
		}
	}
	return true
}
