package conformance

import (
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// findingOf returns the finding of rule in rep, if any.
func findingOf(rep Report, rule string) (Finding, bool) {
	for _, f := range rep.Findings {
		if f.Rule == rule {
			return f, true
		}
	}
	return Finding{}, false
}

// TestRequestGrammarNamesTheClient: a request field's grammar finding says
// the client sent it, so that a server's owner does not look for it in the
// response.
func TestRequestGrammarNamesTheClient(t *testing.T) {
	cat := mapping.DefaultCatalog()
	for _, r := range Rules() {
		if says := strings.Contains(r.What, "sent by the client"); says != ClientSent(r.ID) {
			t.Errorf("%s: ClientSent %v, but the table's text %q", r.ID, ClientSent(r.ID), r.What)
		}
	}
	for _, id := range clientRules {
		rep, _ := Check(cat, rulePairs[id].bad, nil)
		f, ok := findingOf(rep, id)
		if !ok || !strings.HasPrefix(f.Message, "The request's ") || !strings.Contains(f.Message, "sent by the client") {
			t.Errorf("%s: %q does not say the client sent it", id, f.Message)
		}
		if r := ruleIndex[id]; !strings.Contains(r.What, "sent by the client") {
			t.Errorf("%s: the table's text %q does not say the client sent it", id, r.What)
		}
	}
}

// TestGrammarFindingsAreBounded: a field repeating one mistake many times
// gives one finding with its count, quoting at most maxQuoted bytes, and
// the elements past the read bounds are not read.
func TestGrammarFindingsAreBounded(t *testing.T) {
	cat := mapping.DefaultCatalog()
	long := strings.Repeat("x", 500)
	for _, c := range []struct {
		rule   string
		req    bool
		name   string
		elem   string
		counts int
	}{
		{"rfc9110.if-match.syntax", true, "if-match", long, MaxListElements},
		{"rfc7240.prefer.syntax", true, "prefer", "a=" + long + " b", MaxListElements},
		{"rfc8288.link.syntax", false, "link", "/" + long, MaxListElements},
		{"rfc5789.accept-patch.syntax", false, "accept-patch", long, MaxListElements},
	} {
		ex := &statusdv1.Exchange{Method: "PUT", Status: 412}
		line := &statusdv1.Header{Name: c.name, Value: strings.TrimSuffix(strings.Repeat(c.elem+",", 200), ",")}
		if c.req {
			ex.RequestHeaders = []*statusdv1.Header{line, {Name: "if-unmodified-since", Value: fixdate}}
		} else {
			ex.ResponseHeaders = []*statusdv1.Header{line}
		}
		rep, _ := Check(cat, ex, nil)
		f, ok := findingOf(rep, c.rule)
		if !ok {
			t.Fatalf("%s: no finding in %v", c.rule, ruleList(rep))
		}
		if f.Count < 1 || f.Count > c.counts {
			t.Errorf("%s: count %d, want 1..%d (the bounded part of the field)", c.rule, f.Count, c.counts)
		}
		if len(f.Message) > 300 {
			t.Errorf("%s: a %d-byte message: %q", c.rule, len(f.Message), f.Message)
		}
		if _, ok := findingOf(rep, "statusd.field.limit"); !ok {
			t.Errorf("%s: the unread part is not reported: %v", c.rule, ruleList(rep))
		}
	}
}

// TestRangeGrammarReadsABoundedPart: a range longer than MaxListBytes is
// read up to the bound (cut at a comma) and the rest reported unread.
func TestRangeGrammarReadsABoundedPart(t *testing.T) {
	cat := mapping.DefaultCatalog()
	v := "bytes=" + strings.TrimSuffix(strings.Repeat("0-1,", 4000), ",")
	rep, _ := Check(cat, exchange("GET", 200, []string{"range: " + v}, nil, 3), nil)
	if _, ok := findingOf(rep, "rfc9110.range.syntax"); ok {
		t.Errorf("a valid range cut at a comma is reported as broken: %v", ruleList(rep))
	}
	if _, ok := findingOf(rep, "statusd.field.limit"); !ok {
		t.Errorf("the unread part of range is not reported: %v", ruleList(rep))
	}
}

// TestStarWithTagsInEachConditional: "*" beside entity tags breaks the
// grammar of both if-match and if-none-match; "*" alone does not.
func TestStarWithTagsInEachConditional(t *testing.T) {
	cat := mapping.DefaultCatalog()
	for _, name := range []string{"if-match", "if-none-match"} {
		rule := "rfc9110." + name + ".syntax"
		for v, want := range map[string]bool{`*, "a"`: true, `"a", *`: true, "*": false, `"a", W/"b"`: false} {
			rep, _ := Check(cat, exchange("PUT", 412, []string{name + ": " + v}, nil, 0), nil)
			if _, got := findingOf(rep, rule); got != want {
				t.Errorf("%s: %s: finding %v, want %v", name, v, got, want)
			}
		}
	}
}

// TestWorstGrammarCaseReadsEveryField: with every checked field at the
// RPC's limits, each field's grammar rule still fires once, its count at
// most the elements read of it.
func TestWorstGrammarCaseReadsEveryField(t *testing.T) {
	wc := worstCases()["broken grammar in every checked field"]
	rep, _ := Check(mapping.DefaultCatalog(), wc.ex, wc.ids)
	for _, id := range []string{"rfc7240.preference-applied.syntax", "rfc5789.accept-patch.syntax", "rfc8288.link.syntax",
		"rfc9110.content-location.syntax", "rfc7240.prefer.syntax", "rfc9110.expect.syntax", "rfc9110.if-match.syntax",
		"rfc9110.if-none-match.syntax", "rfc9110.range.syntax"} {
		if f, ok := findingOf(rep, id); !ok || f.Count > MaxListElements {
			t.Errorf("%s: %v", id, ruleList(rep))
		}
	}
}

// TestRepeatedGrammarMistakesCostNoAllocation: a grammar mistake repeated
// in a field only counts, so checking 31 broken elements allocates no more
// than checking 2 (a message formatted per element would).
// raceDetector is set by race_test.go when the race detector is on.
var raceDetector bool

func TestRepeatedGrammarMistakesCostNoAllocation(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts under -race are the detector's; go test without -race checks them")
	}
	cat := mapping.DefaultCatalog()
	for _, f := range []struct{ req, resp string }{{req: "if-match"}, {req: "if-none-match"}, {req: "prefer"}, {req: "expect"},
		{resp: "link"}, {resp: "accept-patch"}, {resp: "preference-applied"}, {resp: "allow"}, {resp: "upgrade"}} {
		allocs := func(n int) float64 {
			v := strings.TrimSuffix(strings.Repeat("a b;=,", n), ",")
			var ex *statusdv1.Exchange
			if f.req != "" {
				ex = exchange("PUT", 412, []string{f.req + ": " + v, "if-unmodified-since: " + fixdate}, nil, 0)
			} else {
				ex = exchange("GET", 426, nil, []string{f.resp + ": " + v, "upgrade: h2c"}, 0)
			}
			return testing.AllocsPerRun(20, func() { _, _ = Check(cat, ex, nil) })
		}
		if few, many := allocs(2), allocs(MaxListElements-1); many > few {
			t.Errorf("%s%s: %v allocations for 2 broken elements, %v for %d", f.req, f.resp, few, many, MaxListElements-1)
		}
	}
}

// TestIfRangeForms: if-range holds a strong entity tag or an IMF-fixdate;
// a weak tag (section 13.1.5) and an obsolete date are the client's errors.
func TestIfRangeForms(t *testing.T) {
	cat := mapping.DefaultCatalog()
	for v, want := range map[string]bool{`"v7"`: false, fixdate: false, `W/"v7"`: true, "Tuesday, 24-Nov-26 10:00:00 GMT": true, "v7": true} {
		rep, _ := Check(cat, exchange("GET", 200, []string{"range: bytes=0-9", "if-range: " + v}, nil, 100), nil)
		if _, got := findingOf(rep, "rfc9110.if-range.syntax"); got != want {
			t.Errorf("if-range: %s: finding %v, want %v (%v)", v, got, want, ruleList(rep))
		}
	}
}
