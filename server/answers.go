package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/statusd/statusd/mapping"
)

// answer is one response connect-go wrote, kept as bytes: the headers it
// set (with the validator and cache-control added for a GET) and its body.
type answer struct {
	header http.Header
	body   []byte
	etag   string // empty for a POST answer: those carry no validator
	size   int    // what the answer counts against the memory cap
	used   atomic.Bool
}

// answerOverhead is what a stored answer costs beyond its key, body and
// header bytes (the map slot, the answer struct, slice and string headers),
// rounded up, so that the cap bounds memory and not just payload.
const answerOverhead = 512

// answers is the bounded store of one catalog edition under one build: a
// request's answer never changes while both stay the same, so nothing in it
// expires; it is replaced whole when the catalog is swapped. When full, it
// evicts by CLOCK (second chance): an answer served since the hand last
// passed it survives one more pass.
type answers struct {
	catalog  *mapping.Catalog
	etagBase string // the opaque tag of the identity answers; see etagFor
	maxBytes int

	mu    sync.RWMutex
	byKey map[string]*answer
	ring  []string // keys in insertion order, from head
	head  int
	bytes int

	evictions *atomic.Uint64 // the cache's, across catalogs
}

func newAnswers(cat *mapping.Catalog, build string, maxBytes int, evictions *atomic.Uint64) *answers {
	sum := sha256.Sum256([]byte(build + "\x00" + cat.Hash()))
	return &answers{
		catalog:   cat,
		etagBase:  hex.EncodeToString(sum[:12]),
		maxBytes:  maxBytes,
		byKey:     map[string]*answer{},
		evictions: evictions,
	}
}

// etagFor is the strong validator of an answer with the given
// content-coding: the build and the catalog decide every answer's bytes, so
// they decide the tag; each coding gets its own tag (RFC 9110 8.8.3.3: the
// gzip and identity representations differ in their bytes).
func (a *answers) etagFor(contentEncoding string) string {
	if contentEncoding == "" || contentEncoding == "identity" {
		return `"` + a.etagBase + `"`
	}
	return `"` + a.etagBase + "-" + contentEncoding + `"`
}

// get returns the answer stored under key, or nil.
func (a *answers) get(key []byte) *answer {
	a.mu.RLock()
	ans := a.byKey[string(key)] // no allocation: the compiler sees the conversion
	a.mu.RUnlock()
	if ans != nil && !ans.used.Load() {
		ans.used.Store(true)
	}
	return ans
}

// put stores ans under key unless it is larger than an eighth of the cap
// (so one answer cannot flush the rest), evicting until it fits.
func (a *answers) put(key string, ans *answer) {
	ans.size = len(key) + len(ans.body) + answerOverhead
	for k, vs := range ans.header {
		ans.size += len(k)
		for _, v := range vs {
			ans.size += len(v)
		}
	}
	if ans.size > a.maxBytes/8 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.byKey[key]; ok {
		return
	}
	for a.bytes+ans.size > a.maxBytes && a.head < len(a.ring) {
		a.evictOne()
	}
	a.byKey[key] = ans
	a.ring = append(a.ring, key)
	a.bytes += ans.size
}

// evictOne advances the CLOCK hand by one key: an answer used since the
// last pass goes to the back with its mark cleared, any other is dropped.
// a.mu is held.
func (a *answers) evictOne() {
	key := a.ring[a.head]
	a.ring[a.head] = ""
	a.head++
	if a.head > len(a.ring)/2 && a.head > 64 {
		a.ring = append(a.ring[:0], a.ring[a.head:]...)
		a.head = 0
	}
	ans := a.byKey[key]
	if ans.used.Load() {
		ans.used.Store(false)
		a.ring = append(a.ring, key)
		return
	}
	delete(a.byKey, key)
	a.bytes -= ans.size
	a.evictions.Add(1)
}

// stats reports the number of answers and the bytes they count for.
func (a *answers) stats() (n, bytes int) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.byKey), a.bytes
}
