package conformance

import (
	"fmt"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// Rule describes one rule: its id, its severity (from the keyword of the
// section it cites: MUST and MUST NOT are errors, SHOULD and SHOULD NOT
// warnings, text without a keyword warnings where the response contradicts
// its status's definition and infos where it is advice) and its sources.
// The README's rule table is tested against Rules.
type Rule struct {
	// ID is the rule id; <profile>, <method> and <header> stand for the
	// parts of the Level 3 rules derived from the catalog.
	ID       string
	Severity statusdv1.Severity
	// What says what the rule asks, in a few words.
	What      string
	Citations []*statusdv1.Citation
}

func r9110(sections ...string) []*statusdv1.Citation { return rfcs(9110, sections...) }

func rfcs(n int, sections ...string) []*statusdv1.Citation {
	out := make([]*statusdv1.Citation, len(sections))
	for i, s := range sections {
		out[i] = mapping.RFCCitation(n, s)
	}
	return out
}

func both(a, b []*statusdv1.Citation) []*statusdv1.Citation { return append(a, b...) }

func l3(name, path string) []*statusdv1.Citation {
	return []*statusdv1.Citation{mapping.Level3Citation(name, path)}
}

// grammar cites RFC 9110 section 2.2 (a sender MUST NOT generate protocol
// elements that do not match the grammar) and the field's section.
func grammar(section string) []*statusdv1.Citation { return r9110("2.2", section) }

// rules is every rule Check applies, in the README's order.
var rules = []Rule{
	// Content and framing.
	{"rfc9110.content.forbidden", errorSev, "1xx, 204 and 304 responses have no content (they end with their header section)", both(r9110("6.4.1"), rfcs(9112, "6.3"))},
	{"rfc9110.head.content", errorSev, "a response to HEAD has no content", r9110("9.3.2")},
	{"rfc9110.reset-content.content", errorSev, "205 has no content", r9110("15.3.6")},
	{"rfc9110.content-length.forbidden", errorSev, "no content-length in 1xx and 204", r9110("8.6")},
	{"rfc9112.transfer-encoding.forbidden", errorSev, "no transfer-encoding in 1xx and 204", rfcs(9112, "6.1")},
	{"rfc9110.connect.framing", errorSev, "no content-length or transfer-encoding in a 2xx to CONNECT", r9110("9.3.6", "8.6")},
	{"rfc9112.content-length.transfer-encoding", errorSev, "content-length and transfer-encoding not together", rfcs(9112, "6.2")},
	{"rfc9110.content-length.mismatch", errorSev, "content-length equals the content's size", both(r9110("8.6"), rfcs(9112, "6.3"))},
	// Statuses.
	{"rfc9110.switching-protocols.upgrade", errorSev, "101 carries upgrade", r9110("15.2.2")},
	{"rfc9110.upgrade.not-offered", errorSev, "101 switches only to a protocol the request's upgrade offered", r9110("7.8")},
	{"rfc9110.upgrade.connection", errorSev, "101 with upgrade sends connection: upgrade", r9110("7.8")},
	{"rfc9110.continue.expect", infoSev, "100 answers expect: 100-continue", r9110("10.1.1")},
	{"rfc9110.created.location", warningSev, "201 to POST carries location", r9110("9.3.3")},
	{"rfc9110.partial-content.content-range", errorSev, "a single-part 206 carries content-range with the range it encloses", r9110("15.3.7.1")},
	{"rfc9110.partial-content.multipart-content-range", errorSev, "a multipart 206 has no content-range in its header section", r9110("15.3.7.2")},
	{"rfc9110.partial-content.single-range-multipart", errorSev, "one requested range gets no multipart answer", r9110("15.3.7.2")},
	{"rfc9110.partial-content.range", warningSev, "206 answers a request with range", r9110("15.3.7")},
	{"rfc9110.partial-content.method", errorSev, "206 answers GET only (range is defined for GET)", r9110("14.2")},
	{"rfc9110.redirect.location", warningSev, "301, 302, 307 and 308 carry location", r9110("15.4.2", "15.4.3", "15.4.8", "15.4.9")},
	{"rfc9110.see-other.location", infoSev, "303 names the other resource in location", r9110("15.4.4")},
	{"rfc9110.not-modified.method", errorSev, "304 answers GET or HEAD; a failed if-none-match on another method is 412", r9110("13.1.2")},
	{"rfc9110.not-modified.conditional", warningSev, "304 answers a conditional request", r9110("15.4.5")},
	{"rfc9110.not-modified.metadata", warningSev, "304 carries no representation metadata (content-type, content-encoding, content-language)", r9110("15.4.5")},
	{"rfc9110.status.obsolete", warningSev, "305 Use Proxy is deprecated and 306 unused", r9110("15.4.6", "15.4.7")},
	{"rfc9110.status.unregistered", warningSev, "the status is in the IANA registry", r9110("16.2.1")},
	{"rfc9110.unauthorized.www-authenticate", errorSev, "401 carries www-authenticate", r9110("15.5.2")},
	{"rfc9110.method-not-allowed.allow", errorSev, "405 carries allow", r9110("15.5.6")},
	{"rfc9110.method-not-allowed.allows-method", warningSev, "405's allow does not list the refused method", r9110("15.5.6")},
	{"rfc9110.not-acceptable.accept", warningSev, "406 answers a request with accept, accept-charset, accept-encoding or accept-language", r9110("15.5.7")},
	{"rfc9110.proxy-auth.proxy-authenticate", errorSev, "407 carries proxy-authenticate", r9110("15.5.8")},
	{"rfc9110.precondition-failed.conditional", warningSev, "412 answers a request with a precondition", r9110("15.5.13")},
	{"rfc9110.range-not-satisfiable.content-range", warningSev, "416 to a byte range sends content-range: bytes */length", r9110("15.5.17")},
	{"rfc9110.range-not-satisfiable.range", warningSev, "416 answers a request with range", r9110("15.5.17")},
	{"rfc9110.expectation-failed.expect", warningSev, "417 answers a request with expect", r9110("15.5.18")},
	{"rfc9110.upgrade-required.upgrade", errorSev, "426 carries upgrade", r9110("15.5.22")},
	{"rfc9110.content-range.meaningless", warningSev, "content-range only on 206 and 416", r9110("14.4")},
	{"rfc9110.location.meaningless", warningSev, "location only on 201 and 3xx (or where a Level 3 profile gives it a meaning)", r9110("10.2.2")},
	// Field grammar.
	{"rfc9110.content-length.syntax", errorSev, "content-length is one decimal number", grammar("8.6")},
	{"rfc9110.etag.syntax", errorSev, "etag is an entity tag", grammar("8.8.3")},
	{"rfc9110.last-modified.syntax", errorSev, "last-modified is an IMF-fixdate", both(grammar("8.8.2"), r9110("5.6.7"))},
	{"rfc9110.content-range.syntax", errorSev, "content-range is `unit first-last/length`, `unit first-last/*` or `unit */length`", grammar("14.4")},
	{"rfc9110.location.syntax", errorSev, "location is a URI-reference", grammar("10.2.2")},
	{"rfc9110.retry-after.syntax", errorSev, "retry-after is an IMF-fixdate or seconds", both(grammar("10.2.3"), r9110("5.6.7"))},
	{"rfc9110.allow.syntax", errorSev, "allow lists method tokens", grammar("10.2.1")},
	{"rfc9110.upgrade.syntax", errorSev, "upgrade lists protocol tokens", grammar("7.8")},
	{"rfc9110.content-location.syntax", errorSev, "content-location is an absolute URI or a partial URI (no fragment)", grammar("8.7")},
	{"rfc7240.preference-applied.syntax", errorSev, "preference-applied lists token[=value] preferences, without parameters", both(r9110("2.2"), rfcs(7240, "3"))},
	{"rfc5789.accept-patch.syntax", errorSev, "accept-patch lists media types", both(r9110("2.2", "8.3.1"), rfcs(5789, "3.1"))},
	{"rfc8288.link.syntax", errorSev, "link lists `<URI-reference>; param=value` link values", both(r9110("2.2"), rfcs(8288, "3"))},
	// Field grammar of the request (the client is the sender, RFC 9110
	// section 2.2 binds it all the same).
	{"rfc7240.prefer.syntax", errorSev, "the request's prefer (sent by the client) lists preferences", both(r9110("2.2"), rfcs(7240, "2"))},
	{"rfc9110.expect.syntax", errorSev, "the request's expect (sent by the client) lists expectations", grammar("10.1.1")},
	{"rfc9110.if-match.syntax", errorSev, "the request's if-match (sent by the client) is `*` or entity tags", grammar("13.1.1")},
	{"rfc9110.if-none-match.syntax", errorSev, "the request's if-none-match (sent by the client) is `*` or entity tags", grammar("13.1.2")},
	{"rfc9110.if-modified-since.syntax", errorSev, "the request's if-modified-since (sent by the client) is an IMF-fixdate", both(grammar("13.1.3"), r9110("5.6.7"))},
	{"rfc9110.if-unmodified-since.syntax", errorSev, "the request's if-unmodified-since (sent by the client) is an IMF-fixdate", both(grammar("13.1.4"), r9110("5.6.7"))},
	{"rfc9110.if-range.syntax", errorSev, "the request's if-range (sent by the client) is a strong entity tag or an IMF-fixdate", grammar("13.1.5")},
	{"rfc9110.range.syntax", errorSev, "the request's range (sent by the client) is a ranges specifier, such as `bytes=0-499`", grammar("14.2")},
	{"statusd.field.limit", infoSev, fmt.Sprintf("a list field longer than statusd reads (%d KiB or %d elements a field, %d elements in all)", MaxListBytes>>10, MaxListElements, maxReadElements), citeFieldLimits},
	// Level 3 (built in level3.go; the severities here are tested against it).
	{"l3.profile.none", infoSev, "no profile: only the RFC rules apply", citeProfiles},
	{"l3.profile.legacy", infoSev, "an `http://` or renamed profile URI", citeProfiles},
	{"l3.profile.brackets", warningSev, "profile values in `<...>`", citeProfiles},
	{"l3.profile.unknown", warningSev, "a level3.rest URI that is no profile", citeProfiles},
	{"l3.profile.missing", errorSev, "the response names the profiles given in the request", citeProfiles},
	{"l3.profile.undeclared", errorSev, "the response's profile field lists each profile given in the request", citeProfiles},
	{"l3.method.allowed", errorSev, "a method the resource does not allow gets 405", citeAllow},
	{"l3.<profile>.<method>.status", errorSev, "the success status the profile gives the method (with its mixins), with expected_status", l3("the profile's page", "profiles")},
	{"l3.allow.missing", errorSev, "HEAD and GET responses carry allow", citeAllow},
	{"l3.body.empty", errorSev, "201 and 202 carry no content unless Representation was asked for", citeStatuses},
	{"l3.status.unused", warningSev, "a Level 3 status no applied profile uses", citeStatuses},
	{"l3.<profile>.validators", errorSev, "a profile that requires validators (Entity) sends etag or last-modified", l3("the profile's page", "profiles")},
	{"l3.<profile>.accept-patch", errorSev, "a profile that requires accept-patch (Data) sends it when allow lists PATCH", both(l3("the profile's page", "profiles"), rfcs(5789, "3.1"))},
	{"l3.<profile>[.<method>].<header>", errorSev, "the profile's required response headers (warning where the profile says recommended)", l3("the profile's page", "profiles")},
}

// Rules returns every rule Check applies. Shared: do not modify.
func Rules() []Rule { return rules }

var ruleIndex = func() map[string]*Rule {
	m := make(map[string]*Rule, len(rules))
	for i := range rules {
		m[rules[i].ID] = &rules[i]
	}
	return m
}()

// find reports rule id with a message formatted from format and args, and
// the severity and citations of the rules table. A rule already found only
// counts, without formatting.
func (c *checker) find(id string, expected int, format string, args ...any) {
	if c.counted(id) {
		return
	}
	r, ok := ruleIndex[id]
	if !ok {
		panic("conformance: rule " + id + " is not in the rules table")
	}
	c.add(Finding{Rule: id, Severity: r.Severity, Citations: r.Citations, ExpectedStatus: expected,
		Message: message(format, args...)})
}

// findCiting is find with one of the rule's citations, the section that
// applies to this exchange (such as the redirect's own status section).
func (c *checker) findCiting(id, section string, format string, args ...any) {
	c.find(id, 0, format, args...)
	for i := range c.findings {
		if f := &c.findings[i]; f.Rule == id && f.Count == 1 {
			for _, ct := range f.Citations {
				if ct.GetSection() == section {
					f.Citations = []*statusdv1.Citation{ct}
				}
			}
		}
	}
}

// Sources formats a rule's citations for a table: "RFC 9110 §15.3.2".
func (r Rule) Sources() string {
	var out []string
	for _, c := range r.Citations {
		s := c.GetDocument()
		if c.GetSection() != "" {
			s += " §" + c.GetSection()
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}
