package header

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseContentLength(t *testing.T) {
	for v, want := range map[string]int64{"0": 0, "42": 42, " 7 ": 7, "123456789012345678": 123456789012345678} {
		if n, err := ParseContentLength(v); err != nil || n != want {
			t.Errorf("ParseContentLength(%q) = %d, %v", v, n, err)
		}
	}
	for _, v := range []string{"", "-1", "+1", "42, 42", "4 2", "0x10", "1234567890123456789", "1e3"} {
		if _, err := ParseContentLength(v); !errors.Is(err, ErrContentLengthSyntax) {
			t.Errorf("ParseContentLength(%q): %v", v, err)
		}
	}
}

func TestParseHTTPDate(t *testing.T) {
	got, err := ParseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT")
	if err != nil || !got.Equal(time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)) {
		t.Errorf("fixdate: %v %v", got, err)
	}
	for _, v := range []string{"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		if _, err := ParseHTTPDate(v); !errors.Is(err, ErrDateObsolete) {
			t.Errorf("ParseHTTPDate(%q): %v, want obsolete", v, err)
		}
	}
	for _, v := range []string{"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT", "2026-11-26T10:00:00Z"} {
		if _, err := ParseHTTPDate(v); !errors.Is(err, ErrDateSyntax) {
			t.Errorf("ParseHTTPDate(%q): %v, want syntax", v, err)
		}
	}
	// Days past the month's end name no day; 29 February only in leap
	// years; a leap second is in the grammar (section 5.6.7).
	for v, ok := range map[string]bool{"Tue, 31 Feb 2026 10:00:00 GMT": false, "Thu, 31 Apr 2026 10:00:00 GMT": false,
		"Sun, 29 Feb 2026 10:00:00 GMT": false, "Thu, 29 Feb 2024 10:00:00 GMT": true, "Tue, 29 Feb 2000 10:00:00 GMT": true,
		"Mon, 29 Feb 2100 10:00:00 GMT": false, "Thu, 30 Apr 2026 10:00:00 GMT": true, "Wed, 31 Dec 2025 23:59:60 GMT": true} {
		if _, err := ParseHTTPDate(v); (err == nil) != ok || !ok && !errors.Is(err, ErrDateSyntax) || err != ValidHTTPDate(v) {
			t.Errorf("ParseHTTPDate(%q): %v (ValidHTTPDate %v), want ok %v", v, err, ValidHTTPDate(v), ok)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseHTTPDate("Tue, 24 Nov 2026 10:00:00 GMT") }); n != 0 {
		t.Errorf("ParseHTTPDate allocates %.0f times", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	if s, _, err := ParseRetryAfter("120"); err != nil || s != 120 {
		t.Errorf("120: %d %v", s, err)
	}
	if _, d, err := ParseRetryAfter("Fri, 31 Dec 1999 23:59:59 GMT"); err != nil || d.Year() != 1999 {
		t.Errorf("date: %v %v", d, err)
	}
	for v, want := range map[string]error{"-5": ErrRetryAfterSyntax, "soon": ErrRetryAfterSyntax, "1.5": ErrRetryAfterSyntax,
		"Friday, 31-Dec-99 23:59:59 GMT": ErrDateObsolete} {
		if _, _, err := ParseRetryAfter(v); !errors.Is(err, want) {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", v, err, want)
		}
	}
}

func TestValidURIReference(t *testing.T) {
	for _, v := range []string{"/orders/42", "https://example.com/a?b=c#d", "orders/42", "?page=2", "#top", "//cdn.example.com/x",
		"http://[::1]:8080/", "urn:isbn:0451450523", "/caf%C3%A9", "mailto:a@example.com", ".", "//u:p@[::ffff:1.2.3.4]:/x",
		"//[v1f.a:b]/", "http://user@example.com:/", "//10.0.0.1:80?q", "https://ex%41mple.com/"} {
		if err := ValidURIReference(v); err != nil {
			t.Errorf("ValidURIReference(%q): %v", v, err)
		}
	}
	for v, want := range map[string]error{"": ErrURIEmpty, "/a b": ErrURIChar, "/café": ErrURIChar, `/"x"`: ErrURIChar,
		"/<x>": ErrURIChar, "/100%": ErrURIPercent, "/%zz": ErrURIPercent, "1http://x": ErrURIScheme, ":x": ErrURIScheme,
		"/a#b#c": ErrURIChar, "/a[1]": ErrURIChar, "http://[::1/": ErrURIAuthority, "/a\\b": ErrURIChar,
		"//0[]": ErrURIAuthority, "//[1.2.3.4]/": ErrURIAuthority, "//[::1]x": ErrURIAuthority, "//[::1]:8a": ErrURIAuthority,
		"//[fe80::1%25en0]/": ErrURIAuthority, "//[v.x]": ErrURIAuthority, "//[vz.x]": ErrURIAuthority, "//a@b@c/": ErrURIAuthority,
		"//a:b/": ErrURIAuthority, "http://h:80:90/": ErrURIAuthority, "//u[x@[::1]/": ErrURIAuthority, "//u@h:x/": ErrURIAuthority, "//[::1]/a[": ErrURIChar, "x:/[::1]": ErrURIChar} {
		if err := ValidURIReference(v); !errors.Is(err, want) {
			t.Errorf("ValidURIReference(%q) = %v, want %v", v, err, want)
		}
	}
}

func TestCountRanges(t *testing.T) {
	for v, want := range map[string]int{"bytes=0-499": 1, "bytes=-500": 1, "bytes=9500-": 1, "bytes=0-0, -1": 2,
		"bytes=0-1,5-6,9-": 3, "items=1-2,x": 2} {
		if _, n, err := CountRanges(v); err != nil || n != want {
			t.Errorf("CountRanges(%q) = %d, %v", v, n, err)
		}
	}
	for _, v := range []string{"", "bytes", "bytes=", "bytes=5-1", "bytes=a-b", "bytes=-", "0-499", "bytes=1-2;x"} {
		if _, _, err := CountRanges(v); !errors.Is(err, ErrRangeSyntax) {
			t.Errorf("CountRanges(%q): %v", v, err)
		}
	}
}

func TestParseProtocol(t *testing.T) {
	for _, c := range []struct{ in, name, version string }{{"websocket", "websocket", ""}, {" HTTP/2.0 ", "HTTP", "2.0"}} {
		if n, v, ok := ParseProtocol(c.in); !ok || n != c.name || v != c.version {
			t.Errorf("ParseProtocol(%q) = %q %q %v", c.in, n, v, ok)
		}
	}
	for _, in := range []string{"", "/1", "web socket", "h2/", "a/b/c"} {
		if _, _, ok := ParseProtocol(in); ok {
			t.Errorf("ParseProtocol(%q) ok", in)
		}
	}
}

func FuzzContentLength(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		n, err := ParseContentLength(v)
		if err == nil && (n < 0 || strings.TrimLeft(strings.TrimSpace(v), "0123456789") != "") {
			t.Fatalf("ParseContentLength(%q) = %d", v, n)
		}
	})
}

func FuzzHTTPDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		d, err := ParseHTTPDate(v)
		if err != ValidHTTPDate(v) {
			t.Fatalf("ParseHTTPDate(%q): %v, ValidHTTPDate: %v", v, err, ValidHTTPDate(v))
		}
		if err != nil {
			return
		}
		// A valid IMF-fixdate reads the same through net/http, and
		// formats back to itself; net/http does not read a leap second.
		if strings.Trim(v, " \t")[23:25] == "60" {
			return
		}
		if u, err := http.ParseTime(strings.Trim(v, " \t")); err != nil || !u.Equal(d) ||
			d.Format(http.TimeFormat)[5:] != strings.Trim(v, " \t")[5:] {
			t.Fatalf("ParseHTTPDate(%q) = %v; net/http: %v %v", v, d, u, err)
		}
		_, _, _ = ParseRetryAfter(v)
	})
}

func FuzzURIReference(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		if ValidURIReference(v) != nil {
			return
		}
		v = strings.Trim(v, " \t")
		if _, err := url.Parse(v); err != nil && !netURLStricter(v, err) {
			t.Fatalf("ValidURIReference(%q) passed, url.Parse: %v", v, err)
		}
		if strings.ContainsAny(v, " \"<>\\^`{|}\x00\x7f") {
			t.Fatalf("ValidURIReference(%q) passed a forbidden character", v)
		}
	})
}

// netURLStricter reports the two places where net/url refuses what RFC
// 3986 allows: an IPvFuture literal ("invalid host"), and a
// percent-encoding of an ASCII byte in the host, which RFC 3986's
// reg-name allows and net/url keeps for non-ASCII bytes ("invalid URL
// escape").
func netURLStricter(v string, err error) bool {
	authority := ""
	if i := strings.Index(v, "//"); i >= 0 {
		authority = v[i+2:]
		if end := strings.IndexAny(authority, "/?#"); end >= 0 {
			authority = authority[:end]
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "invalid host") && strings.ContainsAny(authority, "[") && strings.Contains(strings.ToLower(authority), "[v") ||
		strings.Contains(msg, "invalid URL escape") && strings.Contains(authority, "%")
}

func FuzzCountRanges(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		unit, n, err := CountRanges(v)
		if err == nil && (n < 1 || !IsToken(unit) || n > strings.Count(v, ",")+1) {
			t.Fatalf("CountRanges(%q) = %q %d", v, unit, n)
		}
	})
}

func FuzzProtocol(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		name, version, ok := ParseProtocol(v)
		if ok && (!IsToken(name) || version != "" && !IsToken(version)) {
			t.Fatalf("ParseProtocol(%q) = %q %q", v, name, version)
		}
	})
}

// TestElementHasToken: an element matches as HasToken matches the field.
func TestElementHasToken(t *testing.T) {
	for _, c := range []struct {
		element, token string
		want           bool
	}{
		{`return = "representation"`, "return=representation", true},
		{"respond-async; wait=10", "respond-async", true},
		{"return=minimal", "return=representation", false},
		{"return=minimal", "return", true},
		{"", "return", false},
		{"return", "", false},
	} {
		if got := ElementHasToken(c.element, c.token); got != c.want || got != HasToken(hs("prefer: "+c.element), "prefer", c.token) {
			t.Errorf("ElementHasToken(%q, %q) = %v, want %v (and as HasToken)", c.element, c.token, got, c.want)
		}
	}
}
