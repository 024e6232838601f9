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
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '%':
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return ErrURIPercent
			}
			i += 2
		case !isURIChar(c):
			return ErrURIChar
		}
	}
	// A scheme is what precedes the first ':' if no '/', '?' or '#'
	// comes before it; a relative reference cannot have ':' in its first
	// segment (RFC 3986 section 4.2), so such a prefix must be a scheme.
	if colon := strings.IndexByte(v, ':'); colon >= 0 && !strings.ContainsAny(v[:colon], "/?#") {
		if !isScheme(v[:colon]) {
			return ErrURIScheme
		}
		v = v[colon+1:]
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
	if strings.ContainsAny(v, "[]") || strings.Count(v, "#") > 1 {
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

// isURIChar reports whether c is an RFC 3986 unreserved or reserved
// character.
func isURIChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0
}

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
