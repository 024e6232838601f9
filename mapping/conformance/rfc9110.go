package conformance

import (
	"fmt"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/header"
)

const (
	errorSev   = statusdv1.Severity_SEVERITY_ERROR
	warningSev = statusdv1.Severity_SEVERITY_WARNING
	infoSev    = statusdv1.Severity_SEVERITY_INFO
)

func rfc(section string) []*statusdv1.Citation {
	return []*statusdv1.Citation{mapping.RFCCitation(9110, section)}
}

// Citations of the RFC 9110 rules, built once.
var (
	citeNoContent    = rfc("6.4.1")
	citeHead         = rfc("9.3.2")
	citeCreated      = rfc("15.3.2")
	citeRedirect     = rfc("15.4")
	citeAllow405     = rfc("15.5.6")
	citeChallenge401 = rfc("15.5.2")
	citePartial      = rfc("15.3.7")
	citeRange416     = rfc("15.5.17")
	citeContinue     = rfc("10.1.1")
	citeExpect417    = rfc("15.5.18")
	citeETag         = rfc("8.8.3")
	citeContentRange = rfc("14.4")
)

// checkRFC9110 applies the rules every HTTP exchange follows.
func (c *checker) checkRFC9110() {
	s := c.status
	if (s < 200 || s == 204 || s == 304) && c.hasBody() {
		c.add(Finding{Rule: "rfc9110.content.forbidden", Severity: errorSev, Citations: citeNoContent,
			Message: fmt.Sprintf("A %d response has no content, but this one has %d bytes; send the response without a body.", s, c.ex.GetResponseBodySize())})
	}
	if c.method == "HEAD" && c.hasBody() {
		c.add(Finding{Rule: "rfc9110.head.content", Severity: errorSev, Citations: citeHead,
			Message: "A response to HEAD has no content; send the headers of the GET response without its body."})
	}
	if s == 201 && !c.respSet.has(hLocation) {
		c.noteMissing("location")
		c.add(Finding{Rule: "rfc9110.created.location", Severity: warningSev, Citations: citeCreated,
			Message: "201 Created should identify the new resource; send a location header with its URI."})
	}
	switch s {
	case 301, 302, 303, 307, 308:
		if !c.respSet.has(hLocation) {
			c.noteMissing("location")
			c.add(Finding{Rule: "rfc9110.redirect.location", Severity: warningSev, Citations: citeRedirect,
				Message: fmt.Sprintf("A %d redirect should say where to go; send a location header with the target URI.", s)})
		}
	case 401:
		if !c.respSet.has(hWWWAuthenticate) {
			c.add(Finding{Rule: "rfc9110.unauthorized.www-authenticate", Severity: errorSev, Citations: citeChallenge401,
				Message: "401 Unauthorized must carry a www-authenticate header with at least one challenge, such as `Bearer`."})
		}
	case 405:
		if !c.allowPresent {
			c.noteMissing("allow")
			c.add(Finding{Rule: "rfc9110.method-not-allowed.allow", Severity: errorSev, Citations: citeAllow405,
				Message: "405 Method Not Allowed must carry an allow header listing the methods the resource supports."})
		}
	case 206:
		c.checkPartialContent()
	case 416:
		c.checkUnsatisfiedRange()
	case 100:
		if !header.HasToken(c.ex.GetRequestHeaders(), "expect", "100-continue") {
			c.add(Finding{Rule: "rfc9110.continue.expect", Severity: warningSev, Citations: citeContinue,
				Message: "100 Continue answers a request with expect: 100-continue, and this request has none; send the final response instead."})
		}
	case 417:
		if !c.reqSet.has(hExpect) {
			c.add(Finding{Rule: "rfc9110.expectation-failed.expect", Severity: warningSev, Citations: citeExpect417,
				Message: "417 Expectation Failed answers an expect header, and this request has none; answer with the status the request itself deserves."})
		}
	}
	if !c.respSet.has(hETag) {
		return
	}
	if v, ok := c.respValue(hETag); ok {
		if _, _, err := header.ParseETag(v); err != nil {
			c.add(Finding{Rule: "rfc9110.etag.syntax", Severity: errorSev, Citations: citeETag,
				Message: fmt.Sprintf("etag %q is not an entity tag; send a quoted value such as \"v7\" or W/\"v7\".", v)})
		}
	}
}

func (c *checker) checkPartialContent() {
	v, ok := c.respValue(hContentRange)
	if !ok {
		if ct, _ := c.respValue(hContentType); strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "multipart/byteranges") {
			return
		}
		c.noteMissing("content-range")
		c.add(Finding{Rule: "rfc9110.partial-content.content-range", Severity: errorSev, Citations: citePartial,
			Message: "206 Partial Content must say which range it carries; send content-range: bytes first-last/length (or a multipart/byteranges body)."})
		return
	}
	cr, err := header.ParseContentRange(v)
	switch {
	case err != nil:
		c.add(Finding{Rule: "rfc9110.content-range.syntax", Severity: errorSev, Citations: citeContentRange,
			Message: fmt.Sprintf("content-range %q: %v.", v, err)})
	case cr.Unsatisfied():
		c.add(Finding{Rule: "rfc9110.partial-content.content-range", Severity: errorSev, Citations: citePartial, ExpectedStatus: 416,
			Message: fmt.Sprintf("content-range %q is the unsatisfied form, which belongs to 416; a 206 sends the range it carries, bytes first-last/length.", v)})
	}
}

func (c *checker) checkUnsatisfiedRange() {
	v, ok := c.respValue(hContentRange)
	if !ok {
		if !c.is("content") { // Level 3 Content makes it a MUST, reported there
			c.noteMissing("content-range")
			c.add(Finding{Rule: "rfc9110.range-not-satisfiable.content-range", Severity: warningSev, Citations: citeRange416,
				Message: "416 Range Not Satisfiable should tell the current length; send content-range: bytes */length."})
		}
		return
	}
	if cr, err := header.ParseContentRange(v); err != nil || !cr.Unsatisfied() {
		c.add(Finding{Rule: "rfc9110.range-not-satisfiable.content-range", Severity: warningSev, Citations: citeRange416,
			Message: fmt.Sprintf("content-range %q on a 416 should be the unsatisfied form, bytes */length.", v)})
	}
}
