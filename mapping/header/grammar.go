package header

import (
	"errors"
	"strings"
)

// Strict grammar checks for list elements whose fields statusd reads but
// does not otherwise need to take apart: prefer and preference-applied
// (RFC 7240), expect (RFC 9110 section 10.1.1), accept-patch (RFC 5789
// section 3.1, media types of RFC 9110 section 8.3.1) and link (RFC 8288
// section 3). They answer only "does this element match its grammar" for
// the validator (a sender MUST NOT generate one that does not, RFC 9110
// section 2.2); the lenient readers that answer "does the list carry this
// element" stay in params.go. None of them allocates.

// paramRule says how one field's parameters are written.
type paramRule struct {
	bws       bool // white space may surround "=" (BWS)
	needValue bool // a parameter is name "=" value, never a bare name
	allowNone bool // ";" may be followed by nothing (the grammar's [ parameter ])
}

var (
	preferParams = paramRule{bws: true, allowNone: true}       // RFC 7240 section 2
	mediaParams  = paramRule{needValue: true, allowNone: true} // RFC 9110 section 5.6.6
	linkParams   = paramRule{bws: true}                        // RFC 8288 section 3
	expectParams = paramRule{needValue: true, allowNone: true} // RFC 9110 section 10.1.1
)

// ValidPreference reports whether element is one RFC 7240 preference
// (section 2): token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] ),
// a parameter being token [ BWS "=" BWS word ]. Examples:
// "return=minimal", "respond-async; wait=10", `foo="a b"`.
func ValidPreference(element string) bool {
	rest, ok := nameAndValue(element, true, false)
	return ok && validParams(rest, preferParams)
}

// ValidAppliedPreference reports whether element is one RFC 7240
// applied-pref (section 3): token [ BWS "=" BWS word ], without
// parameters.
func ValidAppliedPreference(element string) bool {
	rest, ok := nameAndValue(element, true, false)
	return ok && trimOWS(rest) == ""
}

// ValidExpectation reports whether element is one RFC 9110 expectation
// (section 10.1.1): token [ "=" ( token / quoted-string ) parameters ],
// such as "100-continue". Parameters follow only a value, and each is
// name "=" value.
func ValidExpectation(element string) bool {
	name, s := leadingToken(trimLeftOWS(element))
	if name == "" {
		return false
	}
	if !strings.HasPrefix(s, "=") {
		return trimOWS(s) == "" // no value: no parameters either
	}
	rest, ok := skipWord(s[1:])
	return ok && validParams(rest, expectParams)
}

// ErrURIFragment: a content-location with a fragment.
var ErrURIFragment = errors.New("has a fragment (#...), which content-location cannot carry")

// ValidContentLocation reports whether v is a content-location value (RFC
// 9110 section 8.7: absolute-URI / partial-URI), that is a URI reference
// (ValidURIReference) without a fragment.
func ValidContentLocation(v string) error {
	if err := ValidURIReference(v); err != nil {
		return err
	}
	if strings.IndexByte(v, '#') >= 0 {
		return ErrURIFragment
	}
	return nil
}

// ValidMediaType reports whether element is one media-type (RFC 9110
// section 8.3.1: type "/" subtype parameters), the element of
// accept-patch (RFC 5789 section 3.1), such as
// "application/merge-patch+json" or "text/plain; charset=utf-8".
func ValidMediaType(element string) bool {
	s := trimOWS(element)
	typ, s := leadingToken(s)
	if typ == "" || !strings.HasPrefix(s, "/") {
		return false
	}
	sub, s := leadingToken(s[1:])
	return sub != "" && validParams(s, mediaParams)
}

// ValidLinkValue reports whether element is one RFC 8288 link-value
// (section 3): "<" URI-Reference ">" *( OWS ";" OWS link-param ), a
// link-param being token BWS [ "=" BWS ( token / quoted-string ) ], such
// as `</orders>; rel="up"`.
func ValidLinkValue(element string) bool {
	s := trimOWS(element)
	if !strings.HasPrefix(s, "<") {
		return false
	}
	end := strings.IndexByte(s, '>')
	if end < 0 || ValidURIReference(s[1:end]) != nil || s[1:end] != trimOWS(s[1:end]) {
		return false
	}
	return validParams(s[end+1:], linkParams)
}

// ValidEntityTagListElement reports whether element is one element of an
// if-match or if-none-match list (RFC 9110 sections 13.1.1, 13.1.2): an
// entity tag, or "*", which is valid only as the whole field (alone
// reports whether it was the list's only element).
func ValidEntityTagListElement(element string, alone bool) bool {
	if trimOWS(element) == "*" {
		return alone
	}
	_, _, err := ParseETag(element)
	return err == nil
}

// nameAndValue reads token [ "=" word ] from the start of s (with white
// space around "=" if bws) and returns what follows. A value is required
// after "=" (needValue is whether a bare name is refused).
func nameAndValue(s string, bws, needValue bool) (rest string, ok bool) {
	name, s := leadingToken(trimLeftOWS(s))
	if name == "" {
		return "", false
	}
	t := s
	if bws {
		t = trimLeftOWS(t)
	}
	if !strings.HasPrefix(t, "=") {
		return s, !needValue
	}
	t = t[1:]
	if bws {
		t = trimLeftOWS(t)
	}
	return skipWord(t)
}

// validParams reports whether s is *( OWS ";" OWS parameter ) under rule,
// with optional white space at its end.
func validParams(s string, rule paramRule) bool {
	for {
		s = trimLeftOWS(s)
		if s == "" {
			return true
		}
		if s[0] != ';' {
			return false
		}
		s = trimLeftOWS(s[1:])
		if s == "" || s[0] == ';' {
			if !rule.allowNone {
				return false
			}
			continue
		}
		var ok bool
		if s, ok = nameAndValue(s, rule.bws, rule.needValue); !ok {
			return false
		}
	}
}

// skipWord reads a token or a quoted-string (RFC 9110 section 5.6.4) from
// the start of s and returns what follows; ok is false if s starts with
// neither, or the quoted string is unterminated or holds a control
// character.
func skipWord(s string) (rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		tok, rest := leadingToken(s)
		return rest, tok != ""
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[i+1:], true
		case c == '\\':
			if i++; i >= len(s) || !isQuotable(s[i]) {
				return "", false
			}
		case !isQuotable(c):
			return "", false
		}
	}
	return "", false
}

// isQuotable: HTAB / SP / VCHAR / obs-text, what a quoted-string may hold.
func isQuotable(c byte) bool { return c == '\t' || c >= 0x20 && c != 0x7f }

// leadingToken splits s into its leading run of token characters and
// the rest.
func leadingToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) && tchars[s[i]] {
		i++
	}
	return s[:i], s[i:]
}

// tchars is isTchar as a table, for the loops that read every byte.
var tchars = func() (t [256]bool) {
	for c := range t {
		t[c] = isTchar(byte(c))
	}
	return t
}()

func trimLeftOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}
