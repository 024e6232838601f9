package conformance

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// TestKnownID: every known name is found in any letter case, and names
// that share its slot, its length, its first and last bytes or all but
// one byte in the middle are not.
func TestKnownID(t *testing.T) {
	for want, name := range knownNames {
		for _, n := range []string{name, strings.ToUpper(name), strings.ToUpper(name[:1]) + name[1:]} {
			if id := knownID(n); id != uint8(want) {
				t.Errorf("knownID(%q) = %d; want %d", n, id, want)
			}
		}
		mid := len(name) / 2
		for _, other := range []string{name + "x", name[:len(name)-1], name[:1] + "-" + name[2:], "x" + name[1:], name[:len(name)-1] + "-",
			name[:mid] + "~" + name[mid+1:], name[:mid] + strings.ToUpper(name[mid:mid+1]) + "~" + name[mid+2:]} {
			if id := knownID(other); id != unknownHeader && knownNames[id] != strings.ToLower(other) {
				t.Errorf("knownID(%q) = %s", other, knownNames[id])
			}
		}
	}
	for _, n := range []string{"", "a", "accept", "date", "x-request-id", "content-md5", "if-none-matcH"} {
		id := knownID(n)
		ok := id != unknownHeader
		if ok != (strings.ToLower(n) == "if-none-match") || ok && id != hIfNoneMatch {
			t.Errorf("knownID(%q) = %d", n, id)
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

// TestHeaderIndexAgreesWithNames: over random header lists (runs of one
// name, letter case changing inside a run, unknown names, lists longer
// than the 64 lines whose ids are kept and the 255 the index covers), the
// index says for every known header what comparing names line by line
// says: present or not, its first and last line, the id of each kept line.
func TestHeaderIndexAgreesWithNames(t *testing.T) {
	names := []string{"prefer", "Prefer", "if-match", "IF-MATCH", "preference-applied", "link", "x-unknown", "accept", "etag", "location"}
	rng := rand.New(rand.NewPCG(12, 34))
	for round := range 300 {
		var hs []*statusdv1.Header
		for target := rng.IntN(300); len(hs) < target; {
			name := names[rng.IntN(len(names))]
			for range 1 + rng.IntN(40) {
				hs = append(hs, &statusdv1.Header{Name: name})
			}
		}
		x := newHeaderIndex(hs)
		covered := min(len(hs), 255)
		for id := range uint8(numKnownHeaders) {
			first, last := -1, -1
			for i, h := range hs[:covered] {
				if strings.EqualFold(h.GetName(), knownNames[id]) {
					if first < 0 {
						first = i
					}
					last = i
				}
			}
			if x.has(id) != (first >= 0) || first >= 0 && (int(x.first[id]) != first+1 || int(x.end[id]) != last+1) {
				t.Fatalf("round %d, %s: has %v first %d end %d; names say first %d last %d", round, knownNames[id], x.has(id), x.first[id], x.end[id], first, last)
			}
		}
		for i, h := range hs[:min(covered, maxIndexed)] {
			if want := knownID(h.GetName()); x.ids[i] != want {
				t.Fatalf("round %d, line %d (%s): id %d, want %d", round, i, h.GetName(), x.ids[i], want)
			}
		}
		if x.long != (len(hs) > 255) {
			t.Fatalf("round %d: long %v with %d lines", round, x.long, len(hs))
		}
	}
}
