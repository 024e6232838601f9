package conformance

import (
	"strings"
	"testing"

	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/header"
)

func TestFirstElements(t *testing.T) {
	for _, tc := range []struct {
		v     string
		n     int
		want  string
		count int
	}{
		{"a,b,c", 1, "a", 1},
		{"a,b,c", 2, "a,b", 2},
		{"a,b,c", 3, "a,b,c", 3},
		{"a,b,c", 9, "a,b,c", 3},
		{"a, b ,c", 2, "a, b ", 2},
		{",,", 1, "", 1},
		{",,", 2, ",", 2},
		{"", 1, "", 1},
		{"a,b", 0, "a,b", 2},
		// Across the blocks firstElements counts by:
		{strings.Repeat("x,", 300), 200, strings.Repeat("x,", 200)[:399], 200},
		{strings.Repeat("x,", 300), 129, strings.Repeat("x,", 129)[:257], 129},
		{strings.Repeat("x,", 300), 1000, strings.Repeat("x,", 300), 301},
		{strings.Repeat("y", 1000) + ",z,w", 1, strings.Repeat("y", 1000), 1},
		{strings.Repeat("y", 1000) + ",z,w", 2, strings.Repeat("y", 1000) + ",z", 2},
	} {
		if got, k := firstElements(tc.v, tc.n); got != tc.want || k != tc.count {
			t.Errorf("firstElements(%q, %d) = %q, %d, want %q, %d", tc.v, tc.n, got, k, tc.want, tc.count)
		}
	}
}

// TestReqHasTokenReadsAFieldOnce: the first question about a request field
// answers every token the applied profiles ask of it, from one read; the
// answers agree with header.HasToken on the whole field; a token of a
// field the index does not know is read within the same bounds.
func TestReqHasTokenReadsAFieldOnce(t *testing.T) {
	cat := mapping.DefaultCatalog()
	var all []string
	for _, p := range cat.Profiles() {
		all = append(all, p.GetId())
	}
	ex := exchange("PUT", 200, []string{"prefer: wait=5, x, RETURN = \"representation\"", "x-custom: a, b"}, nil, -1)
	c := checker{cat: cat, ex: ex, method: "PUT", reqSet: newHeaderIndex(ex.GetRequestHeaders())}
	if err := c.resolveProfiles(all[:MaxProfiles]); err != nil {
		t.Fatal(err)
	}
	if !c.reqHasToken("prefer", "return=representation") {
		t.Error("return=representation not found")
	}
	read := c.elementsRead
	if read != 3 || c.nTokens < 2 {
		t.Fatalf("first question read %d elements and remembered %d answers, want 3 and the profiles' other prefer tokens", read, c.nTokens)
	}
	if c.reqHasToken("prefer", "respond-async") != header.HasToken(ex.GetRequestHeaders(), "prefer", "respond-async") ||
		c.reqHasToken("Prefer", "return=representation") != true || c.elementsRead != read {
		t.Errorf("later questions read the field again (%d elements) or answered differently", c.elementsRead)
	}
	if !c.reqHasToken("x-custom", "b") || c.reqHasToken("x-custom", "c") {
		t.Error("x-custom answers wrong")
	}
	long := exchange("GET", 200, []string{"x-custom: " + strings.Repeat("a,", 4000) + "b"}, nil, -1)
	c = checker{cat: cat, ex: long, method: "GET", reqSet: newHeaderIndex(long.GetRequestHeaders())}
	if c.reqHasToken("x-custom", "b") || c.elementsRead > MaxListElements+1 || !c.counted("statusd.field.limit") {
		t.Errorf("an unindexed field was read past the bounds: %d elements", c.elementsRead)
	}
}

// TestTokenQuestionsBounds: one read asks at most as many questions as
// the memory of answers holds, the asked token first; a token that is no
// preference (nothing to match) is answered without reading.
func TestTokenQuestionsBounds(t *testing.T) {
	var q tokenQuestions
	for i := range 2 * len(q.asked) {
		q.ask("prefer", strings.Repeat("t", i+1))
	}
	q.ask("prefer", "t")
	if q.n != len(q.asked) || q.asked[0].token != "t" || q.asked[len(q.asked)-1].token != strings.Repeat("t", len(q.asked)) {
		t.Errorf("%d questions, first %q", q.n, q.asked[0].token)
	}
	ex := exchange("GET", 200, []string{"prefer: a, b"}, nil, -1)
	c := checker{cat: mapping.DefaultCatalog(), ex: ex, method: "GET", reqSet: newHeaderIndex(ex.GetRequestHeaders())}
	if c.reqHasToken("prefer", "=x") || c.elementsRead != 0 {
		t.Errorf("a token with no name matched, or the field was read (%d elements)", c.elementsRead)
	}
}
