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
			c.find("rfc9110.location.syntax", 0, "location %q is not a URI reference: it %s.", clip(v), err.Error())
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
		if _, _, ok := header.ParseProtocol(e); !ok && !c.counted("rfc9110.upgrade.syntax") {
			c.find("rfc9110.upgrade.syntax", 0, "upgrade element %q is not a protocol (name or name/version, both tokens).", clip(e))
		}
		return true
	})
	c.checkListFields()
	c.checkRequestFields()
}

// checkDate reports a date field that is not an IMF-fixdate.
func (c *checker) checkDate(rule, name, v string) {
	switch err := header.ValidHTTPDate(v); {
	case errors.Is(err, header.ErrDateObsolete):
		c.find(rule, 0, "%s %q is in an obsolete date format; send an IMF-fixdate such as Sun, 06 Nov 1994 08:49:37 GMT.", name, clip(v))
	case err != nil:
		c.find(rule, 0, "%s %q is not an HTTP date; send an IMF-fixdate such as Sun, 06 Nov 1994 08:49:37 GMT.", name, clip(v))
	}
}

// checkListFields reports the response's list fields whose elements break
// their grammar: preference-applied, accept-patch and link, each read
// within the bounds of eachElement.
func (c *checker) checkListFields() {
	resp := c.ex.GetResponseHeaders()
	c.eachElement(&c.respSet, resp, hPreferenceApplied, func(e string) bool {
		if !header.ValidAppliedPreference(e) && !c.counted("rfc7240.preference-applied.syntax") {
			c.find("rfc7240.preference-applied.syntax", 0, "preference-applied element %q is not an applied preference (token or token=value, without parameters), such as return=minimal.", clip(e))
		}
		return true
	})
	c.eachElement(&c.respSet, resp, hAcceptPatch, func(e string) bool {
		if !header.ValidMediaType(e) && !c.counted("rfc5789.accept-patch.syntax") {
			c.find("rfc5789.accept-patch.syntax", 0, "accept-patch element %q is not a media type (type/subtype, then ;name=value parameters), such as application/merge-patch+json.", clip(e))
		}
		return true
	})
	c.eachElement(&c.respSet, resp, hLink, func(e string) bool {
		if !header.ValidLinkValue(e) && !c.counted("rfc8288.link.syntax") {
			c.find("rfc8288.link.syntax", 0, "link element %q is not a link value (<URI-reference> then ;name=value parameters), such as </orders>; rel=\"up\".", clip(e))
		}
		return true
	})
	if v, ok := c.respValue(hContentLocation); ok {
		if err := header.ValidContentLocation(v); err != nil {
			c.find("rfc9110.content-location.syntax", 0, "content-location %q is not an absolute or partial URI: it %s.", clip(v), err.Error())
		}
	}
}
