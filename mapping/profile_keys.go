package mapping

import (
	"maps"
	"slices"
	"strings"
)

// profileKeys finds a profile identifier with a short hash and, as a rule,
// one comparison. A profile header is resolved on every Validate call, and
// the identifiers are URIs that share a long prefix
// ("https://level3.rest/profiles/"), which a Go map hashes in full; the
// table hashes three words of an identifier instead: its length, its last
// eight bytes, and the eight in its middle (pattern roles differ there:
// ".../process#activity-resource"). TestProfileKeysProbes keeps the
// embedded catalog's identifiers at 1.3 probes on average, 8 at most.
type profileKeys struct {
	keys  []string // "" marks a free slot; checkProfile refuses an empty identifier
	refs  []profileRef
	mask  uint64
	shift uint // the slot is the hash's top bits: 64 - log2(len(keys))
}

// newProfileKeys builds the table for the identifiers of m, at most half
// full so that probes stay short.
func newProfileKeys(m map[string]profileRef) profileKeys {
	size, shift := 16, uint(60)
	for size < 2*len(m) {
		size, shift = size*2, shift-1
	}
	t := profileKeys{keys: make([]string, size), refs: make([]profileRef, size), mask: uint64(size - 1), shift: shift}
	for _, k := range slices.Sorted(maps.Keys(m)) { // the same table for the same catalog
		ref := m[k]
		i := t.slot(k)
		for t.keys[i] != "" {
			i = (i + 1) & t.mask
		}
		t.keys[i], t.refs[i] = k, ref
	}
	return t
}

// get returns the profile of identifier id, exactly as written.
func (t *profileKeys) get(id string) (profileRef, bool) {
	if id == "" || len(t.keys) == 0 {
		return profileRef{}, false
	}
	for i := t.slot(id); ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case id:
			return t.refs[i], true
		case "":
			return profileRef{}, false
		}
	}
}

// slot is where the search for identifier s starts.
func (t *profileKeys) slot(s string) uint64 { return profileHash(s) >> t.shift }

// profileHash mixes the length, the last eight bytes and the middle eight
// bytes of s (its bytes, when s is shorter than eight).
func profileHash(s string) uint64 {
	n := len(s)
	var tail, mid uint64
	if n >= 8 {
		tail, mid = load8(s[n-8:]), load8(s[(n-8)/2:])
	} else {
		for i := 0; i < n; i++ {
			tail = tail<<8 | uint64(s[i])
		}
	}
	h := (tail ^ uint64(n)*0x9e3779b97f4a7c15) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>31 ^ mid) * 0x94d049bb133111eb
	return h ^ h>>29
}

// load8 reads the first eight bytes of s as one little-endian word (one
// load: the compiler merges the byte reads).
func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// trimProfileID removes the white space and angle brackets Profile
// accepts around an identifier, without a call when there are none.
func trimProfileID(id string) string {
	if n := len(id); n == 0 || isPlainEnd(id[0]) && isPlainEnd(id[n-1]) {
		return id
	}
	id = strings.TrimSpace(id)
	if len(id) >= 2 && id[0] == '<' && id[len(id)-1] == '>' {
		id = id[1 : len(id)-1]
	}
	return id
}

// isPlainEnd reports whether c, at either end of an identifier, is neither
// white space (ASCII or the first byte of a Unicode space) nor a bracket.
func isPlainEnd(c byte) bool { return ' ' < c && c < 0x80 && c != '<' && c != '>' }
