package conformance

import (
	"regexp"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// rulePair is a violating and a conforming exchange for one rule.
type rulePair struct {
	bad, good *statusdv1.Exchange
	profiles  []string // for both
}

const fixdate = "Tue, 24 Nov 2026 10:00:00 GMT"

// rulePairs has one pair per rule of the rules table (TestEveryRuleHasAPair).
var rulePairs = map[string]rulePair{
	"rfc9110.content.forbidden":     {bad: exchange("DELETE", 204, nil, nil, 5), good: exchange("DELETE", 204, nil, nil, 0)},
	"rfc9110.head.content":          {bad: exchange("HEAD", 200, nil, nil, 5), good: exchange("HEAD", 200, nil, []string{"content-length: 5"}, 0)},
	"rfc9110.reset-content.content": {bad: exchange("POST", 205, nil, nil, 3), good: exchange("POST", 205, nil, nil, 0)},
	"rfc9110.content-length.forbidden": {bad: exchange("DELETE", 204, nil, []string{"content-length: 0"}, 0),
		good: exchange("DELETE", 204, nil, nil, 0)},
	"rfc9112.transfer-encoding.forbidden": {bad: exchange("PUT", 100, []string{"expect: 100-continue"}, []string{"transfer-encoding: chunked"}, -1),
		good: exchange("PUT", 100, []string{"expect: 100-continue"}, nil, -1)},
	"rfc9110.connect.framing": {bad: exchange("CONNECT", 200, nil, []string{"content-length: 0"}, -1), good: exchange("CONNECT", 200, nil, nil, -1)},
	"rfc9112.content-length.transfer-encoding": {bad: exchange("GET", 404, nil, []string{"content-length: 5", "transfer-encoding: chunked"}, 5),
		good: exchange("GET", 404, nil, []string{"transfer-encoding: chunked"}, 5)},
	"rfc9110.content-length.mismatch": {bad: exchange("GET", 404, nil, []string{"content-length: 50"}, 5),
		good: exchange("GET", 404, nil, []string{"content-length: 5"}, 5)},
	"rfc9110.switching-protocols.upgrade": {bad: exchange("GET", 101, []string{"upgrade: websocket", "connection: upgrade"}, []string{"connection: upgrade"}, -1),
		good: exchange("GET", 101, []string{"upgrade: websocket", "connection: upgrade"}, []string{"upgrade: websocket", "connection: upgrade"}, -1)},
	"rfc9110.upgrade.not-offered": {bad: exchange("GET", 101, nil, []string{"upgrade: websocket", "connection: upgrade"}, -1),
		good: exchange("GET", 101, []string{"upgrade: h2c, WebSocket", "connection: upgrade"}, []string{"upgrade: websocket", "connection: Upgrade"}, -1)},
	"rfc9110.upgrade.connection": {bad: exchange("GET", 101, []string{"upgrade: websocket", "connection: upgrade"}, []string{"upgrade: websocket"}, -1),
		good: exchange("GET", 101, []string{"upgrade: websocket", "connection: upgrade"}, []string{"upgrade: websocket", "connection: keep-alive, upgrade"}, -1)},
	"rfc9110.continue.expect":  {bad: exchange("POST", 100, nil, nil, -1), good: exchange("POST", 100, []string{"expect: 100-continue"}, nil, -1)},
	"rfc9110.created.location": {bad: exchange("POST", 201, nil, nil, 0), good: exchange("PUT", 201, nil, nil, 0)},
	"rfc9110.partial-content.content-range": {bad: exchange("GET", 206, []string{"range: bytes=0-9"}, nil, 10),
		good: exchange("GET", 206, []string{"range: bytes=0-9"}, []string{"content-range: bytes 0-9/100"}, 10)},
	"rfc9110.partial-content.multipart-content-range": {
		bad:  exchange("GET", 206, []string{"range: bytes=0-9,20-29"}, []string{"content-type: multipart/byteranges; boundary=x", "content-range: bytes 0-29/100"}, 300),
		good: exchange("GET", 206, []string{"range: bytes=0-9,20-29"}, []string{"content-type: multipart/byteranges; boundary=x"}, 300)},
	"rfc9110.partial-content.single-range-multipart": {
		bad:  exchange("GET", 206, []string{"range: bytes=0-9"}, []string{"content-type: multipart/byteranges; boundary=x"}, 300),
		good: exchange("GET", 206, []string{"range: bytes=0-9"}, []string{"content-type: text/plain", "content-range: bytes 0-9/100"}, 10)},
	"rfc9110.partial-content.range": {bad: exchange("GET", 206, nil, []string{"content-range: bytes 0-9/100"}, 10),
		good: exchange("GET", 206, []string{"range: bytes=0-9"}, []string{"content-range: bytes 0-9/100"}, 10)},
	"rfc9110.partial-content.method": {bad: exchange("POST", 206, []string{"range: bytes=0-9"}, []string{"content-range: bytes 0-9/100"}, 10),
		good: exchange("POST", 200, []string{"range: bytes=0-9"}, nil, 100)},
	"rfc9110.redirect.location":  {bad: exchange("GET", 301, nil, nil, 0), good: exchange("GET", 301, nil, []string{"location: https://example.com/new"}, 0)},
	"rfc9110.see-other.location": {bad: exchange("POST", 303, nil, nil, 0), good: exchange("POST", 303, nil, []string{"location: /orders/1"}, 0)},
	"rfc9110.not-modified.method": {bad: exchange("PUT", 304, []string{`if-none-match: "a"`}, nil, -1),
		good: exchange("PUT", 412, []string{`if-none-match: "a"`}, nil, -1)},
	"rfc9110.not-modified.conditional": {bad: exchange("GET", 304, nil, nil, -1),
		good: exchange("GET", 304, []string{"if-modified-since: " + fixdate}, nil, -1)},
	"rfc9110.not-modified.metadata": {bad: exchange("GET", 304, []string{`if-none-match: "a"`}, []string{`etag: "a"`, "content-type: text/html"}, -1),
		good: exchange("GET", 304, []string{`if-none-match: "a"`}, []string{`etag: "a"`, "cache-control: max-age=60"}, -1)},
	"rfc9110.status.obsolete":     {bad: exchange("GET", 305, nil, []string{"location: http://proxy"}, 0), good: exchange("GET", 307, nil, []string{"location: /x"}, 0)},
	"rfc9110.status.unregistered": {bad: exchange("GET", 299, nil, nil, 0), good: exchange("GET", 200, nil, nil, 0)},
	"rfc9110.unauthorized.www-authenticate": {bad: exchange("GET", 401, nil, nil, 0),
		good: exchange("GET", 401, nil, []string{`www-authenticate: Bearer realm="api"`}, 0)},
	"rfc9110.method-not-allowed.allow": {bad: exchange("DELETE", 405, nil, nil, 0), good: exchange("DELETE", 405, nil, []string{"allow: GET, HEAD"}, 0)},
	"rfc9110.method-not-allowed.allows-method": {bad: exchange("DELETE", 405, nil, []string{"allow: GET, HEAD, DELETE"}, 0),
		good: exchange("DELETE", 405, nil, []string{"allow: GET, HEAD"}, 0)},
	"rfc9110.not-acceptable.accept": {bad: exchange("GET", 406, nil, nil, 0), good: exchange("GET", 406, []string{"accept: application/xml"}, nil, 0)},
	"rfc9110.proxy-auth.proxy-authenticate": {bad: exchange("GET", 407, nil, nil, 0),
		good: exchange("GET", 407, nil, []string{"proxy-authenticate: Basic realm=\"proxy\""}, 0)},
	"rfc9110.precondition-failed.conditional": {bad: exchange("PUT", 412, nil, nil, 0), good: exchange("PUT", 412, []string{"if-unmodified-since: " + fixdate}, nil, 0)},
	"rfc9110.range-not-satisfiable.content-range": {bad: exchange("GET", 416, []string{"range: bytes=900-"}, []string{"content-range: bytes 0-9/100"}, 0),
		good: exchange("GET", 416, []string{"range: bytes=900-"}, []string{"content-range: bytes */100"}, 0)},
	"rfc9110.range-not-satisfiable.range": {bad: exchange("GET", 416, nil, []string{"content-range: bytes */100"}, 0),
		good: exchange("GET", 416, []string{"range: bytes=900-"}, []string{"content-range: bytes */100"}, 0)},
	"rfc9110.expectation-failed.expect": {bad: exchange("PUT", 417, nil, nil, 0), good: exchange("PUT", 417, []string{"expect: 100-continue"}, nil, 0)},
	"rfc9110.upgrade-required.upgrade":  {bad: exchange("GET", 426, nil, nil, 0), good: exchange("GET", 426, nil, []string{"upgrade: HTTP/3.0", "connection: upgrade"}, 0)},
	"rfc9110.content-range.meaningless": {bad: exchange("GET", 200, nil, []string{"content-range: bytes 0-9/10"}, 10), good: exchange("GET", 200, nil, nil, 10)},
	"rfc9110.location.meaningless": {bad: exchange("GET", 200, nil, []string{"location: /x"}, 10),
		good: exchange("POST", 202, []string{"prefer: respond-async"}, []string{"profile: <https://level3.rest/profiles/form>, <https://level3.rest/profiles/mixins/async>",
			"location: /jobs/1", "preference-applied: respond-async"}, 0)},
	"rfc9110.content-length.syntax": {bad: exchange("GET", 200, nil, []string{"content-length: 5, 5"}, 5), good: exchange("GET", 200, nil, []string{"content-length: 5"}, 5)},
	"rfc9110.etag.syntax":           {bad: exchange("GET", 200, nil, []string{"etag: v7"}, 3), good: exchange("GET", 200, nil, []string{`etag: W/"v7"`}, 3)},
	"rfc9110.last-modified.syntax": {bad: exchange("GET", 200, nil, []string{"last-modified: 2026-11-24"}, 3),
		good: exchange("GET", 200, nil, []string{"last-modified: " + fixdate}, 3)},
	"rfc9110.content-range.syntax": {bad: exchange("GET", 416, []string{"range: bytes=900-"}, []string{"content-range: bytes */*"}, 0),
		good: exchange("GET", 416, []string{"range: bytes=900-"}, []string{"content-range: bytes */800"}, 0)},
	"rfc9110.location.syntax":    {bad: exchange("GET", 302, nil, []string{"location: /a b"}, 0), good: exchange("GET", 302, nil, []string{"location: /a%20b"}, 0)},
	"rfc9110.retry-after.syntax": {bad: exchange("GET", 503, nil, []string{"retry-after: soon"}, 0), good: exchange("GET", 503, nil, []string{"retry-after: 120"}, 0)},
	"rfc9110.allow.syntax":       {bad: exchange("GET", 405, nil, []string{"allow: GET HEAD"}, 0), good: exchange("GET", 405, nil, []string{"allow: POST, HEAD"}, 0)},
	"rfc9110.upgrade.syntax":     {bad: exchange("GET", 426, nil, []string{"upgrade: HTTP/3/0"}, 0), good: exchange("GET", 426, nil, []string{"upgrade: HTTP/3.0"}, 0)},
	"rfc9110.content-location.syntax": {bad: exchange("GET", 200, nil, []string{"content-location: /orders/1#top"}, 3),
		good: exchange("GET", 200, nil, []string{"content-location: /orders/1.json"}, 3)},
	"rfc7240.preference-applied.syntax": {bad: exchange("POST", 200, []string{"prefer: return=representation"}, []string{"preference-applied: return=representation; x=1"}, 3),
		good: exchange("POST", 200, []string{"prefer: return=representation"}, []string{"preference-applied: return=representation"}, 3)},
	"rfc5789.accept-patch.syntax": {bad: exchange("OPTIONS", 204, nil, []string{"accept-patch: merge-patch"}, 0),
		good: exchange("OPTIONS", 204, nil, []string{"accept-patch: application/merge-patch+json, text/plain; charset=utf-8"}, 0)},
	"rfc8288.link.syntax": {bad: exchange("GET", 200, nil, []string{"link: /orders; rel=up"}, 3),
		good: exchange("GET", 200, nil, []string{`link: </orders>; rel="up", <https://example.com/next>; rel=next`}, 3)},
	"rfc7240.prefer.syntax": {bad: exchange("POST", 200, []string{"prefer: return=minimal representation"}, nil, 3),
		good: exchange("POST", 200, []string{`prefer: return = "minimal", respond-async; wait=10`}, nil, 3)},
	"rfc9110.expect.syntax": {bad: exchange("PUT", 417, []string{"expect: 100 continue"}, nil, 0),
		good: exchange("PUT", 417, []string{"expect: 100-continue"}, nil, 0)},
	"rfc9110.if-match.syntax": {bad: exchange("PUT", 412, []string{"if-match: v7"}, nil, 0),
		good: exchange("PUT", 412, []string{`if-match: "v7", W/"v8"`}, nil, 0)},
	"rfc9110.if-none-match.syntax": {bad: exchange("PUT", 412, []string{`if-none-match: *, "a"`}, nil, 0),
		good: exchange("PUT", 412, []string{"if-none-match: *"}, nil, 0)},
	"rfc9110.if-modified-since.syntax": {bad: exchange("GET", 304, []string{"if-modified-since: Tuesday, 24-Nov-26 10:00:00 GMT"}, nil, -1),
		good: exchange("GET", 304, []string{"if-modified-since: " + fixdate}, nil, -1)},
	"rfc9110.if-unmodified-since.syntax": {bad: exchange("PUT", 412, []string{"if-unmodified-since: yesterday"}, nil, 0),
		good: exchange("PUT", 412, []string{"if-unmodified-since: " + fixdate}, nil, 0)},
	"rfc9110.if-range.syntax": {bad: exchange("GET", 200, []string{"range: bytes=0-9", "if-range: v7"}, nil, 100),
		good: exchange("GET", 200, []string{"range: bytes=0-9", `if-range: "v7"`}, nil, 100)},
	"rfc9110.range.syntax": {bad: exchange("GET", 416, []string{"range: bytes=9-1"}, []string{"content-range: bytes */100"}, 0),
		good: exchange("GET", 416, []string{"range: bytes=900-"}, []string{"content-range: bytes */100"}, 0)},
	"statusd.field.limit": {bad: profileBomb(), good: exchange("HEAD", 200, nil, []string{pHome, "allow: HEAD, GET"}, 0)},
	"l3.profile.none":     {bad: exchange("GET", 404, nil, nil, 0), good: exchange("GET", 404, nil, []string{pHome}, 0)},
	"l3.profile.legacy": {bad: exchange("HEAD", 200, nil, []string{"profile: <http://level3.rest/profiles/home>", "allow: HEAD, GET"}, 0),
		good: exchange("HEAD", 200, nil, []string{pHome, "allow: HEAD, GET"}, 0)},
	"l3.profile.brackets": {bad: exchange("HEAD", 200, nil, []string{"profile: https://level3.rest/profiles/home", "allow: HEAD, GET"}, 0),
		good: exchange("HEAD", 200, nil, []string{pHome, "allow: HEAD, GET"}, 0)},
	"l3.profile.unknown": {bad: exchange("HEAD", 200, nil, []string{pHome, "profile: <https://level3.rest/profiles/nope>", "allow: HEAD, GET"}, 0),
		good: exchange("HEAD", 200, nil, []string{pHome, "profile: <https://example.com/profiles/x>", "allow: HEAD, GET"}, 0)},
	"l3.profile.missing": {bad: exchange("HEAD", 200, nil, []string{"allow: HEAD, GET"}, 0),
		good: exchange("HEAD", 200, nil, []string{pHome, "allow: HEAD, GET"}, 0), profiles: []string{"home"}},
	"l3.profile.undeclared": {bad: exchange("HEAD", 200, nil, []string{pData, "allow: HEAD, GET"}, 0),
		good: exchange("HEAD", 200, nil, []string{pData, pHome, "allow: HEAD, GET"}, 0), profiles: []string{"home"}},
	"l3.method.allowed": {bad: exchange("POST", 200, nil, []string{pHome}, 0), good: exchange("POST", 405, nil, []string{pHome, "allow: HEAD, GET"}, 0)},
	"l3.<profile>.<method>.status": {bad: exchange("POST", 200, nil, []string{pForm}, 0),
		good: exchange("POST", 201, nil, []string{pForm, "location: /orders/1"}, 0)},
	"l3.allow.missing":        {bad: exchange("GET", 200, nil, []string{pHome}, 10), good: exchange("GET", 200, nil, []string{pHome, "allow: GET, HEAD"}, 10)},
	"l3.body.empty":           {bad: exchange("POST", 201, nil, []string{pForm, "location: /a"}, 9), good: exchange("POST", 201, nil, []string{pForm, "location: /a"}, 0)},
	"l3.status.unused":        {bad: exchange("PUT", 412, []string{`if-match: "x"`}, []string{pData}, -1), good: exchange("PUT", 412, []string{`if-match: "x"`}, []string{pData, "profile: <https://level3.rest/profiles/mixins/entity>"}, -1)},
	"l3.<profile>.validators": {bad: exchange("GET", 200, nil, []string{pContent, "allow: GET, HEAD", "content-type: image/png", "accept-ranges: bytes", "content-length: 5"}, 5), good: exchange("GET", 200, nil, []string{pContent, "allow: GET, HEAD", "content-type: image/png", "accept-ranges: bytes", "content-length: 5", `etag: "a"`}, 5)},
	"l3.<profile>.accept-patch": {bad: exchange("HEAD", 200, nil, []string{pData, "allow: HEAD, GET, PATCH", "content-type: application/json"}, 0),
		good: exchange("HEAD", 200, nil, []string{pData, "allow: HEAD, GET, PATCH", "content-type: application/json", "accept-patch: application/merge-patch+json"}, 0)},
	"l3.<profile>[.<method>].<header>": {bad: exchange("POST", 303, nil, []string{pAction}, 0), good: exchange("POST", 303, nil, []string{pAction, "location: /orders/1"}, 0)},
}

// ruleMatcher turns a rule id with <parts> into a regular expression.
func ruleMatcher(id string) *regexp.Regexp {
	q := regexp.QuoteMeta(id)
	q = strings.NewReplacer(`\[\.<method>\]`, `(\.[a-z]+)?`, "<profile>", "[a-z-]+", "<method>", "[a-z]+", "<header>", "[a-z-]+").Replace(q)
	return regexp.MustCompile("^" + q + "$")
}

// TestEveryRuleHasAPair: each rule of the table fires, with the table's
// severity, on its violating exchange, and not on its conforming one,
// which breaks no MUST; and every rule Check reports is in the table.
func TestEveryRuleHasAPair(t *testing.T) {
	cat := mapping.DefaultCatalog()
	for _, r := range Rules() {
		pair, ok := rulePairs[r.ID]
		if !ok {
			t.Errorf("rule %s has no violating and conforming exchange in rulePairs", r.ID)
			continue
		}
		m := ruleMatcher(r.ID)
		bad, _ := Check(cat, pair.bad, pair.profiles)
		found := false
		for _, f := range bad.Findings {
			if m.MatchString(f.Rule) {
				found = true
				if f.Severity != r.Severity {
					t.Errorf("%s: severity %v, the table says %v", f.Rule, f.Severity, r.Severity)
				}
			}
		}
		if !found {
			t.Errorf("%s: the violating exchange gives %v", r.ID, ruleList(bad))
		}
		good, _ := Check(cat, pair.good, pair.profiles)
		for _, f := range good.Findings {
			if m.MatchString(f.Rule) {
				t.Errorf("%s: the conforming exchange breaks it: %s", r.ID, f.Message)
			}
		}
		if !good.Conforms() {
			t.Errorf("%s: the conforming exchange does not conform: %v", r.ID, ruleList(good))
		}
	}
	for id := range rulePairs {
		if _, ok := ruleIndex[id]; !ok {
			t.Errorf("rulePairs has %s, which is not in the rules table", id)
		}
	}
}

// TestFindingsAreInTheTable: every finding of every test exchange is a
// rule of the table, with its severity.
func TestFindingsAreInTheTable(t *testing.T) {
	cat := mapping.DefaultCatalog()
	for _, pair := range rulePairs {
		for _, ex := range []*statusdv1.Exchange{pair.bad, pair.good} {
			rep, _ := Check(cat, ex, pair.profiles)
			for _, f := range rep.Findings {
				if r := tableRule(f.Rule); r == nil || r.Severity != f.Severity && !strings.HasSuffix(r.ID, "<header>") {
					t.Errorf("finding %s (%v) is not in the rules table with that severity", f.Rule, f.Severity)
				}
			}
		}
	}
}

func tableRule(id string) *Rule {
	if r, ok := ruleIndex[id]; ok {
		return r
	}
	for i := range rules {
		if strings.Contains(rules[i].ID, "<") && ruleMatcher(rules[i].ID).MatchString(id) {
			return &rules[i]
		}
	}
	return nil
}
