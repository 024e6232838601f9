package header

import (
	"errors"
	"strings"
	"testing"
)

func TestGrammarChecks(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(string) bool
		good  []string
		bad   []string
	}{
		{"ValidPreference", ValidPreference,
			[]string{"return=minimal", "respond-async; wait=10", `foo="a, b;c"`, "handling = lenient", "a;", "a; ;b", "wait=10; x", `x; y = "z"`},
			[]string{"", "=x", "return=", "return=min imal", `foo="a`, "a b", "a;=b", "a; b=", "a;b=\"c", "ret@rn", `x="a` + "\x01" + `"`}},
		{"ValidAppliedPreference", ValidAppliedPreference,
			[]string{"return=minimal", "respond-async", `x = "y"`},
			[]string{"", "return=minimal; x", "wait=", "a b", "=1"}},
		{"ValidExpectation", ValidExpectation,
			[]string{"100-continue", "foo=bar", `foo="b a r"; p=1`, "foo=bar;", "foo=bar ; p=1"},
			[]string{"", "100 continue", "foo = bar", "foo;p=1", "foo=bar; p", "foo=", `foo="x`}},
		{"ValidMediaType", ValidMediaType,
			[]string{"application/merge-patch+json", "text/plain; charset=utf-8", `text/plain;charset="utf-8"`, "a/b;", "text/plain ; q=1"},
			[]string{"", "json", "application/", "/json", "text/plain; charset", "text/plain; charset = utf-8", "text /plain", "a/b c"}},
		{"ValidLinkValue", ValidLinkValue,
			[]string{"</orders>", `</orders>; rel="up"`, "<https://example.com/a?b=c>;rel=next;title=x", `</>; rel = "a b"`, "</x>; crossorigin"},
			[]string{"", "/orders", "</a b>", "< /a>", "</a>; ", "</a>;;rel=up", "</a> rel=up", "</a>; rel=", `</a>; rel="up`, "<", "</a>; rel=u p"}},
	} {
		for _, v := range c.good {
			if !c.check(v) {
				t.Errorf("%s(%q) = false, want true", c.name, v)
			}
		}
		for _, v := range c.bad {
			if c.check(v) {
				t.Errorf("%s(%q) = true, want false", c.name, v)
			}
		}
		if n := testing.AllocsPerRun(50, func() { _ = c.check(c.good[len(c.good)-1]) }); n != 0 {
			t.Errorf("%s allocates %.0f times", c.name, n)
		}
	}
}

func TestValidContentLocation(t *testing.T) {
	for _, v := range []string{"/orders/42", "https://example.com/a?b=c", "orders/42.json"} {
		if err := ValidContentLocation(v); err != nil {
			t.Errorf("ValidContentLocation(%q): %v", v, err)
		}
	}
	for v, want := range map[string]error{"/a#b": ErrURIFragment, "/a b": ErrURIChar, "": ErrURIEmpty} {
		if err := ValidContentLocation(v); !errors.Is(err, want) {
			t.Errorf("ValidContentLocation(%q) = %v, want %v", v, err, want)
		}
	}
}

func TestValidEntityTagListElement(t *testing.T) {
	for _, c := range []struct {
		e     string
		alone bool
		want  bool
	}{{`"a"`, false, true}, {`W/"a"`, true, true}, {"*", true, true}, {"*", false, false}, {"a", true, false}, {`"a b"`, true, false}} {
		if got := ValidEntityTagListElement(c.e, c.alone); got != c.want {
			t.Errorf("ValidEntityTagListElement(%q, %v) = %v", c.e, c.alone, got)
		}
	}
}

// The fuzz targets check that the grammar checks never panic and agree
// with the lenient readers: what is valid, the reader reads the same way.

func FuzzPreference(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		if ValidAppliedPreference(v) && !ValidPreference(v) {
			t.Fatalf("%q is an applied-pref but not a preference", v)
		}
		if !ValidPreference(v) {
			return
		}
		p, ok := ParsePreference(v)
		if !ok || !strings.HasPrefix(trimOWS(v), p.Name) {
			t.Fatalf("ValidPreference(%q) but ParsePreference = %+v, %v", v, p, ok)
		}
	})
}

func FuzzExpectation(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		if ValidExpectation(v) {
			if _, ok := ParsePreference(v); !ok {
				t.Fatalf("ValidExpectation(%q) but ParsePreference refuses it", v)
			}
		}
	})
}

func FuzzMediaType(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		if !ValidMediaType(v) {
			return
		}
		head, _, _ := strings.Cut(v, ";")
		typ, sub, ok := strings.Cut(trimOWS(head), "/")
		if !ok || !IsToken(typ) || !IsToken(sub) {
			t.Fatalf("ValidMediaType(%q) without type/subtype", v)
		}
	})
}

func FuzzLinkValue(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		if !ValidLinkValue(v) {
			return
		}
		// A valid link-value is one list element: Elements does not split it.
		n := 0
		for range Elements(v) {
			n++
		}
		if n != 1 {
			t.Fatalf("ValidLinkValue(%q) but Elements splits it in %d", v, n)
		}
	})
}
