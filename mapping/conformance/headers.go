package conformance

import (
	"strings"

	"github.com/statusd/statusd/mapping/header"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// The header fields the rules ask about, indexed so that one pass over an
// exchange's headers answers every "is it there?" question.
const (
	hAllow uint8 = iota
	hProfile
	hLocation
	hETag
	hLastModified
	hContentType
	hContentRange
	hContentLength
	hAcceptRanges
	hAcceptPatch
	hPreferenceApplied
	hWWWAuthenticate
	hContentLocation
	hContentDisposition
	hIdempotencyKey
	hLink
	hExpect
	hRange
	hPrefer
	hIfMatch
	hIfNoneMatch
	hIfModifiedSince
	hIfUnmodifiedSince
	hIfRange
	hSlug
	hTransferEncoding
	hUpgrade
	hConnection
	hProxyAuthenticate
	hRetryAfter
	hContentEncoding
	hContentLanguage
	numKnownHeaders
)

// knownNames are the known header names, indexed by their id.
var knownNames = [numKnownHeaders]string{
	hAllow: "allow", hProfile: "profile", hLocation: "location", hETag: "etag",
	hLastModified: "last-modified", hContentType: "content-type", hContentRange: "content-range",
	hContentLength: "content-length", hAcceptRanges: "accept-ranges", hAcceptPatch: "accept-patch",
	hPreferenceApplied: "preference-applied", hWWWAuthenticate: "www-authenticate",
	hContentLocation: "content-location", hContentDisposition: "content-disposition",
	hIdempotencyKey: "idempotency-key", hLink: "link", hExpect: "expect", hRange: "range",
	hPrefer: "prefer", hIfMatch: "if-match", hIfNoneMatch: "if-none-match",
	hIfModifiedSince: "if-modified-since", hIfUnmodifiedSince: "if-unmodified-since",
	hIfRange: "if-range", hSlug: "slug", hTransferEncoding: "transfer-encoding", hUpgrade: "upgrade",
	hConnection: "connection", hProxyAuthenticate: "proxy-authenticate", hRetryAfter: "retry-after",
	hContentEncoding: "content-encoding", hContentLanguage: "content-language",
}

// nameSlots maps a slot of a header name (nameSlot) to the id of the one
// known name that may have that slot, unknownHeader for none. The
// multiplier of nameSlot is chosen when the package loads so that no two
// known names share a slot: one probe and one comparison answer any name.
var nameSeed, nameSlots = perfectNameTable()

// nameKey packs what tells the known names apart, case-insensitively: the
// length and the first, second and last bytes.
func nameKey(name string) uint32 {
	n := len(name)
	if n < 2 {
		return uint32(n)
	}
	return uint32(n)<<24 | uint32(name[0]|0x20)<<16 | uint32(name[1]|0x20)<<8 | uint32(name[n-1]|0x20)
}

// nameSlot is a multiplicative hash of nameKey into 256 slots.
func nameSlot(name string, seed uint32) uint8 { return uint8((nameKey(name) * seed) >> 24) }

// perfectNameTable finds the first odd multiplier that gives every known
// name a slot of its own.
func perfectNameTable() (uint32, [256]uint8) {
	for seed := uint32(0x9e3779b1); seed < 0x9e3779b1+1<<20; seed += 2 {
		var t [256]uint8
		for i := range t {
			t[i] = unknownHeader
		}
		perfect := true
		for id, name := range knownNames {
			h := nameSlot(name, seed)
			if t[h] != unknownHeader {
				perfect = false
				break
			}
			t[h] = uint8(id)
		}
		if perfect {
			return seed, t
		}
	}
	panic("conformance: no multiplier separates the known header names; make nameKey read more of the name")
}

// knownID returns the id of a known header name in any letter case,
// unknownHeader for any other name, without allocating.
func knownID(name string) uint8 {
	id := nameSlots[nameSlot(name, nameSeed)]
	if id == unknownHeader {
		return unknownHeader
	}
	known, n := knownNames[id], len(name)
	switch {
	case n != len(known):
		return unknownHeader
	case 8 <= n && n <= 16:
		// Two words hold the whole name: compared without a call.
		if load8(name) == knownEnds[id][0] && load8(name[n-8:]) == knownEnds[id][1] {
			return id
		}
	case 4 <= n && n < 8:
		if uint64(load4(name))|uint64(load4(name[n-4:]))<<32 == knownEnds[id][0] {
			return id
		}
	case name == known:
		return id
	}
	if strings.EqualFold(known, name) {
		return id
	}
	return unknownHeader
}

// knownEnds holds the first and last eight bytes of each known name of 8
// to 16 bytes, which together are the whole name; of a shorter name, its
// first and last four bytes in one word.
var knownEnds = func() (ends [numKnownHeaders][2]uint64) {
	for id, name := range knownNames {
		switch n := len(name); {
		case n >= 8:
			ends[id] = [2]uint64{load8(name), load8(name[n-8:])}
		case n >= 4:
			ends[id][0] = uint64(load4(name)) | uint64(load4(name[n-4:]))<<32
		}
	}
	return ends
}()

// load4 reads the first four bytes of s as one little-endian word.
func load4(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// load8 reads the first eight bytes of s as one little-endian word (the
// compiler makes it one load).
func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// headerIndex records which known headers a list holds and where the first
// of each is, from one pass over the list.
type headerIndex struct {
	set   uint64
	first [numKnownHeaders]uint8 // position + 1 of the first field line
	// end is the position + 1 of the last field line of each known header,
	// so that reading a field stops there instead of looking at every line
	// after it; every line's position past the 255 the index records.
	end [numKnownHeaders]uint8
	// long: the list has more lines than end can say; reads go to its end.
	long bool
	// ids holds the known id of each of the first len(ids) field lines,
	// unknownHeader for others, so that repeated headers are found without
	// comparing names again.
	ids [maxIndexed]uint8
}

const (
	maxIndexed    = 64
	unknownHeader = 0xff
)

func newHeaderIndex(headers []*statusdv1.Header) (x headerIndex) {
	x.build(headers)
	return x
}

// build indexes headers into x, which is zero: in place, so that Check
// does not copy two indexes into its checker.
func (x *headerIndex) build(headers []*statusdv1.Header) {
	if len(headers) > 255 {
		headers, x.long = headers[:255], true // the Validate RPC allows 200 headers
	}
	for i := 0; i < len(headers); {
		name := headers[i].GetName()
		id := knownID(name)
		if id < numKnownHeaders && x.set&(1<<id) == 0 {
			x.set |= 1 << id
			x.first[id] = uint8(i + 1)
		}
		// The run of lines with this name (a long field sent as many
		// lines) is read by comparing names, without hashing them again.
		if i < maxIndexed {
			x.ids[i] = id
		}
		run := i + 1
		if run < len(headers) && len(headers[run].GetName()) == len(name) {
			run += sameNames(headers[run:], name)
			for j := i + 1; j < min(run, maxIndexed); j++ {
				x.ids[j] = id
			}
		}
		if id < numKnownHeaders {
			x.end[id] = uint8(run)
		}
		i = run
	}
}

// sameNames returns how many of the first lines of headers are named
// exactly name. A name of 4 to 16 bytes is compared as two words, without
// the call a string comparison makes: a call costs more than the rest of a
// line's work.
func sameNames(headers []*statusdv1.Header, name string) int {
	n := len(name)
	switch {
	case n >= 8 && n <= 16:
		first, last := load8(name), load8(name[n-8:])
		for k, h := range headers {
			if o := h.GetName(); len(o) != n || load8(o) != first || load8(o[n-8:]) != last {
				return k
			}
		}
	case n >= 4 && n < 8:
		first, last := load4(name), load4(name[n-4:])
		for k, h := range headers {
			if o := h.GetName(); len(o) != n || load4(o) != first || load4(o[n-4:]) != last {
				return k
			}
		}
	default:
		for k, h := range headers {
			if h.GetName() != name {
				return k
			}
		}
	}
	return len(headers)
}

// isLine reports whether field line i, h, is one of known header id: from
// the index for the first maxIndexed lines, by name after them.
// (eachElementNamed, on the hot path, tests the index itself: isLine is
// not inlined.)
func (x *headerIndex) isLine(h *statusdv1.Header, i int, id uint8) bool {
	if i < maxIndexed {
		return x.ids[i] == id
	}
	return strings.EqualFold(h.GetName(), knownNames[id])
}

// lines returns the range of field lines [from, to) that holds every line
// of known header id.
func (x *headerIndex) lines(headers []*statusdv1.Header, id uint8) (from, to int) {
	if x.long {
		return int(x.first[id]) - 1, len(headers)
	}
	return int(x.first[id]) - 1, int(x.end[id])
}

func (x *headerIndex) has(id uint8) bool { return x.set&(1<<id) != 0 }

// value returns the first value of a known header.
func (x *headerIndex) value(headers []*statusdv1.Header, id uint8) (string, bool) {
	if !x.has(id) {
		return "", false
	}
	return headers[x.first[id]-1].GetValue(), true
}

// hasName answers for any name: known names from the index, others by a
// scan.
func (x *headerIndex) hasName(headers []*statusdv1.Header, name string) bool {
	if id := knownID(name); id != unknownHeader {
		return x.has(id)
	}
	return header.Has(headers, name)
}
