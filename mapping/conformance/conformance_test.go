package conformance

import (
	"errors"
	"slices"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// exchange builds an Exchange from "name: value" header lines. body < 0
// means the size is unknown.
func exchange(method string, status int, req []string, resp []string, body int64) *statusdv1.Exchange {
	ex := &statusdv1.Exchange{Method: method, Status: int32(status)}
	for _, l := range req {
		n, v, _ := strings.Cut(l, ":")
		ex.RequestHeaders = append(ex.RequestHeaders, &statusdv1.Header{Name: n, Value: strings.TrimSpace(v)})
	}
	for _, l := range resp {
		n, v, _ := strings.Cut(l, ":")
		ex.ResponseHeaders = append(ex.ResponseHeaders, &statusdv1.Header{Name: n, Value: strings.TrimSpace(v)})
	}
	if body >= 0 {
		ex.ResponseBodySize = &body
	}
	return ex
}

const (
	pForm    = "profile: <https://level3.rest/profiles/form>"
	pAction  = "profile: <https://level3.rest/profiles/action>"
	pLookup  = "profile: <https://level3.rest/profiles/lookup>"
	pData    = "profile: <https://level3.rest/profiles/data>"
	pUpload  = "profile: <https://level3.rest/profiles/upload>"
	pHome    = "profile: <https://level3.rest/profiles/home>"
	pContent = "profile: <https://level3.rest/profiles/content>, <https://level3.rest/profiles/mixins/entity>"
	pAlias   = "profile: <https://level3.rest/profiles/alias>, <https://level3.rest/profiles/data>"
)

type checkCase struct {
	name     string // with the source of the exchange
	ex       *statusdv1.Exchange
	profiles []string
	rules    []string // exactly the rule ids expected, errors and warnings and infos
	conforms bool
	expected int // the expected_status of the first finding, if any
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		rep, err := Check(mapping.DefaultCatalog(), tc.ex, tc.profiles)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got []string
		for _, f := range rep.Findings {
			got = append(got, f.Rule)
			if f.Message == "" || len(f.Citations) == 0 || f.Severity == statusdv1.Severity_SEVERITY_UNSPECIFIED {
				t.Errorf("%s: finding %s lacks a message, citation or severity", tc.name, f.Rule)
			}
		}
		slices.Sort(got)
		want := slices.Clone(tc.rules)
		slices.Sort(want)
		if !slices.Equal(got, want) || rep.Conforms() != tc.conforms {
			t.Errorf("%s: conforms=%v rules %q; want conforms=%v rules %q", tc.name, rep.Conforms(), got, tc.conforms, want)
			for _, f := range rep.Findings {
				t.Logf("  %s %s: %s", f.Severity, f.Rule, f.Message)
			}
		}
		if tc.expected != 0 && (len(rep.Findings) == 0 || rep.Findings[0].ExpectedStatus != tc.expected) {
			t.Errorf("%s: expected status %v, want %d", tc.name, rep.Findings, tc.expected)
		}
	}
}

// TestConformingExchanges are taken from the Level 3 sequence diagrams; each
// conforms with no warning.
func TestConformingExchanges(t *testing.T) {
	runCases(t, []checkCase{
		{name: "Form submit (form/submit.puml): POST → 201 + location",
			ex: exchange("POST", 201, []string{"content-type: application/json"}, []string{pForm, "location: /orders/42"}, 0), conforms: true},
		{name: "Form submit, 204 variant",
			ex: exchange("POST", 204, []string{"content-type: application/json"}, []string{pForm, "location: /orders/42"}, -1), conforms: true},
		{name: "Data modify (data/modify.puml): PATCH → 204",
			ex: exchange("PATCH", 204, []string{"content-type: application/merge-patch+json"}, []string{pData}, 0), conforms: true},
		{name: "Action trigger (action/trigger.puml): POST → 303 + location",
			ex: exchange("POST", 303, nil, []string{pAction, "location: /orders/42"}, 0), conforms: true},
		{name: "Lookup query (lookup/query.puml): POST → 303 + location",
			ex: exchange("POST", 303, []string{"content-type: application/json"}, []string{pLookup, "location: /orders/42"}, 0), conforms: true},
		{name: "Entity conditional PUT with stale if-match (entity/conditional.puml) → 412",
			ex: exchange("PUT", 412, []string{`if-match: "v6"`, "content-type: application/json"}, nil, -1), profiles: []string{"data", "entity"},
			rules: []string{"l3.profile.missing"}, conforms: false},
		{name: "Entity conditional PUT with stale if-match, response names its profiles → 412",
			ex: exchange("PUT", 412, []string{`if-match: "v6"`, "content-type: application/json"},
				[]string{"profile: <https://level3.rest/profiles/data>", "profile: <https://level3.rest/profiles/mixins/entity>"}, -1),
			profiles: []string{"data", "entity"}, conforms: true},
		{name: "Content fail-fast range (content/fail-fast.puml): GET range → 206 + content-range",
			ex: exchange("GET", 206, []string{"range: bytes=0-1023", `if-match: "v1"`},
				[]string{pContent, "allow: HEAD, GET", "accept-ranges: bytes", "content-length: 1024", "content-type: image/png",
					"content-range: bytes 0-1023/8192", `etag: "v1"`}, 1024), conforms: true},
		{name: "Preflight (preflight/preflight.puml): PUT expect: 100-continue → 100",
			ex:       exchange("PUT", 100, []string{"expect: 100-continue", "content-length: 8192", "content-type: image/png"}, nil, -1),
			profiles: []string{"content", "preflight"}, conforms: true},
		{name: "Data discovery with PATCH (data/discovery.puml): HEAD → 200 with allow and accept-patch",
			ex: exchange("HEAD", 200, nil, []string{pData, "allow: HEAD, GET, PUT, PATCH, DELETE",
				"accept-patch: application/merge-patch+json", "content-type: application/json"}, 0), conforms: true},
		{name: "Home discovery (home/discovery.puml): HEAD → 200 with allow",
			ex: exchange("HEAD", 200, nil, []string{pHome, "allow: HEAD, GET"}, 0), conforms: true},
		{name: "Alias (alias/operate.puml): GET → 307 + location + allow",
			ex: exchange("GET", 307, nil, []string{pAlias, "location: /data/7", "allow: HEAD, GET, PUT, DELETE"}, 0), conforms: true},
		{name: "Async (async/immediate.puml): POST prefer: respond-async → 202 + location + preference-applied",
			ex: exchange("POST", 202, []string{"prefer: respond-async", "content-type: application/json"},
				[]string{"profile: <https://level3.rest/profiles/form>, <https://level3.rest/profiles/mixins/async>", "location: /jobs/1", "preference-applied: respond-async"}, 0),
			conforms: true},
		{name: "Representation (representation/return.puml): PUT prefer: return=representation → 200 + body",
			ex: exchange("PUT", 200, []string{"prefer: return=representation", "content-type: application/json"},
				[]string{"profile: <https://level3.rest/profiles/data>, <https://level3.rest/profiles/mixins/representation>", "preference-applied: return=representation"}, 120),
			conforms: true},
		{name: "Upload (upload/upload.puml): POST → 201 + location",
			ex: exchange("POST", 201, []string{"content-length: 10", "content-type: text/plain"}, []string{pUpload, "location: /files/1", `etag: "a"`}, 0), conforms: true},
		{name: "Entity cache-aware fetch on Data: 304 needs no content-type",
			ex:       exchange("GET", 304, []string{`if-none-match: "v1"`}, []string{"profile: <https://level3.rest/profiles/data>, <https://level3.rest/profiles/mixins/entity>", `etag: "v1"`}, -1),
			conforms: true},
		{name: "Entity cache-aware fetch (entity/fetch.puml): GET if-none-match → 304",
			ex:       exchange("GET", 304, []string{`if-none-match: "v1"`}, []string{"profile: <https://level3.rest/profiles/info>, <https://level3.rest/profiles/mixins/entity>", `etag: "v1"`}, 0),
			conforms: true},
	})
}

// TestViolations covers the violations the issue lists, and each rule once.
func TestViolations(t *testing.T) {
	runCases(t, []checkCase{
		{name: "201 with a body under Form without Representation",
			ex:    exchange("POST", 201, nil, []string{pForm, "location: /orders/42"}, 37),
			rules: []string{"l3.body.empty"}},
		{name: "202 on GET",
			ex:    exchange("GET", 202, nil, []string{pData, "allow: HEAD, GET, PUT, DELETE", "content-type: application/json"}, -1),
			rules: []string{"l3.data.get.status"}, expected: 200},
		{name: "303 without location (Action)",
			ex:    exchange("POST", 303, nil, []string{pAction}, 0),
			rules: []string{"l3.action.post.location"}},
		{name: "303 without location, no profile (RFC 9110 only)",
			ex:    exchange("POST", 303, nil, nil, 0),
			rules: []string{"rfc9110.see-other.location", "l3.profile.none"}, conforms: true},
		{name: "PATCH on a Data resource whose allow lacks PATCH",
			ex:    exchange("PATCH", 204, []string{"content-type: application/merge-patch+json"}, []string{pData, "allow: HEAD, GET, PUT, DELETE"}, 0),
			rules: []string{"l3.method.allowed"}, expected: 405},
		{name: "206 without content-range",
			ex: exchange("GET", 206, []string{"range: bytes=0-9"},
				[]string{pContent, "allow: HEAD, GET", "accept-ranges: bytes", "content-length: 10", "content-type: text/plain", `etag: "a"`}, 10),
			rules: []string{"l3.content.content-range"}},
		{name: "405 without allow (RFC 9110 15.5.6)",
			ex:    exchange("DELETE", 405, nil, []string{pHome}, -1),
			rules: []string{"rfc9110.method-not-allowed.allow"}},
		{name: "Action POST answered 200 → expects 303",
			ex:    exchange("POST", 200, nil, []string{pAction, "location: /x"}, 0),
			rules: []string{"l3.action.post.status", "rfc9110.location.meaningless"}, expected: 303},
		{name: "Form POST answered 200 → l3.form.post.status",
			ex:    exchange("POST", 200, nil, []string{pForm, "location: /x"}, 0),
			rules: []string{"l3.form.post.status", "rfc9110.location.meaningless"}, expected: 201},
		{name: "Async asked, 200 given → expects 202",
			ex: exchange("DELETE", 200, []string{"prefer: respond-async"},
				[]string{"profile: <https://level3.rest/profiles/data>, <https://level3.rest/profiles/mixins/async>"}, 0),
			rules: []string{"l3.async.delete.status"}, expected: 202},
		{name: "HEAD on Home answered 204",
			ex:    exchange("HEAD", 204, nil, []string{pHome, "allow: HEAD, GET"}, 0),
			rules: []string{"l3.home.head.status"}, expected: 200},
		{name: "GET without allow",
			ex:    exchange("GET", 200, nil, []string{pHome}, 10),
			rules: []string{"l3.allow.missing"}},
		{name: "POST on Home (not allowed by the profile)",
			ex:    exchange("POST", 200, nil, []string{pHome}, 0),
			rules: []string{"l3.method.allowed"}, expected: 405},
		{name: "412 without Entity",
			ex:    exchange("PUT", 412, []string{`if-match: "x"`}, []string{pData}, -1),
			rules: []string{"l3.status.unused"}, conforms: true},
		{name: "Entity GET without validators",
			ex:    exchange("GET", 200, nil, []string{"profile: <https://level3.rest/profiles/info>, <https://level3.rest/profiles/mixins/entity>", "allow: HEAD, GET"}, 5),
			rules: []string{"l3.entity.validators"}},
		{name: "Data allowing PATCH without accept-patch",
			ex:    exchange("GET", 200, nil, []string{pData, "allow: HEAD, GET, PUT, PATCH, DELETE", "content-type: application/json"}, 5),
			rules: []string{"l3.data.accept-patch"}},
		{name: "Data GET without content-type",
			ex:    exchange("GET", 200, nil, []string{pData, "allow: HEAD, GET, PUT, DELETE"}, 5),
			rules: []string{"l3.data.content-type"}},
		{name: "Representation asked and applied without preference-applied",
			ex: exchange("PATCH", 200, []string{"prefer: return=representation"},
				[]string{"profile: <https://level3.rest/profiles/data>, <https://level3.rest/profiles/mixins/representation>"}, 50),
			rules: []string{"l3.representation.preference-applied"}},
		{name: "Async 202 without preference-applied and location",
			ex: exchange("POST", 202, []string{"prefer: respond-async"},
				[]string{"profile: <https://level3.rest/profiles/form>, <https://level3.rest/profiles/mixins/async>"}, 0),
			rules: []string{"l3.async.preference-applied", "l3.async.post.location"}},
		{name: "profile given but not sent",
			ex: exchange("POST", 201, nil, []string{"location: /a"}, 0), profiles: []string{"form"},
			rules: []string{"l3.profile.missing"}},
		{name: "profile given, another sent",
			ex: exchange("POST", 201, nil, []string{pUpload, "location: /a"}, 0), profiles: []string{"https://level3.rest/profiles/form"},
			rules: []string{"l3.profile.undeclared"}},
		{name: "legacy, unbracketed and unknown profiles",
			ex: exchange("HEAD", 200, nil, []string{"profile: <http://level3.rest/profiles/root>, https://level3.rest/profiles/home",
				"profile: <https://level3.rest/profiles/entity>, <https://example.com/profiles/x>", "allow: HEAD, GET"}, 0),
			rules: []string{"l3.profile.legacy", "l3.profile.brackets", "l3.profile.unknown"}, conforms: true},
		{name: "legacy profile given in the request",
			ex: exchange("HEAD", 200, nil, []string{pHome, "allow: HEAD, GET"}, 0), profiles: []string{"http://level3.rest/profiles/home"},
			rules: []string{"l3.profile.legacy"}, conforms: true},
	})
}

// TestRFC9110Rules drives each RFC rule with and without a Level 3 profile.
func TestRFC9110Rules(t *testing.T) {
	none := "l3.profile.none"
	runCases(t, []checkCase{
		{name: "204 with content (RFC 9110 6.4.1)", ex: exchange("DELETE", 204, nil, nil, 5),
			rules: []string{"rfc9110.content.forbidden", none}},
		{name: "304 with content", ex: exchange("GET", 304, []string{`if-none-match: "a"`}, nil, 5),
			rules: []string{"rfc9110.content.forbidden", none}},
		{name: "HEAD with content (RFC 9110 9.3.2)", ex: exchange("HEAD", 200, nil, nil, 5),
			rules: []string{"rfc9110.head.content", none}},
		{name: "201 without location", ex: exchange("POST", 201, nil, nil, 0),
			rules: []string{"rfc9110.created.location", none}, conforms: true},
		{name: "201 with location", ex: exchange("POST", 201, nil, []string{"location: /a"}, 0),
			rules: []string{none}, conforms: true},
		{name: "308 without location", ex: exchange("GET", 308, nil, nil, 0),
			rules: []string{"rfc9110.redirect.location", none}, conforms: true},
		{name: "401 without www-authenticate (RFC 9110 15.5.2)", ex: exchange("GET", 401, nil, nil, 0),
			rules: []string{"rfc9110.unauthorized.www-authenticate", none}},
		{name: "401 with www-authenticate", ex: exchange("GET", 401, nil, []string{"WWW-Authenticate: Bearer"}, 0),
			rules: []string{none}, conforms: true},
		{name: "405 with allow", ex: exchange("PATCH", 405, nil, []string{"Allow: GET, HEAD"}, 0),
			rules: []string{none}, conforms: true},
		{name: "206 multipart/byteranges (RFC 9110 15.3.7.2)", ex: exchange("GET", 206, []string{"range: bytes=0-1,5-6"}, []string{"content-type: multipart/byteranges; boundary=x"}, 100),
			rules: []string{none}, conforms: true},
		{name: "206 with a malformed content-range", ex: exchange("GET", 206, []string{"range: bytes=0-9"}, []string{"content-range: bytes 9-0/10"}, 10),
			rules: []string{"rfc9110.content-range.syntax", none}},
		{name: "206 with the unsatisfied form", ex: exchange("GET", 206, []string{"range: bytes=0-9"}, []string{"content-range: bytes */10"}, 10),
			rules: []string{"rfc9110.partial-content.content-range", none}, expected: 416},
		{name: "416 without content-range", ex: exchange("GET", 416, []string{"range: bytes=900-"}, nil, 0),
			rules: []string{"rfc9110.range-not-satisfiable.content-range", none}, conforms: true},
		{name: "416 with a satisfied range", ex: exchange("GET", 416, []string{"range: bytes=900-"}, []string{"content-range: bytes 0-1/10"}, 0),
			rules: []string{"rfc9110.range-not-satisfiable.content-range", none}, conforms: true},
		{name: "416 under Content without content-range (Level 3 makes it a MUST)",
			ex:    exchange("GET", 416, []string{"range: bytes=900-"}, []string{pContent}, 0),
			rules: []string{"l3.content.content-range"}},
		{name: "416 under Content, bytes */N", ex: exchange("GET", 416, []string{"range: bytes=900-"}, []string{pContent, "content-range: bytes */800"}, 0),
			conforms: true},
		{name: "100 without expect", ex: exchange("POST", 100, nil, nil, -1),
			rules: []string{"rfc9110.continue.expect"}, conforms: true},
		{name: "417 without expect", ex: exchange("POST", 417, nil, nil, 0),
			rules: []string{"rfc9110.expectation-failed.expect", none}, conforms: true},
		{name: "417 with expect under Preflight", ex: exchange("PUT", 417, []string{"expect: 100-continue"},
			[]string{"profile: <https://level3.rest/profiles/content>, <https://level3.rest/profiles/mixins/preflight>"}, 0), conforms: true},
		{name: "malformed etag", ex: exchange("GET", 200, nil, []string{"etag: v7"}, 3),
			rules: []string{"rfc9110.etag.syntax", none}},
	})
}

func TestCheckErrorsAndCode(t *testing.T) {
	cat := mapping.DefaultCatalog()
	_, err := Check(cat, exchange("GET", 200, nil, nil, 0), []string{"form", "nope"})
	var upe *UnknownProfileError
	if !errors.As(err, &upe) || upe.Index != 1 || upe.ID != "nope" || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("err = %v", err)
	}
	rep, err := Check(cat, exchange("POST", 403, nil, []string{pForm}, 0), nil)
	if err != nil || rep.Code != statusdv1.Code_CODE_FAILED_PRECONDITION || len(rep.Profiles()) != 1 {
		t.Errorf("Form 403: %v %v %v", rep.Code, rep.Profiles(), err)
	}
	// Duplicates and more than MaxProfiles are applied once and capped.
	var lines []string
	for range MaxProfiles + 4 {
		lines = append(lines, pData, "profile: <https://level3.rest/patterns/list#list-resource>")
	}
	ids := []string{}
	for _, p := range cat.Profiles() {
		ids = append(ids, p.GetId())
	}
	rep, _ = Check(cat, exchange("GET", 404, nil, lines, 0), nil)
	if len(rep.Profiles()) != 2 {
		t.Errorf("repeated profiles applied %d times", len(rep.Profiles()))
	}
	rep, _ = Check(cat, exchange("GET", 404, nil, nil, 0), ids)
	if len(rep.Profiles()) != MaxProfiles {
		t.Errorf("%d profiles applied, want the cap %d", len(rep.Profiles()), MaxProfiles)
	}
	// Findings come most severe first.
	rep, _ = Check(cat, exchange("GET", 206, nil, []string{"profile: https://level3.rest/profiles/content"}, 0), nil)
	for i := 1; i < len(rep.Findings); i++ {
		if rep.Findings[i].Severity < rep.Findings[i-1].Severity {
			t.Errorf("findings not sorted: %v", rep.Findings)
		}
	}
}
