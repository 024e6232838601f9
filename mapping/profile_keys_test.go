package mapping

import (
	"strings"
	"testing"
)

// TestProfileKeysAgreeWithTheMap: the hash table Profile reads answers
// every identifier the catalog's map holds, and every near miss of one
// (a byte changed, one dropped, one added), as the map does.
func TestProfileKeysAgreeWithTheMap(t *testing.T) {
	c := DefaultCatalog()
	if len(c.profiles) < 40 {
		t.Fatalf("only %d identifiers", len(c.profiles))
	}
	check := func(id string) {
		got, gotOK := c.profileKeys.get(id)
		want, wantOK := c.profiles[id]
		if got != want || gotOK != wantOK {
			t.Errorf("get(%q) = %v %v, the map says %v %v", id, got, gotOK, want, wantOK)
		}
	}
	for id := range c.profiles {
		check(id)
		check(id[:len(id)-1])
		check(id + "x")
		check("x" + id)
		for _, i := range []int{0, len(id) / 2, len(id) - 1} {
			check(id[:i] + "~" + id[i+1:])
		}
	}
	check("")
}

// TestTrimProfileID: the fast path of trimProfileID gives what
// TrimSpace and the bracket strip give.
func TestTrimProfileID(t *testing.T) {
	slow := func(id string) string {
		id = strings.TrimSpace(id)
		if len(id) >= 2 && id[0] == '<' && id[len(id)-1] == '>' {
			id = id[1 : len(id)-1]
		}
		return id
	}
	for _, id := range []string{"", "data", " data", "data ", "<data>", " <data> ", "<data", "data>", "<>", "<",
		"\u00a0data", "data\u0085", "\tdata\n", "é", "<https://level3.rest/profiles/data>", "x y"} {
		if got, want := trimProfileID(id), slow(id); got != want {
			t.Errorf("trimProfileID(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestProfileKeysProbes: the hash tells the embedded catalog's identifiers
// apart as a random one would (pattern roles share their last eight bytes,
// "resource"): at most 1.3 probes on average (with linear probing the
// total does not depend on the order of insertion), none past 8 (a hash of
// the length and last eight bytes alone needed up to 17).
func TestProfileKeysProbes(t *testing.T) {
	x := DefaultCatalog().profileKeys
	worst, total, n := 0, 0, 0
	for i, k := range x.keys {
		if k == "" {
			continue
		}
		probes := int((uint64(i)-x.slot(k))&x.mask) + 1
		worst, total, n = max(worst, probes), total+probes, n+1
	}
	if mean := float64(total) / float64(n); worst > 8 || mean > 1.3 {
		t.Errorf("%d identifiers in %d slots: %.2f probes on average, at most %d", n, len(x.keys), mean, worst)
	}
}
