package header

import (
	"errors"
	"iter"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// ProfileRefs yields the profile references of every profile field line:
// the URI inside angle brackets, and whether it was bracketed as the Level 3
// pages write it. An element without brackets is yielded as it is, so that
// a validator can report it.
func ProfileRefs(headers []*statusdv1.Header) iter.Seq2[string, bool] {
	return func(yield func(string, bool) bool) {
		for e := range ListElements(headers, "profile") {
			if !yield(ProfileRef(e)) {
				return
			}
		}
	}
}

// ProfileRef reads one element of a profile header: the URI inside angle
// brackets and true, or the element as it is and false.
func ProfileRef(element string) (string, bool) {
	if strings.HasPrefix(element, "<") {
		if end := strings.IndexByte(element, '>'); end > 0 {
			return trimOWS(element[1:end]), true
		}
	}
	return element, false
}

// Preference is one preference of a prefer or preference-applied header
// (RFC 7240 section 2): a name, an optional value, and the raw parameters.
type Preference struct {
	// Name is the preference name, as sent; compare it case-insensitively.
	Name string
	// Value is the value after '=', unquoted; empty if none.
	Value string
	// Params is what follows the first ';', such as "wait=10".
	Params string
}

// Preferences yields the preferences of every field line named name
// ("prefer" or "preference-applied"). Elements without a token name are
// skipped.
func Preferences(headers []*statusdv1.Header, name string) iter.Seq[Preference] {
	return func(yield func(Preference) bool) {
		for e := range ListElements(headers, name) {
			p, ok := ParsePreference(e)
			if ok && !yield(p) {
				return
			}
		}
	}
}

// ParsePreference parses one list element of the shape RFC 7240 gives
// prefer (and RFC 9110 section 10.1.1 gives expect): a token name, an
// optional value after '=' with optional white space around it (BWS), and
// parameters after ';'. Examples: `return=representation`,
// `return = "representation"`, `respond-async; wait=10`, `100-continue`. A
// quoted value is unquoted and its backslash escapes resolved; a ';' inside
// it does not start the parameters. ok is false if the element has no token
// name. This is the one parser for every "does the list carry this element"
// question (HasToken, HasPreference, Condition).
func ParsePreference(element string) (Preference, bool) {
	end := 0 // the name ends at '=' or ';' (a loop: IndexAny builds a set per call)
	for end < len(element) && element[end] != '=' && element[end] != ';' {
		end++
	}
	p := Preference{Name: trimOWS(element[:end])}
	if !IsToken(p.Name) {
		return Preference{}, false
	}
	rest := element[end:]
	if strings.HasPrefix(rest, "=") {
		p.Value, rest = parseWord(trimOWS(rest[1:]))
	}
	if _, params, ok := strings.Cut(rest, ";"); ok {
		p.Params = trimOWS(params)
	}
	return p, true
}

// parseWord reads a token or quoted-string value (RFC 9110 section 5.6.4)
// from the start of s and returns it, unquoted, with what follows. An
// unterminated quoted string runs to the end of s.
func parseWord(s string) (word, rest string) {
	if !strings.HasPrefix(s, "\"") {
		end := strings.IndexByte(s, ';')
		if end < 0 {
			end = len(s)
		}
		return trimOWS(s[:end]), s[end:]
	}
	escaped := false
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			word = s[1:i]
			if escaped {
				word = unescape(word)
			}
			return word, s[i+1:]
		}
	}
	word = s[1:]
	if escaped {
		word = unescape(word)
	}
	return word, ""
}

// unescape resolves the quoted-pairs of a quoted-string's content.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// HasPreference reports whether the header name carries preference pref
// with value (any value if value is empty), comparing case-insensitively.
func HasPreference(headers []*statusdv1.Header, name, pref, value string) bool {
	for p := range Preferences(headers, name) {
		if p.matches(pref, value) {
			return true
		}
	}
	return false
}

// matches reports whether p is the preference name with value (any value
// if value is empty), comparing case-insensitively.
func (p Preference) matches(name, value string) bool {
	return strings.EqualFold(p.Name, name) && (value == "" || strings.EqualFold(p.Value, value))
}

// ContentRange is a parsed content-range value (RFC 9110 section 14.4).
type ContentRange struct {
	// Unit is the range unit, such as "bytes".
	Unit string
	// First and Last are the inclusive byte positions; both -1 for an
	// unsatisfied range ("bytes */N").
	First, Last int64
	// Complete is the complete length; -1 if unknown ("bytes 0-9/*").
	Complete int64
}

// Unsatisfied reports whether the value is an unsatisfied range, the form a
// 416 response carries.
func (c ContentRange) Unsatisfied() bool { return c.First < 0 }

// Errors of ParseContentRange.
var (
	ErrContentRangeSyntax = errors.New("content-range: want `unit first-last/complete`, `unit first-last/*` or `unit */complete`")
	ErrContentRangeOrder  = errors.New("content-range: last position before first, or not below the complete length")
)

// ParseContentRange parses a content-range value: `bytes 0-99/1000`,
// `bytes 0-99/*` or `bytes */1000`.
func ParseContentRange(v string) (ContentRange, error) {
	unit, rest, ok := strings.Cut(trimOWS(v), " ")
	if !ok || !IsToken(unit) {
		return ContentRange{}, ErrContentRangeSyntax
	}
	rng, complete, ok := strings.Cut(strings.TrimLeft(rest, " "), "/")
	if !ok {
		return ContentRange{}, ErrContentRangeSyntax
	}
	cr := ContentRange{Unit: unit, First: -1, Last: -1, Complete: -1}
	if complete != "*" {
		n, ok := parseDigits(complete)
		if !ok {
			return ContentRange{}, ErrContentRangeSyntax
		}
		cr.Complete = n
	}
	if rng == "*" {
		if cr.Complete < 0 {
			return ContentRange{}, ErrContentRangeSyntax // "*/*" says nothing
		}
		return cr, nil
	}
	first, last, ok := strings.Cut(rng, "-")
	if !ok {
		return ContentRange{}, ErrContentRangeSyntax
	}
	var okFirst, okLast bool
	cr.First, okFirst = parseDigits(first)
	cr.Last, okLast = parseDigits(last)
	if !okFirst || !okLast {
		return ContentRange{}, ErrContentRangeSyntax
	}
	if cr.Last < cr.First || (cr.Complete >= 0 && cr.Last >= cr.Complete) {
		return ContentRange{}, ErrContentRangeOrder
	}
	return cr, nil
}

// parseDigits parses a non-empty string of ASCII digits (no sign, no
// spaces) that fits an int64.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n := int64(0) // 18 digits cannot overflow an int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}

// Errors of ParseETag.
var ErrETagSyntax = errors.New(`entity tag: want "opaque" or W/"opaque", without spaces or '"' inside`)

// ParseETag parses one entity tag (RFC 9110 section 8.8.3): `"xyzzy"` or
// `W/"xyzzy"`. It returns the opaque tag without quotes.
func ParseETag(v string) (tag string, weak bool, err error) {
	v = trimOWS(v)
	if strings.HasPrefix(v, "W/") {
		weak, v = true, v[2:]
	}
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false, ErrETagSyntax
	}
	tag = v[1 : len(v)-1]
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; c == '"' || c < 0x21 || c == 0x7f {
			return "", false, ErrETagSyntax
		}
	}
	return tag, weak, nil
}

// ValidETagList reports whether an if-match or if-none-match value is "*"
// or a list of entity tags.
func ValidETagList(v string) bool {
	if trimOWS(v) == "*" {
		return true
	}
	n := 0
	for e := range Elements(v) {
		if _, _, err := ParseETag(e); err != nil {
			return false
		}
		n++
	}
	return n > 0
}

// Allows reports whether the allow header lists method (methods are
// case-sensitive, RFC 9110 section 9.1), and whether there is an allow
// header at all.
func Allows(headers []*statusdv1.Header, method string) (allowed, present bool) {
	for v := range Values(headers, "allow") {
		present = true
		for e := range Elements(v) {
			if e == method {
				return true, true
			}
		}
	}
	return false, present
}
