package conformance

import (
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/header"
)

// The bounds that keep one Check small whatever the exchange: a client
// that sends a megabyte of profile tokens gets the same few findings, in
// the same few microseconds, as one that sends ten.
const (
	// MaxFindings is the most findings a Report holds; the rest are
	// counted in Report.Omitted, the least severe left out first.
	MaxFindings = 24
	// MaxListBytes is how much of a list field (all its field lines
	// together) the rules read; real profile or allow fields are a few
	// hundred bytes.
	MaxListBytes = 4096
	// MaxListElements is how many elements of a list field the rules read:
	// as many as the profiles an exchange is checked against, twice the
	// methods RFC 9110 defines, more than real allow, profile or prefer
	// fields hold.
	MaxListElements = MaxProfiles
	// maxReadElements is how many list elements one Check reads in all,
	// re-reads included: eight fields at MaxListElements, enough for the
	// seven fields whose grammar the worst case breaks to be read whole.
	// An exchange with more long list fields than that gets the rest
	// unread and statusd.field.limit, like a long field.
	maxReadElements = 8 * MaxListElements
	// maxQuoted is the longest field value a message quotes.
	maxQuoted = 64
)

var citeFieldLimits = r9110("5.4")

// add records a finding once per rule: a rule that matches again only
// counts, so an exchange that repeats one mistake a thousand times gets one
// finding with Count 1000. Past MaxFindings, the least severe finding is
// left out.
func (c *checker) add(f Finding) {
	if c.counted(f.Rule) {
		return
	}
	f.Count = 1
	if len(c.findings) < MaxFindings {
		if len(c.findings) == cap(c.findings) {
			// A few findings are common, a dozen happen: room for 4, then
			// 12, then MaxFindings, instead of doubling five times.
			grown := make([]Finding, len(c.findings), max(4, min(3*len(c.findings), MaxFindings)))
			copy(grown, c.findings)
			c.findings = grown
		}
		c.findings = append(c.findings, f)
		return
	}
	c.omitted++
	least := 0
	for i := range c.findings {
		if c.findings[i].Severity > c.findings[least].Severity {
			least = i
		}
	}
	if f.Severity < c.findings[least].Severity {
		c.findings[least] = f
	}
}

// counted reports whether rule was already found, and if so counts one
// more match. Loops call it before they format a message, so that a
// repeated match costs no formatting.
func (c *checker) counted(rule string) bool {
	// A loop over a long field asks about the same rule again and again:
	// the finding it last counted is looked at first.
	if c.lastCounted < len(c.findings) && sameRule(c.findings[c.lastCounted].Rule, rule) {
		c.findings[c.lastCounted].Count++
		return true
	}
	for i := range c.findings {
		if c.findings[i].Rule == rule {
			c.findings[i].Count++
			c.lastCounted = i
			return true
		}
	}
	return false
}

// sameRule reports whether a == b, without a call when both are the same
// rule id constant (a finding's Rule is the id its rule passed).
func sameRule(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// eachElement calls yield with the elements of the list field id of
// headers (every field line, comma-joined) until yield returns false, up
// to MaxListBytes and MaxListElements of the field, and up to
// maxReadElements over the whole Check (rules ask about the same request
// fields once per profile outcome); past a bound it reports once that the
// rest was not read. An element cut by the byte bound is not yielded. It
// takes a callback rather than returning an iterator so that the checker
// stays on the stack.
func (c *checker) eachElement(set *headerIndex, headers []*statusdv1.Header, id uint8, yield func(string) bool) {
	if set.has(id) { // most fields are absent: no call for them
		c.eachElementNamed(set, headers, id, knownNames[id], yield)
	}
}

// eachElementNamed is eachElement for any field: a known one by id, or
// any other (id unknownHeader) by name.
func (c *checker) eachElementNamed(set *headerIndex, headers []*statusdv1.Header, id uint8, name string, yield func(string) bool) {
	start, end := 0, len(headers)
	if id != unknownHeader {
		if !set.has(id) {
			return // most fields are absent
		}
		start, end = set.lines(headers, id)
	}
	bytes, elements := 0, 0
	for i := start; i < end; i++ {
		switch {
		case id == unknownHeader:
			if !strings.EqualFold(headers[i].GetName(), name) {
				continue
			}
		case i < maxIndexed: // isLine's first case, without its call
			if set.ids[i] != id {
				continue
			}
		case !set.isLine(headers[i], i, id):
			continue
		}
		v := headers[i].GetValue()
		cut := bytes+len(v) > MaxListBytes
		if cut {
			v = clipList(v, MaxListBytes-bytes)
		}
		bytes += len(v)
		for v != "" {
			var e string
			if e, v = header.CutElement(v); e == "" {
				continue
			}
			elements++
			if c.elementsRead++; elements > MaxListElements || c.elementsRead > maxReadElements {
				c.tooLong(name)
				return
			}
			if !yield(e) {
				return
			}
		}
		if cut {
			c.tooLong(name)
			return
		}
	}
}

// clipList cuts a list value to at most n bytes, at a comma, so that no
// element is cut in two.
func clipList(v string, n int) string {
	if len(v) <= n {
		return v
	}
	if i := strings.LastIndexByte(v[:n], ','); i >= 0 {
		return v[:i]
	}
	return ""
}

// The bounds of the request fields handed to mapping.HTTPToCode, which
// reads whole list fields: when the fields hold more than maxContextBytes,
// it gets a copy with at most maxContextBytes and maxContextElements in
// all, so that a megabyte of "prefer: x,x,x" costs no more than a few
// dozen elements. A long element without commas (a cookie) stays whole.
const (
	maxContextBytes    = 64 << 10
	maxContextElements = 128
)

// contextHeaders returns the request's fields for mapping.HTTPToCode: as
// they are when they are small (no copy, no allocation), else the lines
// within the bounds, a line that crosses one cut at a comma (a copy of the
// line; the others are shared).
func (c *checker) contextHeaders() []*statusdv1.Header {
	headers := c.ex.GetRequestHeaders()
	if len(headers) <= maxContextElements { // else the bound is crossed already
		total := 0
		for _, h := range headers {
			total += len(h.GetValue())
		}
		if total <= maxContextBytes {
			return headers
		}
	}
	c.tooLong("the request's header section")
	out := make([]*statusdv1.Header, 0, min(len(headers), 16)) // long fields fill the bounds in a few lines
	bytes, elements := maxContextBytes, maxContextElements
	for _, h := range headers {
		if elements <= 0 {
			break
		}
		v, k := firstElements(clipList(h.GetValue(), bytes), elements)
		if v == "" && h.GetValue() != "" {
			break
		}
		bytes -= len(v)
		elements -= k
		if len(v) != len(h.GetValue()) { // cut to a bound: copied
			h = &statusdv1.Header{Name: h.GetName(), Value: v}
		}
		out = append(out, h)
	}
	return out
}

// firstElements returns the first n comma-separated elements of v (all of
// v if it has fewer) and how many elements that is. It counts commas a
// block at a time and looks at single bytes only in the block that holds
// the n-th comma, so that neither many short elements nor one long one
// costs a call per element.
func firstElements(v string, n int) (string, int) {
	const block = 64
	k := 1 // elements so far: commas seen + 1
	for start := 0; start < len(v); start += block {
		chunk := v[start:min(start+block, len(v))]
		if commas := strings.Count(chunk, ","); k+commas <= n {
			k += commas
			continue
		}
		for i := 0; i < len(chunk); i++ {
			if chunk[i] == ',' {
				if k == n {
					return v[:start+i], k
				}
				k++
			}
		}
	}
	return v, k
}

// tooLong reports a list field longer than the rules read.
func (c *checker) tooLong(name string) {
	if c.counted("statusd.field.limit") {
		return
	}
	c.add(Finding{Rule: "statusd.field.limit", Severity: infoSev, Citations: citeFieldLimits,
		Message: message("%s is longer than statusd reads; only its first part was checked. Fields this long are also refused by many servers.", name)})
}

// reqHasToken reports whether the request's list field name holds token,
// reading at most the bounded part of the field. The first question about
// a field reads it once for every token that the conditions of the
// applied profiles' outcomes for the request's method ask of it (the only
// outcomes the rules look at), so that sixteen profiles asking about one
// long prefer field cost one read, not one per profile and token; the read
// stops when every question is answered.
func (c *checker) reqHasToken(name, token string) bool {
	if found, ok := c.recall(name, token); ok {
		return found
	}
	var q tokenQuestions
	q.ask(name, token)
	for i, p := range c.applied() {
		for k, o := range p.GetOutcomes() {
			if o.GetMethod() != c.method {
				continue // only the request method's outcomes are asked about
			}
			for _, cond := range c.planBuf[i].outcomes[k].conds {
				if cond.Element != "" && strings.EqualFold(cond.Name, name) {
					if _, known := c.recall(name, cond.Element); !known {
						q.ask(name, cond.Element)
					}
				}
			}
		}
	}
	c.answer(&q)
	for _, a := range q.asked[:q.n] {
		if c.nTokens < len(c.tokens) {
			c.tokens[c.nTokens] = a.tokenAnswer
			c.nTokens++
		}
	}
	return q.asked[0].found
}

// recall returns a remembered reqHasToken answer.
func (c *checker) recall(name, token string) (found, ok bool) {
	for _, a := range c.tokens[:c.nTokens] {
		if a.token == token && strings.EqualFold(a.name, name) {
			return a.found, true
		}
	}
	return false, false
}

// tokenQuestions are the tokens one read of a request field answers.
type tokenQuestions struct {
	asked [len(checker{}.tokens)]struct {
		tokenAnswer
		want header.Preference
		ok   bool // want parsed
	}
	n int
}

// ask adds a question, once, while there is room.
func (q *tokenQuestions) ask(name, token string) {
	for _, a := range q.asked[:q.n] {
		if a.token == token {
			return
		}
	}
	if q.n == len(q.asked) {
		return
	}
	a := &q.asked[q.n]
	a.name, a.token = name, token
	a.want, a.ok = header.ParsePreference(token)
	q.n++
}

// answer reads the request field of q's questions once, within the bounds
// of eachElement, parsing each element once.
func (c *checker) answer(q *tokenQuestions) {
	name := q.asked[0].name
	open := 0
	for i := range q.asked[:q.n] {
		if q.asked[i].ok {
			open++
		}
	}
	if open == 0 {
		return
	}
	c.eachElementNamed(&c.reqSet, c.ex.GetRequestHeaders(), knownID(name), name, func(e string) bool {
		p, ok := header.ParsePreference(e)
		if !ok {
			return true
		}
		for i := range q.asked[:q.n] {
			if a := &q.asked[i]; a.ok && !a.found && p.Matches(a.want) {
				a.found = true
				open--
			}
		}
		return open > 0
	})
}

// declares reports whether the response's profile field names applied
// profile p, from the bounded part of the field, resolved once per Check.
func (c *checker) declares(p *statusdv1.Profile) bool {
	if !c.declaredRead {
		c.declaredRead = true
		c.eachElement(&c.respSet, c.ex.GetResponseHeaders(), hProfile, func(e string) bool {
			ref, _ := header.ProfileRef(e)
			if q, _, ok := c.profile(ref); ok {
				if i := slices.Index(c.applied(), q); i >= 0 {
					c.declared |= 1 << i
				}
			}
			return true
		})
	}
	i := slices.Index(c.applied(), p)
	return i >= 0 && c.declared&(1<<i) != 0
}

// clip cuts a field value to maxQuoted bytes (at a character boundary),
// marking the cut with "…", so that a long value cannot make a long
// message.
func clip(v string) string {
	if len(v) <= maxQuoted {
		return v
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}
