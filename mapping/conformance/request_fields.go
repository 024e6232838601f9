package conformance

import (
	"github.com/statusd/statusd/mapping/header"
)

// checkRequestFields reports request fields that statusd reads (to judge
// 100, 206, 304, 412, 416 and 417 answers and the Level 3 outcomes) and
// that break their grammar. The client sent them, not the server: RFC 9110
// section 2.2's MUST NOT binds every sender, so they are errors of the
// exchange, and each message says it was the request. A server that
// receives one may answer 400 (section 15.5.1) or ignore the field.
func (c *checker) checkRequestFields() {
	req := c.ex.GetRequestHeaders()
	c.eachElement(&c.reqSet, req, hPrefer, func(e string) bool {
		if !header.ValidPreference(e) && !c.counted("rfc7240.prefer.syntax") {
			c.find("rfc7240.prefer.syntax", 0, "The request's prefer element %q (sent by the client) is not a preference (token[=value], then ;parameters), such as return=minimal.", clip(e))
		}
		return true
	})
	c.eachElement(&c.reqSet, req, hExpect, func(e string) bool {
		if !header.ValidExpectation(e) && !c.counted("rfc9110.expect.syntax") {
			c.find("rfc9110.expect.syntax", 0, "The request's expect element %q (sent by the client) is not an expectation (token[=value], such as 100-continue).", clip(e))
		}
		return true
	})
	c.checkRequestDate(hIfModifiedSince, "rfc9110.if-modified-since.syntax")
	c.checkRequestDate(hIfUnmodifiedSince, "rfc9110.if-unmodified-since.syntax")
	if v, ok := c.reqSet.value(req, hIfRange); ok {
		// if-range = entity-tag / HTTP-date, and never a weak tag
		// (section 13.1.5: a client MUST NOT generate one).
		_, weak, err := header.ParseETag(v)
		if weak {
			c.find("rfc9110.if-range.syntax", 0, "The request's if-range %q (sent by the client) is a weak entity tag, which if-range cannot carry; send a strong one, such as \"v7\".", clip(v))
		} else if err != nil {
			if err := header.ValidHTTPDate(v); err != nil {
				c.find("rfc9110.if-range.syntax", 0, "The request's if-range %q (sent by the client) is neither an entity tag nor an IMF-fixdate; send one validator, such as \"v7\".", clip(v))
			}
		}
	}
	c.checkETagList(hIfMatch, "rfc9110.if-match.syntax")
	c.checkETagList(hIfNoneMatch, "rfc9110.if-none-match.syntax")
	if v, ok := c.reqSet.value(req, hRange); ok {
		if clipped := clipList(v, MaxListBytes); len(clipped) < len(v) {
			c.tooLong("range")
			v = clipped
		}
		if _, _, err := header.CountRanges(v); err != nil {
			c.find("rfc9110.range.syntax", 0, "The request's range %q (sent by the client) is not a ranges specifier; send one such as bytes=0-499 or bytes=-500.", clip(v))
		}
	}
}

// checkRequestDate reports a request date field that is not an
// IMF-fixdate: the obsolete formats too, which a recipient reads but a
// sender MUST NOT generate (section 5.6.7).
func (c *checker) checkRequestDate(id uint8, rule string) {
	v, ok := c.reqSet.value(c.ex.GetRequestHeaders(), id)
	if !ok {
		return
	}
	if err := header.ValidHTTPDate(v); err != nil {
		c.find(rule, 0, "The request's %s %q (sent by the client) is not an IMF-fixdate; send one such as Sun, 06 Nov 1994 08:49:37 GMT.", knownNames[id], clip(v))
	}
}

// checkETagList reports an if-match or if-none-match request field that is
// neither "*" alone nor a list of entity tags.
func (c *checker) checkETagList(id uint8, rule string) {
	name := knownNames[id]
	n, star := 0, false
	c.eachElement(&c.reqSet, c.ex.GetRequestHeaders(), id, func(e string) bool {
		n++
		if e == "*" {
			star = true
		} else if !header.ValidEntityTagListElement(e, false) && !c.counted(rule) {
			c.find(rule, 0, "The request's %s element %q (sent by the client) is not an entity tag; send quoted tags such as \"v7\" or W/\"v7\", or * alone.", name, clip(e))
		}
		return true
	})
	if star && n > 1 {
		c.find(rule, 0, "The request's %s (sent by the client) lists * with other elements; * stands alone.", name)
	}
}

// clientRules are the rules a request breaks: the client, not the server,
// sent what they report.
var clientRules = [...]string{"rfc7240.prefer.syntax", "rfc9110.expect.syntax", "rfc9110.if-match.syntax",
	"rfc9110.if-none-match.syntax", "rfc9110.range.syntax", "rfc9110.if-modified-since.syntax",
	"rfc9110.if-unmodified-since.syntax", "rfc9110.if-range.syntax"}

// ClientSent reports whether rule is about what the client sent (a field
// of the request that breaks its grammar) rather than about the server's
// response, so that a caller judging only its server, such as a test of
// how a server answers malformed requests, can set those findings apart.
func ClientSent(rule string) bool {
	for _, r := range clientRules {
		if r == rule {
			return true
		}
	}
	return false
}
