package header

import "errors"

// ErrContentLengthSyntax: a content-length value is not 1*DIGIT.
var ErrContentLengthSyntax = errors.New("not a decimal number of octets (1*DIGIT)")

// ParseContentLength parses a content-length value (RFC 9110 section 8.6:
// Content-Length = 1*DIGIT). A list such as "42, 42", a sign or inner
// white space is an error: a sender must not generate it, even where a
// recipient may repair it. Leading and trailing white space is the field
// line's, not the value's, and is allowed.
func ParseContentLength(v string) (int64, error) {
	n, ok := parseDigits(trimOWS(v))
	if !ok {
		return 0, ErrContentLengthSyntax
	}
	return n, nil
}
