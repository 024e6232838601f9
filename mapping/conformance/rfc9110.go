package conformance

import (
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/header"
)

const (
	errorSev   = statusdv1.Severity_SEVERITY_ERROR
	warningSev = statusdv1.Severity_SEVERITY_WARNING
	infoSev    = statusdv1.Severity_SEVERITY_INFO
)

// checkRFC9110 applies the rules every HTTP exchange follows: framing
// (framing.go), field grammar (fields.go) and what each status requires.
func (c *checker) checkRFC9110() {
	c.checkFraming()
	c.checkStatus()
	c.checkFields()
}

// checkStatus applies the rules of the response's status.
func (c *checker) checkStatus() {
	s := c.status
	switch {
	case s == 101:
		c.checkSwitchingProtocols()
	case s == 100 && !c.reqHasToken("expect", "100-continue"):
		c.find("rfc9110.continue.expect", 0, "100 Continue answers a request with expect: 100-continue, and this request has none; the final response alone is enough.")
	case s == 201:
		if c.method == "POST" && !c.respSet.has(hLocation) {
			c.noteMissing("location")
			c.find("rfc9110.created.location", 0, "A 201 to POST should identify the resource it created; send location with its URI.")
		}
	case s == 206:
		c.checkPartialContent()
	case s == 301 || s == 302 || s == 307 || s == 308:
		if !c.respSet.has(hLocation) {
			c.noteMissing("location")
			c.findCiting("rfc9110.redirect.location", redirectSection[s], "A %d redirect should say where to go; send location with the target URI.", s)
		}
	case s == 303:
		if !c.respSet.has(hLocation) {
			c.noteMissing("location")
			c.find("rfc9110.see-other.location", 0, "A 303 redirects to the resource named in location, and this one has none; send location with that resource's URI.")
		}
	case s == 304:
		c.checkNotModified()
	case s == 305 || s == 306:
		c.findCiting("rfc9110.status.obsolete", obsoleteSection[s], "%d is %s; answer with a current status.", s, map[int]string{305: "deprecated (Use Proxy)", 306: "unused and reserved"}[s])
	case s == 401 && !c.respSet.has(hWWWAuthenticate):
		c.find("rfc9110.unauthorized.www-authenticate", 0, "401 Unauthorized must carry www-authenticate with at least one challenge, such as Bearer.")
	case s == 405:
		c.checkMethodNotAllowed()
	case s == 406 && !c.req("accept") && !c.req("accept-charset") && !c.req("accept-encoding") && !c.req("accept-language"):
		c.find("rfc9110.not-acceptable.accept", 0, "406 Not Acceptable answers a request whose accept fields rule out every representation, and this request has none; send the representation the resource has.")
	case s == 407 && !c.respSet.has(hProxyAuthenticate):
		c.find("rfc9110.proxy-auth.proxy-authenticate", 0, "407 Proxy Authentication Required must carry proxy-authenticate with at least one challenge.")
	case s == 412 && !c.reqSet.has(hIfMatch) && !c.reqSet.has(hIfNoneMatch) && !c.reqSet.has(hIfModifiedSince) && !c.reqSet.has(hIfUnmodifiedSince):
		c.find("rfc9110.precondition-failed.conditional", 0, "412 Precondition Failed answers a request with a precondition (if-match, if-none-match, if-modified-since or if-unmodified-since), and this request has none; answer with the status the request itself deserves.")
	case s == 416:
		c.checkUnsatisfiedRange()
	case s == 417 && !c.reqSet.has(hExpect):
		c.find("rfc9110.expectation-failed.expect", 0, "417 Expectation Failed answers an expect field, and this request has none; answer with the status the request itself deserves.")
	case s == 426 && !c.respSet.has(hUpgrade):
		c.find("rfc9110.upgrade-required.upgrade", 0, "426 Upgrade Required must carry upgrade with the protocols the client can switch to.")
	}
	if _, ok := c.cat.Status(s); !ok && s >= 100 && s <= 599 {
		c.find("rfc9110.status.unregistered", 0, "%d is not in the IANA status code registry; clients only know it by its class (%dxx). Use a registered status.", s, s/100)
	}
	if c.respSet.has(hContentRange) && s != 206 && s != 416 {
		c.find("rfc9110.content-range.meaningless", 0, "content-range means something only in 206 and 416 responses; leave it out of a %d.", s)
	}
	if c.respSet.has(hLocation) && s >= 200 && s != 201 && (s < 300 || s > 399) && !c.profileGives("location") {
		c.find("rfc9110.location.meaningless", 0, "location is defined for 201 and redirects, not for a %d; leave it out, or use content-location for the resource the content describes.", s)
	}
}

var (
	redirectSection = map[int]string{301: "15.4.2", 302: "15.4.3", 307: "15.4.8", 308: "15.4.9"}
	obsoleteSection = map[int]string{305: "15.4.6", 306: "15.4.7"}
)

// profileGives reports whether an applied profile lists response header
// name for this exchange, which gives it a meaning RFC 9110 does not (such
// as location on a Level 3 202).
func (c *checker) profileGives(name string) bool {
	for _, p := range c.applied() {
		for _, h := range p.GetResponseHeaders() {
			if h.GetName() == name && c.inScope(h) {
				return true
			}
		}
	}
	return false
}

// checkSwitchingProtocols: a 101 names the protocols in upgrade, only ones
// the request offered, with connection: upgrade.
func (c *checker) checkSwitchingProtocols() {
	if !c.respSet.has(hUpgrade) {
		c.find("rfc9110.switching-protocols.upgrade", 0, "101 Switching Protocols must carry upgrade naming the protocol in effect after it.")
		return
	}
	c.eachElement(&c.respSet, c.ex.GetResponseHeaders(), hUpgrade, func(e string) bool {
		name, _, ok := header.ParseProtocol(e)
		switch {
		case !ok || c.offered(name):
		case !c.reqSet.has(hUpgrade):
			c.find("rfc9110.upgrade.not-offered", 0, "The server switched to %s, but the request had no upgrade field; a server switches only to a protocol the client offered.", clip(name))
		default:
			c.find("rfc9110.upgrade.not-offered", 0, "The server switched to %s, which the request's upgrade field did not offer; switch only to a protocol the client offered.", clip(name))
		}
		return true
	})
	if !c.respHasToken(hConnection, "upgrade") {
		c.find("rfc9110.upgrade.connection", 0, "A 101 that sends upgrade must also send connection: upgrade.")
	}
}

// offered reports whether the request's upgrade field offers protocol name.
func (c *checker) offered(name string) bool {
	found := false
	c.eachElement(&c.reqSet, c.ex.GetRequestHeaders(), hUpgrade, func(e string) bool {
		n, _, ok := header.ParseProtocol(e)
		found = ok && strings.EqualFold(n, name)
		return !found
	})
	return found
}

// respHasToken reports whether the response's list field id holds token.
func (c *checker) respHasToken(id uint8, token string) bool {
	found := false
	c.eachElement(&c.respSet, c.ex.GetResponseHeaders(), id, func(e string) bool {
		found = strings.EqualFold(e, token)
		return !found
	})
	return found
}

func (c *checker) checkPartialContent() {
	if c.method != "GET" {
		c.find("rfc9110.partial-content.method", 0, "Range requests are defined for GET only, so a %s cannot be answered with 206; answer with the full response.", c.method)
	}
	if !c.reqSet.has(hRange) {
		c.find("rfc9110.partial-content.range", 0, "206 Partial Content answers a range request, and this request has no range field; send the full response with 200.")
	}
	ct, _ := c.respValue(hContentType)
	multipart := strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "multipart/byteranges")
	if multipart {
		if c.respSet.has(hContentRange) {
			c.find("rfc9110.partial-content.multipart-content-range", 0, "A multipart/byteranges 206 carries a content-range in each part, never in its header section; remove it there.")
		}
		if v, ok := c.reqSet.value(c.ex.GetRequestHeaders(), hRange); ok {
			if _, n, err := header.CountRanges(v); err == nil && n == 1 {
				c.find("rfc9110.partial-content.single-range-multipart", 0, "The request asked for one range, which must not get a multipart answer; send it as a single part with content-range.")
			}
		}
		return
	}
	v, ok := c.respValue(hContentRange)
	if !ok {
		c.noteMissing("content-range")
		c.find("rfc9110.partial-content.content-range", 0, "206 Partial Content must say which range it carries; send content-range: bytes first-last/length (or a multipart/byteranges body).")
		return
	}
	if cr, err := header.ParseContentRange(v); err == nil && cr.Unsatisfied() {
		c.find("rfc9110.partial-content.content-range", 416, "content-range %q is the unsatisfied form, which belongs to a 416; a 206 sends the range it carries, bytes first-last/length.", clip(v))
	}
	// A malformed value is reported once, by rfc9110.content-range.syntax.
}

func (c *checker) checkUnsatisfiedRange() {
	if !c.reqSet.has(hRange) {
		c.find("rfc9110.range-not-satisfiable.range", 0, "416 Range Not Satisfiable answers a range request, and this request has no range field; send the full response.")
	}
	v, ok := c.respValue(hContentRange)
	if !ok {
		if !c.is("content") { // Level 3 Content makes it a MUST, reported there
			c.noteMissing("content-range")
			c.find("rfc9110.range-not-satisfiable.content-range", 0, "416 Range Not Satisfiable should tell the current length; send content-range: bytes */length.")
		}
		return
	}
	if cr, err := header.ParseContentRange(v); err == nil && !cr.Unsatisfied() {
		c.find("rfc9110.range-not-satisfiable.content-range", 0, "content-range %q names a range, but a 416 should send the unsatisfied form with the current length, bytes */length.", clip(v))
	}
}

// checkNotModified: 304 answers a conditional GET or HEAD and carries no
// representation metadata.
func (c *checker) checkNotModified() {
	switch {
	case c.method != "GET" && c.method != "HEAD":
		c.find("rfc9110.not-modified.method", 412, "304 answers only GET and HEAD; when a precondition fails on a %s, the answer is 412 Precondition Failed.", c.method)
	case !c.reqSet.has(hIfNoneMatch) && !c.reqSet.has(hIfModifiedSince):
		c.find("rfc9110.not-modified.conditional", 0, "304 Not Modified answers a conditional request (if-none-match or if-modified-since), and this request has none; send the representation with 200.")
	}
	for _, id := range [...]uint8{hContentType, hContentEncoding, hContentLanguage} {
		if c.respSet.has(id) {
			c.find("rfc9110.not-modified.metadata", 0, "A 304 should not carry representation metadata such as %s; the client keeps the one it cached. Send only etag, date, cache headers, vary and content-location.", knownNames[id])
		}
	}
}

// checkMethodNotAllowed: 405 carries allow, and allow does not list the
// method it refused.
func (c *checker) checkMethodNotAllowed() {
	switch {
	case !c.allowPresent:
		c.noteMissing("allow")
		c.find("rfc9110.method-not-allowed.allow", 0, "405 Method Not Allowed must carry allow listing the methods the resource supports.")
	case c.allowsMethod:
		c.find("rfc9110.method-not-allowed.allows-method", 0, "allow lists %s, the method this 405 refused; take it out of allow, or answer the request.", c.method)
	}
}
