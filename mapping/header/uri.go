package header

import (
	"errors"
	"strings"
)

// Errors of ValidURIReference.
var (
	ErrURIEmpty   = errors.New("is empty")
	ErrURIChar    = errors.New("has a character a URI cannot hold (such as a space, a quote, <, > or a non-ASCII letter); percent-encode it")
	ErrURIPercent = errors.New("has a % not followed by two hexadecimal digits")
	ErrURIScheme  = errors.New("has a scheme that does not start with a letter, or holds characters other than letters, digits, plus, minus and dot")
)

// ValidURIReference reports whether v is an RFC 3986 URI-reference, the
// grammar of location and content-location (RFC 9110 sections 10.2.2 and
// 8.7): an absolute URI or a relative reference, built only from
// unreserved and reserved characters and percent-encodings. It checks the
// characters, the percent-encodings, the scheme, and that '[' and ']'
// appear only in the authority (IP literals); it does not resolve
// anything and does not allocate.
func ValidURIReference(v string) error {
	v = trimOWS(v)
	if v == "" {
		return ErrURIEmpty
	}
	// One pass checks the characters and notes where the scheme's ':' and
	// the first '/', '?' or '#' are, how many '#' and whether a bracket
	// occurs, so that a plain reference needs no second look.
	colon, delim, hashes, brackets := -1, -1, 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '%':
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return ErrURIPercent
			}
			i += 2
			continue
		case !uriChars[c]:
			return ErrURIChar
		}
		switch c {
		case ':':
			if colon < 0 {
				colon = i
			}
		case '/', '?', '#':
			if delim < 0 {
				delim = i
			}
			if c == '#' {
				hashes++
			}
		case '[', ']':
			brackets = true
		}
	}
	// A scheme is what precedes the first ':' if no '/', '?' or '#'
	// comes before it; a relative reference cannot have ':' in its first
	// segment (RFC 3986 section 4.2), so such a prefix must be a scheme.
	if colon >= 0 && (delim < 0 || colon < delim) {
		if !isScheme(v[:colon]) {
			return ErrURIScheme
		}
		v = v[colon+1:]
	}
	if hashes > 1 {
		return ErrURIChar
	}
	if !brackets {
		return nil
	}
	// Brackets only around an IP literal: the authority's host.
	authority := ""
	if rest, ok := strings.CutPrefix(v, "//"); ok {
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		authority, v = rest[:end], rest[end:]
	}
	if strings.ContainsAny(v, "[]") {
		return ErrURIChar
	}
	if open := strings.IndexByte(authority, '['); open >= 0 {
		if close := strings.IndexByte(authority, ']'); close < open || strings.Count(authority, "[") != 1 || strings.Count(authority, "]") != 1 {
			return ErrURIChar
		}
	} else if strings.IndexByte(authority, ']') >= 0 {
		return ErrURIChar
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// uriChars marks the RFC 3986 unreserved and reserved characters.
var uriChars = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range []byte("-._~:/?#[]@!$&'()*+,;=") {
		t[c] = true
	}
	return t
}()

func isScheme(s string) bool {
	if s == "" || !('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z') && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
