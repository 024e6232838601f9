package conformance

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// ProfileBomb is the exchange of the attack: 120 profile field
// lines of 4096 one-letter tokens each (987 KB, 1.3 KB gzipped), which once
// made 491 520 findings and a 109 MB answer. Exported to the tests of other
// packages through BombExchange.
func profileBomb() *statusdv1.Exchange {
	line := strings.TrimSuffix(strings.Repeat("a,", 4096), ",")
	ex := &statusdv1.Exchange{Method: "GET", Status: 200}
	for range 120 {
		ex.ResponseHeaders = append(ex.ResponseHeaders, &statusdv1.Header{Name: "profile", Value: line})
	}
	return ex
}

// worstCases are exchanges built to make Check work or talk as much as it
// can, each within the Validate RPC's limits (200 fields of 8 KiB a side).
func worstCases() map[string]struct {
	ex  *statusdv1.Exchange
	ids []string
} {
	long := func(name, element string) []*statusdv1.Header {
		v := strings.Repeat(element+",", 8192/(len(element)+1))
		var hs []*statusdv1.Header
		for range 200 {
			hs = append(hs, &statusdv1.Header{Name: name, Value: v[:len(v)-1]})
		}
		return hs
	}
	var all []string
	for _, p := range mapping.DefaultCatalog().Profiles() {
		all = append(all, p.GetId())
	}
	bigValue := strings.Repeat("é", 4000)
	return map[string]struct {
		ex  *statusdv1.Exchange
		ids []string
	}{
		"profile bomb": {ex: profileBomb()},
		"unknown level3 profiles": {ex: &statusdv1.Exchange{Method: "GET", Status: 200,
			ResponseHeaders: long("profile", "<https://level3.rest/profiles/nope>")}},
		"every profile given, profile field full": {ex: &statusdv1.Exchange{Method: "PUT", Status: 200,
			RequestHeaders:  long("prefer", "x"),
			ResponseHeaders: long("profile", "<https://level3.rest/profiles/data>")}, ids: all[:MaxProfiles]},
		"long allow and long values": {ex: &statusdv1.Exchange{Method: "GET", Status: 206,
			ResponseHeaders: append(long("allow", "GET"), &statusdv1.Header{Name: "etag", Value: bigValue},
				&statusdv1.Header{Name: "content-range", Value: bigValue})}},
		// Every field whose grammar is checked, full of broken elements
		// (200 field lines a side, as the RPC allows).
		"broken grammar in every checked field": {ex: &statusdv1.Exchange{Method: "PUT", Status: 412,
			RequestHeaders: slices.Concat(long("prefer", "a b")[:40], long("expect", "1 2")[:40], long("if-match", "x")[:40],
				long("if-none-match", "y")[:40], long("range", "bytes=9-1")[:40]),
			ResponseHeaders: slices.Concat(long("link", "/x")[:66], long("accept-patch", "json")[:66], long("preference-applied", "a;b")[:66],
				[]*statusdv1.Header{{Name: "content-location", Value: "/" + bigValue}})}},
	}
}

// TestWorstCasesAreBounded: whatever the exchange, a report holds at most
// MaxFindings findings, one per rule, with short messages.
func TestWorstCasesAreBounded(t *testing.T) {
	cat := mapping.DefaultCatalog()
	for name, wc := range worstCases() {
		rep, err := Check(cat, wc.ex, wc.ids)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rep.Findings) == 0 || len(rep.Findings) > MaxFindings {
			t.Errorf("%s: %d findings", name, len(rep.Findings))
		}
		seen := map[string]bool{}
		size := 0
		for _, f := range rep.Findings {
			if seen[f.Rule] {
				t.Errorf("%s: rule %s reported twice", name, f.Rule)
			}
			seen[f.Rule] = true
			if f.Count < 1 || len(f.Message) > 512 || !utf8.ValidString(f.Message) {
				t.Errorf("%s: %s count %d, message of %d bytes: %.100s", name, f.Rule, f.Count, len(f.Message), f.Message)
			}
			size += len(f.Message)
		}
		if !seen["statusd.field.limit"] {
			t.Errorf("%s: no statusd.field.limit finding: %v", name, ruleList(rep))
		}
		t.Logf("%s: %d findings, %d message bytes", name, len(rep.Findings), size)
	}
}

func ruleList(rep Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, fmt.Sprintf("%s×%d", f.Rule, f.Count))
	}
	return out
}

// TestRepeatedRuleCounts: a mistake repeated in one exchange is one
// finding with a count.
func TestRepeatedRuleCounts(t *testing.T) {
	rep, _ := Check(mapping.DefaultCatalog(), exchange("HEAD", 200, nil, []string{
		"profile: https://level3.rest/profiles/home, a, b", "profile: c", "allow: HEAD, GET"}, 0), nil)
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "l3.profile.brackets" || rep.Findings[0].Count != 4 ||
		!strings.Contains(rep.Findings[0].Message, "https://level3.rest/profiles/home") {
		t.Errorf("findings %v", ruleList(rep))
	}
	rep, _ = Check(mapping.DefaultCatalog(), profileBomb(), nil)
	if f := rep.Findings; f[0].Rule != "l3.profile.brackets" || f[0].Count != MaxListElements {
		t.Errorf("bomb: %v", ruleList(rep))
	}
}

// TestAddKeepsTheMostSevere: past MaxFindings, infos make room for errors,
// and what is left out is counted.
func TestAddKeepsTheMostSevere(t *testing.T) {
	c := checker{}
	for i := range MaxFindings {
		c.add(Finding{Rule: fmt.Sprint("info", i), Severity: infoSev})
	}
	c.add(Finding{Rule: "w", Severity: warningSev})
	c.add(Finding{Rule: "e", Severity: errorSev})
	c.add(Finding{Rule: "i", Severity: infoSev})
	c.add(Finding{Rule: "e", Severity: errorSev}) // counted, not omitted
	if len(c.findings) != MaxFindings || c.omitted != 3 {
		t.Fatalf("%d findings, %d omitted", len(c.findings), c.omitted)
	}
	got := map[string]int{}
	for _, f := range c.findings {
		got[f.Rule] = f.Count
	}
	if got["w"] != 1 || got["e"] != 2 || got["i"] != 0 {
		t.Errorf("kept %v", got)
	}
}

func TestClip(t *testing.T) {
	for in, want := range map[string]string{
		"short":                       "short",
		strings.Repeat("a", 64):       strings.Repeat("a", 64),
		strings.Repeat("a", 65):       strings.Repeat("a", 64) + "…",
		"a" + strings.Repeat("é", 40): "a" + strings.Repeat("é", 31) + "…", // 63 bytes, not half a rune
	} {
		if got := clip(in); got != want {
			t.Errorf("clip(%.10q…) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkCheckWorstCase measures the exchanges of worstCases; compare
// with BenchmarkCheckTypicalExchange in the same run.
func BenchmarkCheckWorstCase(b *testing.B) {
	cat := mapping.DefaultCatalog()
	for name, wc := range worstCases() {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rep, err := Check(cat, wc.ex, wc.ids); err != nil || len(rep.Findings) > MaxFindings {
					b.Fatal(err, len(rep.Findings))
				}
			}
		})
	}
}
