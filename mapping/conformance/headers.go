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

// nameSlots is an open-addressing table from a cheap hash of a name to the
// id of the known name that may match (unknownHeader for none): one probe
// and one comparison per header instead of a search.
var nameSlots = func() (t [128]uint8) {
	for i := range t {
		t[i] = unknownHeader
	}
	for id, name := range knownNames {
		h := nameHash(name)
		for t[h] != unknownHeader {
			h = (h + 1) & 127
		}
		t[h] = uint8(id)
	}
	return t
}()

// nameHash hashes a header name case-insensitively from its length and
// its first, second and last bytes.
func nameHash(name string) uint8 {
	n := len(name)
	if n < 2 {
		return uint8(n)
	}
	return uint8((n*31 + int(name[0]|0x20)*7 + int(name[1]|0x20)*3 + int(name[n-1]|0x20)) & 127)
}

// headerID returns the id of a known header name in any letter case,
// without allocating.
func headerID(name string) (uint8, bool) {
	for h := nameHash(name); ; h = (h + 1) & 127 {
		id := nameSlots[h]
		if id == unknownHeader {
			return 0, false
		}
		if known := knownNames[id]; known == name || (len(known) == len(name) && strings.EqualFold(known, name)) {
			return id, true
		}
	}
}

// headerIndex records which known headers a list holds and where the first
// of each is, from one pass over the list.
type headerIndex struct {
	set   uint64
	first [numKnownHeaders]uint8 // position + 1 of the first field line
	// ids holds the known id of each of the first len(ids) field lines,
	// unknownHeader for others, so that repeated headers are found without
	// comparing names again.
	ids [maxIndexed]uint8
}

const (
	maxIndexed    = 64
	unknownHeader = 0xff
)

func newHeaderIndex(headers []*statusdv1.Header) headerIndex {
	var x headerIndex
	for i, h := range headers {
		if i >= 255 {
			break // the Validate RPC allows 200 headers
		}
		id, ok := headerID(h.GetName())
		if i < maxIndexed {
			x.ids[i] = unknownHeader
			if ok {
				x.ids[i] = id
			}
		}
		if ok && x.set&(1<<id) == 0 {
			x.set |= 1 << id
			x.first[id] = uint8(i + 1)
		}
	}
	return x
}

// isLine reports whether field line i of headers is one of known header
// id: from the index for the first maxIndexed lines, by name after them.
func (x *headerIndex) isLine(headers []*statusdv1.Header, i int, id uint8) bool {
	if i < maxIndexed {
		return x.ids[i] == id
	}
	return strings.EqualFold(headers[i].GetName(), knownNames[id])
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
	if id, ok := headerID(name); ok {
		return x.has(id)
	}
	return header.Has(headers, name)
}
