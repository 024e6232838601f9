package mapping

import "strings"

// profileKeys finds a profile identifier with one short hash and one
// comparison. The identifiers are mostly URIs that share a long prefix
// ("https://level3.rest/profiles/"), which a Go map hashes in full on every
// lookup; a profile header is resolved on every Validate call, so the
// table hashes only the identifier's length and last eight bytes, where
// the identifiers differ.
type profileKeys struct {
	keys []string // "" marks a free slot; no identifier is empty
	refs []profileRef
	mask uint64
}

// newProfileKeys builds the table for the identifiers of m, at most half
// full so that probes stay short.
func newProfileKeys(m map[string]profileRef) profileKeys {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := profileKeys{keys: make([]string, size), refs: make([]profileRef, size), mask: uint64(size - 1)}
	for k, ref := range m {
		i := profileHash(k) & t.mask
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
	for i := profileHash(id) & t.mask; ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case id:
			return t.refs[i], true
		case "":
			return profileRef{}, false
		}
	}
}

// profileHash mixes the length and the last eight bytes of s (fewer when
// s is shorter).
func profileHash(s string) uint64 {
	var tail uint64
	if n := len(s); n >= 8 {
		t := s[n-8:]
		tail = uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
	} else {
		for i := 0; i < n; i++ {
			tail = tail<<8 | uint64(s[i])
		}
	}
	h := (tail ^ uint64(len(s))*0x9e3779b97f4a7c15) * 0xbf58476d1ce4e5b9
	return h ^ h>>31
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
