package conformance

import "github.com/statusd/statusd/mapping/header"

// checkFraming applies the rules on content and on the fields that frame
// it (content-length, transfer-encoding), RFC 9110 sections 6.4.1 and 8.6
// and RFC 9112 section 6.
func (c *checker) checkFraming() {
	s := c.status
	connect2xx := c.method == "CONNECT" && s >= 200 && s < 300
	switch {
	case (s < 200 || s == 204 || s == 304) && c.hasBody():
		c.find("rfc9110.content.forbidden", 0, "A %d response has no content, but this one has %d bytes; send it without a body.", s, c.ex.GetResponseBodySize())
	case s == 205 && c.hasBody():
		c.find("rfc9110.reset-content.content", 0, "A 205 Reset Content must not have content, but this one has %d bytes; send it without a body.", c.ex.GetResponseBodySize())
	case c.method == "HEAD" && c.hasBody():
		c.find("rfc9110.head.content", 0, "A response to HEAD must not have content; send the header fields of the GET response without its body.")
	}
	cl, te := c.respSet.has(hContentLength), c.respSet.has(hTransferEncoding)
	switch {
	case s < 200 || s == 204:
		if cl {
			v, _ := c.respValue(hContentLength)
			c.find("rfc9110.content-length.forbidden", 0, "A %d must not carry content-length, not even %q; remove it.", s, clip(v))
		}
		if te {
			c.find("rfc9112.transfer-encoding.forbidden", 0, "A %d must not carry transfer-encoding; remove it.", s)
		}
	case connect2xx && (cl || te):
		c.find("rfc9110.connect.framing", 0, "A %d to CONNECT turns the connection into a tunnel and must not carry content-length or transfer-encoding; remove them.", s)
	case cl && te:
		c.find("rfc9112.content-length.transfer-encoding", 0, "A response with transfer-encoding must not also carry content-length (a recipient cannot tell which frames the message); remove content-length.")
	case cl && c.ex.ResponseBodySize != nil && c.method != "HEAD" && s != 304:
		if n, ok := c.contentLength(); ok && n != c.ex.GetResponseBodySize() {
			c.find("rfc9110.content-length.mismatch", 0, "content-length says %d bytes, but the content is %d bytes; a recipient would cut the message or wait for bytes that never come. Send the content's size.", n, c.ex.GetResponseBodySize())
		}
	}
}

// contentLength returns the response's content-length if it is one valid
// field line; anything else is a grammar error reported by checkFields.
func (c *checker) contentLength() (int64, bool) {
	if c.clRead {
		return c.cl, c.clOK
	}
	c.clRead = true
	c.cl, c.clOK = c.parseContentLength()
	return c.cl, c.clOK
}

func (c *checker) parseContentLength() (int64, bool) {
	if !c.respSet.has(hContentLength) {
		return 0, false
	}
	n, lines := int64(0), 0
	var err error
	headers := c.ex.GetResponseHeaders()
	from, to := c.respSet.lines(headers, hContentLength)
	for i := from; i < to; i++ {
		if !c.respSet.isLine(headers[i], i, hContentLength) {
			continue
		}
		if lines++; lines > 1 {
			return 0, false
		}
		n, err = header.ParseContentLength(headers[i].GetValue())
	}
	return n, lines == 1 && err == nil
}
