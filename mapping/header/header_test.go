package header

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

func hs(lines ...string) []*statusdv1.Header {
	var out []*statusdv1.Header
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		out = append(out, &statusdv1.Header{Name: name, Value: strings.TrimSpace(value)})
	}
	return out
}

func TestElements(t *testing.T) {
	for in, want := range map[string][]string{
		"":                           nil,
		"a":                          {"a"},
		" a , b,,c ,":                {"a", "b", "c"},
		`"x,y", z`:                   {`"x,y"`, "z"},
		`"a\",b", c`:                 {`"a\",b"`, "c"},
		"<https://a/b,c>, <d>":       {"<https://a/b,c>", "<d>"},
		"x<y, z":                     {"x<y", "z"},
		"GET,HEAD,\tPUT":             {"GET", "HEAD", "PUT"},
		`respond-async; wait=10, x`:  {"respond-async; wait=10", "x"},
		`"unterminated, still one`:   {`"unterminated, still one`},
		"<unterminated, still one":   {"<unterminated, still one"},
		`W/"a", "b"`:                 {`W/"a"`, `"b"`},
		"  ,  ":                      nil,
		"\"\\":                       {"\"\\"},
		"<a>,<b>":                    {"<a>", "<b>"},
		"a, <b,c>; rel=\"x, y\", d ": {"a", `<b,c>; rel="x, y"`, "d"},
	} {
		if got := slices.Collect(Elements(in)); !slices.Equal(got, want) {
			t.Errorf("Elements(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestListHeaders(t *testing.T) {
	h := hs("Allow: GET, HEAD", "content-type: text/plain", "ALLOW: PUT", "Prefer: respond-async; wait=5, return=minimal", "prefer: handling=lenient")
	if got := slices.Collect(ListElements(h, "allow")); !slices.Equal(got, []string{"GET", "HEAD", "PUT"}) {
		t.Errorf("allow elements %q", got)
	}
	if !Has(h, "CONTENT-TYPE") || Has(h, "content-length") {
		t.Error("Has is wrong")
	}
	if v, ok := Get(h, "Content-Type"); !ok || v != "text/plain" {
		t.Errorf("Get = %q %v", v, ok)
	}
	if _, ok := Get(h, "etag"); ok {
		t.Error("Get found a missing header")
	}
	if !HasToken(h, "prefer", "RESPOND-ASYNC") || HasToken(h, "prefer", "wait=5") || !HasToken(h, "prefer", "handling=lenient") {
		t.Error("HasToken is wrong")
	}
	for _, tc := range []struct {
		method           string
		allowed, present bool
	}{{"GET", true, true}, {"PUT", true, true}, {"PATCH", false, true}, {"get", false, true}} {
		if a, p := Allows(h, tc.method); a != tc.allowed || p != tc.present {
			t.Errorf("Allows(%s) = %v %v", tc.method, a, p)
		}
	}
	if a, p := Allows(nil, "GET"); a || p {
		t.Error("Allows without an allow header")
	}
	// Stopping early works at every level.
	for e := range ListElements(h, "allow") {
		if e != "GET" {
			t.Errorf("first element %q", e)
		}
		break
	}
}

func TestProfileRefs(t *testing.T) {
	h := hs("Profile: <https://level3.rest/profiles/data>, <https://level3.rest/profiles/mixins/entity>",
		"profile: https://level3.rest/profiles/form", "profile: < https://x >", "profile: <broken")
	type ref struct {
		uri       string
		bracketed bool
	}
	var got []ref
	for uri, b := range ProfileRefs(h) {
		got = append(got, ref{uri, b})
	}
	want := []ref{
		{"https://level3.rest/profiles/data", true}, {"https://level3.rest/profiles/mixins/entity", true},
		{"https://level3.rest/profiles/form", false}, {"https://x", true}, {"<broken", false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ProfileRefs = %v, want %v", got, want)
	}
}

func TestPreferences(t *testing.T) {
	h := hs(`Prefer: return=representation, respond-async; wait=10`, `prefer: foo="a b", =bad, handling = strict`)
	var got []Preference
	for p := range Preferences(h, "prefer") {
		got = append(got, p)
	}
	want := []Preference{
		{Name: "return", Value: "representation"}, {Name: "respond-async", Params: "wait=10"},
		{Name: "foo", Value: "a b"}, {Name: "handling", Value: "strict"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Preferences = %+v, want %+v", got, want)
	}
	if !HasPreference(h, "prefer", "Return", "REPRESENTATION") || !HasPreference(h, "prefer", "respond-async", "") ||
		HasPreference(h, "prefer", "return", "minimal") || HasPreference(h, "preference-applied", "return", "") {
		t.Error("HasPreference is wrong")
	}
}

func TestParseContentRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ContentRange
		err  error
	}{
		{"bytes 0-99/1000", ContentRange{"bytes", 0, 99, 1000}, nil},
		{"bytes 42-42/43", ContentRange{"bytes", 42, 42, 43}, nil},
		{"bytes 0-99/*", ContentRange{"bytes", 0, 99, -1}, nil},
		{"bytes */1000", ContentRange{"bytes", -1, -1, 1000}, nil},
		{" bytes  */0 ", ContentRange{"bytes", -1, -1, 0}, nil},
		{"bytes */*", ContentRange{}, ErrContentRangeSyntax},
		{"bytes 0-99", ContentRange{}, ErrContentRangeSyntax},
		{"bytes=0-99/100", ContentRange{}, ErrContentRangeSyntax},
		{"bytes 99-0/100", ContentRange{}, ErrContentRangeOrder},
		{"bytes 0-100/100", ContentRange{}, ErrContentRangeOrder},
		{"bytes -1-5/10", ContentRange{}, ErrContentRangeSyntax},
		{"bytes 0-5/+10", ContentRange{}, ErrContentRangeSyntax},
		{"bytes 0-99999999999999999999/1", ContentRange{}, ErrContentRangeSyntax},
		{"", ContentRange{}, ErrContentRangeSyntax},
		{"by tes 0-1/2", ContentRange{}, ErrContentRangeSyntax},
	} {
		got, err := ParseContentRange(tc.in)
		if !errors.Is(err, tc.err) || (err == nil && got != tc.want) {
			t.Errorf("ParseContentRange(%q) = %+v, %v; want %+v, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if cr, _ := ParseContentRange("bytes */9"); !cr.Unsatisfied() {
		t.Error("*/9 is unsatisfied")
	}
}

func TestParseETag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		tag  string
		weak bool
		ok   bool
	}{
		{`"xyzzy"`, "xyzzy", false, true},
		{`W/"xyzzy"`, "xyzzy", true, true},
		{`""`, "", false, true},
		{` "a" `, "a", false, true},
		{`xyzzy`, "", false, false},
		{`"a b"`, "", false, false},
		{`"a"b"`, "", false, false},
		{`w/"a"`, "", false, false},
		{`W/`, "", false, false},
		{`"`, "", false, false},
		{"\"\x7f\"", "", false, false},
	} {
		tag, weak, err := ParseETag(tc.in)
		if (err == nil) != tc.ok || tag != tc.tag || weak != tc.weak {
			t.Errorf("ParseETag(%q) = %q %v %v", tc.in, tag, weak, err)
		}
	}
	for in, want := range map[string]bool{`*`: true, `"a", W/"b"`: true, `"a", b`: false, ``: false, ` , `: false} {
		if ValidETagList(in) != want {
			t.Errorf("ValidETagList(%q) != %v", in, want)
		}
	}
}

// TestCutElementShortPath: the first bytes read without a call split
// where the general reading does, around quotes and brackets too.
func TestCutElementShortPath(t *testing.T) {
	for _, v := range []string{"", "a", "a,b", " a , b", "GET, HEAD", `a="x,y", b`, `"q,"`, "<u,v>; rel=up, b",
		"a<b,c", "x" + strings.Repeat(" ", 20) + ",y", strings.Repeat("x", 15) + ",y", strings.Repeat("x", 16) + ",y",
		strings.Repeat("x", 17), strings.Repeat("x", 16), ",", ",,a", " \t,"} {
		e, rest := CutElement(v)
		if we, wrest := cutElement(v); e != we || rest != wrest {
			t.Errorf("CutElement(%q) = %q, %q; cutElement gives %q, %q", v, e, rest, we, wrest)
		}
	}
}

func TestIsToken(t *testing.T) {
	for in, want := range map[string]bool{"GET": true, "x-custom_1.2~": true, "": false, "a b": false, "a,b": false, "é": false} {
		if IsToken(in) != want {
			t.Errorf("IsToken(%q) != %v", in, want)
		}
	}
}

// The fuzz targets check that the parsers never panic and keep their
// invariants. Seeds are committed under testdata/fuzz; run each longer with
// go test ./mapping/header -run '^$' -fuzz '^FuzzElements$' -fuzztime 60s.

func FuzzElements(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		// CutElement's short-element path splits as the general one does.
		if e, rest := CutElement(v); true {
			if we, wrest := cutElement(v); e != we || rest != wrest {
				t.Fatalf("CutElement(%q) = %q, %q; the general reading gives %q, %q", v, e, rest, we, wrest)
			}
		}
		for e := range Elements(v) {
			if e == "" || e != strings.Trim(e, " \t") || len(e) > len(v) {
				t.Fatalf("element %q of %q", e, v)
			}
		}
	})
}

func FuzzProfileRefs(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		for uri, bracketed := range ProfileRefs(hs("profile:" + v)) {
			if bracketed && strings.ContainsAny(uri, "<>") && !strings.Contains(v, uri) {
				t.Fatalf("ref %q not from %q", uri, v)
			}
		}
	})
}

func FuzzPreferences(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		for p := range Preferences(hs("prefer:"+v), "prefer") {
			if !IsToken(p.Name) {
				t.Fatalf("preference name %q from %q", p.Name, v)
			}
		}
	})
}

func FuzzContentRange(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		cr, err := ParseContentRange(v)
		if err != nil {
			return
		}
		if !IsToken(cr.Unit) || (cr.First < 0) != (cr.Last < 0) || (cr.First >= 0 && cr.Last < cr.First) ||
			(cr.Complete >= 0 && cr.Last >= cr.Complete) || (cr.Unsatisfied() && cr.Complete < 0) {
			t.Fatalf("ParseContentRange(%q) = %+v", v, cr)
		}
	})
}

func FuzzETag(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		tag, _, err := ParseETag(v)
		if err == nil && (strings.ContainsRune(tag, '"') || len(tag)+2 > len(v)) {
			t.Fatalf("ParseETag(%q) = %q", v, tag)
		}
		_ = ValidETagList(v)
		if utf8.ValidString(v) && err == nil && strings.ContainsAny(tag, " \t") {
			t.Fatalf("tag with white space %q", tag)
		}
	})
}

// TestPreferSpellings: RFC 7240 section 2 allows white space around '=' and
// a quoted value; every question about prefer and expect goes through one
// parser, so they all read these spellings alike (issue 11, found item 4).
func TestPreferSpellings(t *testing.T) {
	for _, v := range []string{
		`return=representation`, `return="representation"`, `return = representation`,
		`RETURN = "Representation"; x=1`, `respond-async, return=representation`,
		`return="represent\ation"`,
	} {
		h := hs("prefer: " + v)
		if !HasToken(h, "prefer", "return=representation") || !HasPreference(h, "prefer", "return", "representation") ||
			!ParseCondition("prefer: return=representation").MetBy(h) {
			t.Errorf("prefer: %s: return=representation not found", v)
		}
		if HasToken(h, "prefer", "return=minimal") || ParseCondition("prefer: return=minimal").MetBy(h) {
			t.Errorf("prefer: %s: return=minimal found", v)
		}
	}
	// A ';' inside a quoted value does not start the parameters.
	p, ok := ParsePreference(`foo = "a;b\"c" ; wait=10`)
	if !ok || p.Name != "foo" || p.Value != `a;b"c` || p.Params != "wait=10" {
		t.Errorf("ParsePreference = %+v, %v", p, ok)
	}
	if _, ok := ParsePreference(`=x`); ok {
		t.Error("a preference without a name was accepted")
	}
	h := hs("Expect: 100-Continue")
	if !ParseCondition("expect: 100-continue").MetBy(h) || !ParseCondition("expect").MetBy(h) || ParseCondition("range").MetBy(h) {
		t.Error("Condition on expect is wrong")
	}
	if c := ParseCondition(" prefer :  respond-async "); c != (Condition{Name: "prefer", Element: "respond-async"}) {
		t.Errorf("ParseCondition = %+v", c)
	}
}

// FuzzHasToken: HasToken answers what Preferences yields, for any value.
func FuzzHasToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, v, token string) {
		h := hs("prefer:" + v)
		want, ok := ParsePreference(token)
		found := false
		for p := range Preferences(h, "prefer") {
			if ok && p.matches(want.Name, want.Value) {
				found = true
			}
		}
		if HasToken(h, "prefer", token) != found {
			t.Fatalf("HasToken(%q, %q) != %v", v, token, found)
		}
	})
}

// TestNameTables: each day and month name is found at its position; the
// same letters in another case, or other three-letter strings, are not.
func TestNameTables(t *testing.T) {
	for _, tc := range []struct {
		t     *nameTable
		names []string
	}{{&days, dayNames[:]}, {&months, monthNames[:]}} {
		for i, n := range tc.names {
			if got := tc.t.index(n); got != i {
				t.Errorf("index(%q) = %d, want %d", n, got, i)
			}
			for _, miss := range []string{strings.ToLower(n), strings.ToUpper(n), n[:2] + "x", "x" + n[1:]} {
				if got := tc.t.index(miss); got >= 0 && tc.names[got] != miss {
					t.Errorf("index(%q) = %d (%s)", miss, got, tc.names[got])
				}
			}
		}
		if got := tc.t.index("\x00\x00\x00"); got >= 0 {
			t.Errorf("index of zero bytes = %d", got)
		}
	}
}
