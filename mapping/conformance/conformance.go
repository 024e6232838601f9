// Package conformance checks one HTTP exchange (request method and headers,
// response status and headers, body sizes) against RFC 9110 and the Level 3
// profiles it declares, and says what is wrong and what to send instead.
//
// Rules that are data (allowed methods, success statuses per method,
// required response headers) come from the catalog's profiles; rules that
// need logic are code. Each finding has a stable rule id, a severity from
// the source's keyword (MUST → error, SHOULD → warning, advice → info), a
// message and citations.
package conformance

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/header"
)

// MaxProfiles is the most profiles an exchange is checked against; more
// are reported and ignored.
const MaxProfiles = 16

// checker.declared has a bit per applied profile: a MaxProfiles past 16
// does not compile here.
const _ = uint16(1 << (MaxProfiles - 1))

// Finding is one broken rule or one observation.
type Finding struct {
	// Rule is the stable rule id, such as "l3.form.post.status".
	Rule string
	// Severity grades the finding.
	Severity statusdv1.Severity
	// Message says what is wrong and what to send instead.
	Message string
	// ExpectedStatus is the status the rule expects, if it implies one.
	ExpectedStatus int
	// Citations are the sources of the rule. Shared: do not modify.
	Citations []*statusdv1.Citation
	// Count is how many times the rule matched; the message is the first
	// match's.
	Count int
}

// Report is the verdict on one exchange.
type Report struct {
	// Findings, most severe first.
	Findings []Finding
	// Code is what the status means to an RPC client (Level 3 dialect, in
	// the context of the exchange).
	Code statusdv1.Code
	// Omitted is how many findings were left out past MaxFindings.
	Omitted int
	// profiles are the profiles that were applied, held by value so that a
	// Report costs no allocation of its own.
	profiles  [MaxProfiles]*statusdv1.Profile
	nProfiles int
}

// Profiles returns the profiles that were applied, in the order they were
// given or sent.
func (r *Report) Profiles() []*statusdv1.Profile { return r.profiles[:r.nProfiles] }

// Conforms reports whether no finding is an error.
func (r *Report) Conforms() bool {
	for _, f := range r.Findings {
		if f.Severity == statusdv1.Severity_SEVERITY_ERROR {
			return false
		}
	}
	return true
}

// UnknownProfileError reports a profile identifier that the catalog does
// not know.
type UnknownProfileError struct {
	// Index is the identifier's position in the list given to Check.
	Index int
	// ID is the identifier.
	ID string
}

func (e *UnknownProfileError) Error() string {
	return "unknown profile " + strconv.Quote(e.ID)
}

// Check validates ex against the profiles named by ids (short ids or URIs)
// or, if ids is empty, against the profiles of the response's profile
// headers. It fails only for an identifier in ids the catalog does not
// know. A status outside 100-599 or an empty method is not rejected here
// (the Validate RPC rejects them first); such an exchange simply breaks
// rules.
func Check(cat *mapping.Catalog, ex *statusdv1.Exchange, ids []string) (Report, error) {
	c := checker{cat: cat, ex: ex, status: int(ex.GetStatus()), method: ex.GetMethod()}
	c.reqSet.build(ex.GetRequestHeaders())
	c.respSet.build(ex.GetResponseHeaders())
	c.readAllow()
	if err := c.resolveProfiles(ids); err != nil {
		return Report{}, err
	}
	c.checkRFC9110()
	if c.status >= 200 { // 1xx interim responses carry no Level 3 headers
		c.checkLevel3()
	}
	tr, _ := mapping.HTTPToCode(statusdv1.Dialect_DIALECT_LEVEL3, c.status, mapping.Context{
		Method: c.method, Profiles: c.applied(), Headers: c.contextHeaders(), HeadersComplete: true, Catalog: cat})
	for i := range c.findings {
		c.findings[i].Count = max(c.findings[i].Count, 1) // a Level 3 rule that replaced an RFC one
	}
	if !slices.IsSortedFunc(c.findings, bySeverity) { // often they are found in order
		slices.SortStableFunc(c.findings, bySeverity)
	}
	return Report{Findings: c.findings, Code: tr.Code, Omitted: c.omitted, profiles: c.profileBuf, nProfiles: c.nProfiles}, nil
}

// bySeverity orders findings most severe first.
func bySeverity(a, b Finding) int { return cmp.Compare(a.Severity, b.Severity) }

// checker holds the state of one Check.
type checker struct {
	cat    *mapping.Catalog
	ex     *statusdv1.Exchange
	status int
	method string
	// reqSet and respSet record which known headers are present.
	reqSet, respSet headerIndex
	// What the response's allow header says, parsed once.
	allowPresent, allowsMethod, allowsPatch bool
	// profileBuf[:nProfiles] are the applied profiles, held in the checker
	// so that resolving them does not allocate; planBuf their plans.
	profileBuf [MaxProfiles]*statusdv1.Profile
	planBuf    [MaxProfiles]*profilePlan
	// plans are the plans of the catalog's profiles (plan.go).
	plans     map[*statusdv1.Profile]*profilePlan
	nProfiles int
	// aliased counts the applied profiles that redirect every method (an
	// Alias, mapping.RedirectsAlways), counted as they are applied so that
	// ruling asks it once per profile, not once per pair of profiles.
	aliased int
	// fromRequest: the profiles were given, not read from the response.
	fromRequest bool
	findings    []Finding
	omitted     int
	// lastCounted is the finding counted last (counted).
	lastCounted int
	// lastRef is the profile reference looked up last (profile).
	lastRef profileLookup
	// cl is the response's content-length, parsed once (contentLength).
	cl           int64
	clOK, clRead bool
	// elementsRead counts the list elements read, against maxReadElements.
	elementsRead int
	// declared has bit i set when the response's profile field names
	// applied profile i, read once when first asked (declares).
	declared     uint16 // holds MaxProfiles bits (see MaxProfiles)
	declaredRead bool
	// reported holds headers already reported missing, so that a Level 3
	// rule does not repeat an RFC rule about the same header.
	reported [4]string
	// tokens[:nTokens] remember what reqHasToken found, so that the
	// conditions of many profiles read a request field once, not once per
	// profile (16 profiles asking about one long prefer field).
	tokens  [8]tokenAnswer
	nTokens int
}

// tokenAnswer is one remembered reqHasToken answer.
type tokenAnswer struct {
	name, token string
	found       bool
}

func (c *checker) req(name string) bool  { return c.reqSet.hasName(c.ex.GetRequestHeaders(), name) }
func (c *checker) resp(name string) bool { return c.respSet.hasName(c.ex.GetResponseHeaders(), name) }

func (c *checker) respValue(id uint8) (string, bool) {
	return c.respSet.value(c.ex.GetResponseHeaders(), id)
}

// readAllow parses the response's allow header once: is it there, does it
// list the request's method, does it list PATCH.
func (c *checker) readAllow() {
	if !c.respSet.has(hAllow) {
		return
	}
	c.allowPresent = true
	c.eachElement(&c.respSet, c.ex.GetResponseHeaders(), hAllow, func(m string) bool {
		if !header.IsToken(m) && !c.counted("rfc9110.allow.syntax") {
			c.find("rfc9110.allow.syntax", 0, "allow element %q is not a method token; list methods such as GET, PUT.", clip(m))
		}
		c.allowsMethod = c.allowsMethod || m == c.method
		c.allowsPatch = c.allowsPatch || m == "PATCH"
		return true
	})
}

// hasBody reports whether the response carried content.
func (c *checker) hasBody() bool {
	return c.ex.ResponseBodySize != nil && c.ex.GetResponseBodySize() > 0
}

// is reports whether profile id was applied.
func (c *checker) is(id string) bool {
	for _, p := range c.applied() {
		if p.GetId() == id {
			return true
		}
	}
	return false
}

func (c *checker) noteMissing(name string) {
	for i := range c.reported {
		if c.reported[i] == "" {
			c.reported[i] = name
			return
		}
	}
}

func (c *checker) wasReported(name string) bool {
	for _, r := range c.reported {
		if r == name {
			return true
		}
	}
	return false
}

// resolveProfiles applies the profiles named by ids, or those of the
// response's profile headers, reporting legacy and unknown URIs.
func (c *checker) resolveProfiles(ids []string) error {
	if len(ids) > 0 {
		c.fromRequest = true
		for i, id := range ids {
			p, legacy, ok := c.cat.Profile(id)
			if !ok {
				return &UnknownProfileError{Index: i, ID: id}
			}
			if legacy {
				c.add(legacyProfile(id, p))
			}
			c.apply(p)
		}
		return nil
	}
	c.eachElement(&c.respSet, c.ex.GetResponseHeaders(), hProfile, func(e string) bool {
		c.applyProfileRef(e)
		return true
	})
	return nil
}

// applyProfileRef applies the profile of one element of the profile field.
// A rule that matches again only counts (counted), without formatting.
func (c *checker) applyProfileRef(e string) {
	ref, bracketed := header.ProfileRef(e)
	if !bracketed && !c.counted("l3.profile.brackets") {
		c.add(unbracketedProfile(clip(ref)))
	}
	p, legacy, ok := c.profile(ref)
	switch {
	case !ok && strings.Contains(ref, "level3.rest/"):
		if !c.counted("l3.profile.unknown") {
			c.add(unknownProfile(clip(ref)))
		}
		return
	case !ok:
		return // another vocabulary's profile: not ours to judge
	case legacy && !c.counted("l3.profile.legacy"):
		c.add(legacyProfile(ref, p))
	}
	c.apply(p)
}

// profileLookup is one answer of Catalog.Profile.
type profileLookup struct {
	ref           string
	profile       *statusdv1.Profile
	legacy, known bool
	asked         bool
}

// profile is c.cat.Profile, answering a reference equal to the one before
// it without a lookup: a long profile field repeats one reference.
func (c *checker) profile(ref string) (p *statusdv1.Profile, legacy, ok bool) {
	if l := &c.lastRef; !l.asked || l.ref != ref {
		l.profile, l.legacy, l.known = c.cat.Profile(ref)
		l.ref, l.asked = ref, true
	}
	return c.lastRef.profile, c.lastRef.legacy, c.lastRef.known
}

// apply adds p to the applied profiles, once, up to MaxProfiles.
func (c *checker) apply(p *statusdv1.Profile) {
	if c.nProfiles < MaxProfiles && !slices.Contains(c.applied(), p) {
		pp := c.lookupPlan(p)
		c.profileBuf[c.nProfiles], c.planBuf[c.nProfiles] = p, pp
		c.nProfiles++
		if pp.redirectsAlways {
			c.aliased++
		}
	}
}

// applied returns the applied profiles.
func (c *checker) applied() []*statusdv1.Profile { return c.profileBuf[:c.nProfiles] }
