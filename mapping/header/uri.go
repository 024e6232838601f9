package header

import (
	"errors"
	"net/netip"
	"strings"
)

// Errors of ValidURIReference.
var (
	ErrURIEmpty   = errors.New("is empty")
	ErrURIChar    = errors.New("has a character a URI cannot hold (such as a space, a quote, <, > or a non-ASCII letter); percent-encode it")
	ErrURIPercent = errors.New("has a % not followed by two hexadecimal digits")
	ErrURIScheme  = errors.New("has a scheme that does not start with a letter, or holds characters other than letters, digits, plus, minus and dot")
	// ErrURIAuthority: the part after "//" is not [userinfo@]host[:port],
	// for instance a port that is not a number, a '[' that does not open
	// an IPv6 or IPvFuture literal, or a second '@'.
	ErrURIAuthority = errors.New("has an authority (after //) that is not [userinfo@]host[:port] with a numeric port and brackets only around an IPv6 literal")
)

// ValidURIReference reports whether v is an RFC 3986 URI-reference, the
// grammar of location and content-location (RFC 9110 sections 10.2.2 and
// 8.7): an absolute URI or a relative reference, built only from
// unreserved and reserved characters and percent-encodings. It checks the
// characters, the percent-encodings, the scheme, the authority's shape
// ([userinfo@]host[:port], '[' and ']' only around an IPv6 or IPvFuture
// literal); it does not resolve anything and does not allocate.
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
		switch uriClass[v[i]] {
		case uriPlain:
		case uriPercent:
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return ErrURIPercent
			}
			i += 2
		case uriColon:
			if colon < 0 {
				colon = i
			}
		case uriHash:
			hashes++
			fallthrough
		case uriDelim:
			if delim < 0 {
				delim = i
			}
		case uriBracket:
			brackets = true
		default:
			return ErrURIChar
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
	rest, ok := strings.CutPrefix(v, "//")
	if !ok {
		if brackets {
			return ErrURIChar
		}
		return nil
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if brackets && strings.ContainsAny(rest[end:], "[]") {
		return ErrURIChar
	}
	return validAuthority(rest[:end])
}

// validAuthority checks [ userinfo "@" ] host [ ":" port ] (RFC 3986
// section 3.2): userinfo holds unreserved, percent-encoded, sub-delims
// and ':'; host is an IP-literal in brackets or a reg-name (unreserved,
// percent-encoded and sub-delims, which covers IPv4 addresses); port is
// *DIGIT. Percent-encodings were checked by the caller.
func validAuthority(authority string) error {
	host := authority
	if at := strings.IndexByte(authority, '@'); at >= 0 {
		if !onlyAuthorityChars(authority[:at], true) {
			return ErrURIAuthority
		}
		host = authority[at+1:]
	}
	port := ""
	if strings.HasPrefix(host, "[") {
		closing := strings.IndexByte(host, ']')
		if closing < 0 {
			return ErrURIAuthority
		}
		literal := host[1:closing]
		if !validIPv6Literal(literal) && !validIPvFuture(literal) {
			return ErrURIAuthority
		}
		port = host[closing+1:]
	} else {
		if colon := strings.IndexByte(host, ':'); colon >= 0 {
			host, port = host[:colon], host[colon:]
		}
		if !onlyAuthorityChars(host, false) {
			return ErrURIAuthority
		}
	}
	if port != "" {
		if port[0] != ':' {
			return ErrURIAuthority
		}
		for i := 1; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return ErrURIAuthority
			}
		}
	}
	return nil
}

// onlyAuthorityChars reports whether s holds only unreserved characters,
// percent-encodings and sub-delims, and ':' when colon is set: the
// characters of a userinfo (with ':') or a reg-name (without).
func onlyAuthorityChars(s string, colon bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' && colon || c == '%' {
			continue
		}
		if !uriChars[c] || strings.IndexByte(":/?#[]@", c) >= 0 {
			return false
		}
	}
	return true
}

// validIPv6Literal reports whether s is an RFC 3986 IPv6address: netip's
// grammar without a zone (RFC 3986 has none; RFC 6874's "%25" zone is not
// accepted here) and without a bare IPv4 address.
func validIPv6Literal(s string) bool {
	if strings.IndexByte(s, '%') >= 0 {
		return false
	}
	addr, err := netip.ParseAddr(s)
	return err == nil && addr.Is6()
}

// validIPvFuture reports whether s is "v" 1*HEXDIG "." 1*( unreserved /
// sub-delims / ":" ) (RFC 3986 section 3.2.2).
func validIPvFuture(s string) bool {
	if len(s) < 4 || s[0]|0x20 != 'v' {
		return false
	}
	dot := strings.IndexByte(s, '.')
	if dot < 2 || dot == len(s)-1 {
		return false
	}
	for i := 1; i < dot; i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	// A userinfo's characters (with ':'), without percent-encodings.
	tail := s[dot+1:]
	return strings.IndexByte(tail, '%') < 0 && onlyAuthorityChars(tail, true)
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

// The classes of uriClass: what the first pass of ValidURIReference does
// with a byte. The zero class is a byte a URI cannot hold.
const (
	uriInvalid uint8 = iota
	uriPlain
	uriPercent
	uriColon
	uriDelim // '/' and '?'
	uriHash
	uriBracket
)

// uriClass is uriChars with the bytes ValidURIReference looks at told
// apart, so that its loop does one lookup per byte.
var uriClass = func() (t [256]uint8) {
	for c, ok := range uriChars {
		if ok {
			t[c] = uriPlain
		}
	}
	t['%'], t[':'], t['/'], t['?'], t['#'], t['['], t[']'] = uriPercent, uriColon, uriDelim, uriDelim, uriHash, uriBracket, uriBracket
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
