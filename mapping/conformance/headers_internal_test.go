package conformance

import (
	"fmt"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// TestHeaderID: every known name is found in any letter case, and names
// that share its slot, its length, its first and last bytes or all but
// one byte in the middle are not.
func TestHeaderID(t *testing.T) {
	for want, name := range knownNames {
		for _, n := range []string{name, strings.ToUpper(name), strings.ToUpper(name[:1]) + name[1:]} {
			if id, ok := headerID(n); !ok || id != uint8(want) {
				t.Errorf("headerID(%q) = %d, %v; want %d", n, id, ok, want)
			}
		}
		mid := len(name) / 2
		for _, other := range []string{name + "x", name[:len(name)-1], name[:1] + "-" + name[2:], "x" + name[1:], name[:len(name)-1] + "-",
			name[:mid] + "~" + name[mid+1:], name[:mid] + strings.ToUpper(name[mid:mid+1]) + "~" + name[mid+2:]} {
			if id, ok := headerID(other); ok && knownNames[id] != strings.ToLower(other) {
				t.Errorf("headerID(%q) = %s", other, knownNames[id])
			}
		}
	}
	for _, n := range []string{"", "a", "accept", "date", "x-request-id", "content-md5", "if-none-matcH"} {
		id, ok := headerID(n)
		if ok != (strings.ToLower(n) == "if-none-match") || ok && id != hIfNoneMatch {
			t.Errorf("headerID(%q) = %d, %v", n, id, ok)
		}
	}
}

// TestHeaderIndexLongLists: the lines of a field are all read wherever
// they are, past the 64 lines whose ids are kept and past the 255 whose
// positions are.
func TestHeaderIndexLongLists(t *testing.T) {
	var hs []*statusdv1.Header
	for i := range 300 {
		name := fmt.Sprint("x-filler-", i)
		switch i {
		case 3, 70, 254, 290:
			name = "Allow"
		}
		hs = append(hs, &statusdv1.Header{Name: name, Value: fmt.Sprint("M", i)})
	}
	for _, n := range []int{300, 255, 100} {
		x := newHeaderIndex(hs[:n])
		c := checker{}
		var got []string
		c.eachElement(&x, hs[:n], hAllow, func(e string) bool { got = append(got, e); return true })
		want := map[int]string{300: "M3 M70 M254 M290", 255: "M3 M70 M254", 100: "M3 M70"}[n]
		if strings.Join(got, " ") != want {
			t.Errorf("%d lines: read %v, want %s", n, got, want)
		}
	}
}
