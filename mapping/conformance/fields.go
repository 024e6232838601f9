package conformance

import (
	"errors"

	"github.com/statusd/statusd/mapping/header"
)

// checkFields reports response fields that break their grammar (RFC 9110
// section 2.2: a sender MUST NOT generate protocol elements that do not
// match it), for every field statusd parses, whatever the status.
func (c *checker) checkFields() {
	if c.respSet.has(hContentLength) {
		if _, ok := c.contentLength(); !ok {
			v, _ := c.respValue(hContentLength)
			c.find("rfc9110.content-length.syntax", 0, "content-length must be one decimal number of bytes, in one field line; %q is not (send 42, not 42, 42).", clip(v))
		}
	}
	if v, ok := c.respValue(hETag); ok {
		if _, _, err := header.ParseETag(v); err != nil {
			c.find("rfc9110.etag.syntax", 0, "etag %q is not an entity tag; send a quoted value such as \"v7\" or W/\"v7\".", clip(v))
		}
	}
	if v, ok := c.respValue(hLastModified); ok {
		c.checkDate("rfc9110.last-modified.syntax", "last-modified", v)
	}
	if v, ok := c.respValue(hContentRange); ok {
		_, err := header.ParseContentRange(v)
		switch {
		case errors.Is(err, header.ErrContentRangeOrder):
			c.find("rfc9110.content-range.syntax", 0, "content-range %q has its last position before its first, or not below the complete length.", clip(v))
		case err != nil:
			c.find("rfc9110.content-range.syntax", 0, "content-range %q is not one of bytes first-last/length, bytes first-last/* or bytes */length.", clip(v))
		}
	}
	if v, ok := c.respValue(hLocation); ok {
		if err := header.ValidURIReference(v); err != nil {
			c.find("rfc9110.location.syntax", 0, "location %q is not a URI reference: it %v.", clip(v), err)
		}
	}
	if v, ok := c.respValue(hRetryAfter); ok {
		_, _, err := header.ParseRetryAfter(v)
		switch {
		case errors.Is(err, header.ErrDateObsolete):
			c.find("rfc9110.retry-after.syntax", 0, "retry-after %q is a date in an obsolete format; send seconds, or an IMF-fixdate such as Sun, 06 Nov 1994 08:49:37 GMT.", clip(v))
		case err != nil:
			c.find("rfc9110.retry-after.syntax", 0, "retry-after %q is neither a number of seconds nor an HTTP date; send seconds, such as 120.", clip(v))
		}
	}
	c.eachElement(&c.respSet, c.ex.GetResponseHeaders(), hUpgrade, func(e string) bool {
		if _, _, ok := header.ParseProtocol(e); !ok {
			c.find("rfc9110.upgrade.syntax", 0, "upgrade element %q is not a protocol (name or name/version, both tokens).", clip(e))
		}
		return true
	})
}

// checkDate reports a date field that is not an IMF-fixdate.
func (c *checker) checkDate(rule, name, v string) {
	switch _, err := header.ParseHTTPDate(v); {
	case errors.Is(err, header.ErrDateObsolete):
		c.find(rule, 0, "%s %q is in an obsolete date format; send an IMF-fixdate such as Sun, 06 Nov 1994 08:49:37 GMT.", name, clip(v))
	case err != nil:
		c.find(rule, 0, "%s %q is not an HTTP date; send an IMF-fixdate such as Sun, 06 Nov 1994 08:49:37 GMT.", name, clip(v))
	}
}
