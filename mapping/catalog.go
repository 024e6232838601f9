// Package mapping is statusd's pure library: the HTTP status catalog, the
// Level 3 profiles, and translation between HTTP statuses and Connect/gRPC
// codes. It does no I/O beyond reading a catalog the caller hands it and
// keeps no mutable package state, so gateways can embed it directly.
package mapping

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// The lowest and highest HTTP status a catalog may hold (RFC 9110 section 15).
const (
	MinStatus = 100
	MaxStatus = 599
)

// maxCatalogBytes bounds what LoadCatalog reads, so that a wrong file (a log,
// a binary) fails fast instead of filling memory.
const maxCatalogBytes = 16 << 20

//go:embed catalog.txtpb
var defaultCatalogText []byte

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := ParseCatalog(defaultCatalogText)
	if err != nil {
		// The embedded file is checked by the package tests; failing here
		// means the binary was built from a broken tree.
		panic("mapping: embedded catalog is invalid: " + err.Error())
	}
	return c
})

// Catalog is a validated, indexed, read-only catalog. Lookups are O(1): the
// statuses sit in an array indexed by code, the profiles in a map keyed by
// every identifier they accept. A Catalog is safe for concurrent use; the
// messages it returns are shared and must not be modified.
type Catalog struct {
	msg      *statusdv1.Catalog
	hash     string
	statuses [MaxStatus + 1]*statusdv1.HttpStatus
	sorted   []*statusdv1.HttpStatus
	profiles map[string]profileRef
	// profileKeys holds profiles' identifiers for Profile (profile_keys.go).
	profileKeys profileKeys
	// derived holds what other packages derive from the catalog
	// (Derived), keyed by *Derived.
	derived sync.Map
	// l3 explains the Level 3 answers this catalog gives.
	l3 *level3Index
}

// profileRef is what an identifier resolves to, and whether that identifier
// is an outdated spelling (http://, a renamed profile).
type profileRef struct {
	profile *statusdv1.Profile
	legacy  bool
}

// DefaultCatalog returns the catalog embedded in the binary, parsed on first
// use.
func DefaultCatalog() *Catalog { return defaultCatalog() }

// LoadCatalog reads a catalog in protobuf text or JSON format from r (at most
// 16 MiB) and validates it.
func LoadCatalog(r io.Reader) (*Catalog, error) {
	msg, err := ReadCatalogMessage(r)
	if err != nil {
		return nil, err
	}
	return NewCatalog(msg)
}

// ReadCatalogMessage reads a catalog message in protobuf text or JSON format
// from r (at most 16 MiB) without validating it, for Overlay.
func ReadCatalogMessage(r io.Reader) (*statusdv1.Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCatalogBytes+1))
	if err != nil {
		return nil, fmt.Errorf("catalog: read: %w", err)
	}
	if len(data) > maxCatalogBytes {
		return nil, fmt.Errorf("catalog: larger than %d bytes", maxCatalogBytes)
	}
	return ParseCatalogMessage(data)
}

// ParseCatalog parses a catalog in protobuf JSON format (if its first
// non-blank byte is '{') or text format, and validates it.
func ParseCatalog(data []byte) (*Catalog, error) {
	msg, err := ParseCatalogMessage(data)
	if err != nil {
		return nil, err
	}
	return NewCatalog(msg)
}

// NewCatalog validates msg and indexes it. It keeps a private copy, so later
// changes to msg do not affect the Catalog.
func NewCatalog(msg *statusdv1.Catalog) (*Catalog, error) {
	msg = proto.CloneOf(msg)
	c := &Catalog{msg: msg, profiles: make(map[string]profileRef, 4*len(msg.GetProfiles()))}
	if err := c.indexProfiles(); err != nil {
		return nil, err
	}
	if err := c.indexStatuses(); err != nil {
		return nil, err
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	sum := sha256.Sum256(data)
	c.hash = hex.EncodeToString(sum[:])
	c.l3 = newLevel3Index(c)
	return c, nil
}

// Hash is the SHA-256 of the catalog's deterministic protobuf encoding, in
// hex: equal catalogs have equal hashes, so it makes a cache validator.
func (c *Catalog) Hash() string { return c.hash }

// Overlay returns a catalog made of c with msg laid over it: a status of
// msg replaces c's status with the same code, a profile replaces c's
// profile with the same id, the rest is added, and msg's edition wins if it
// has one. Each overlay entry is first checked on its own (an empty
// overlay, and a code or id given twice, are errors, as in a whole
// catalog); then the result is validated as a whole, so an overlay may
// refer to c's profiles. Errors name entries by their place in msg, or say
// that the entry is c's.
func (c *Catalog) Overlay(msg *statusdv1.Catalog) (*Catalog, error) {
	if proto.Size(msg) == 0 {
		return nil, errors.New("catalog: the overlay is empty: it has no edition, statuses or profiles (is the file truncated?)")
	}
	if err := checkOverlayEntries(msg); err != nil {
		return nil, err
	}
	merged := proto.CloneOf(c.msg)
	if msg.GetEdition() != "" {
		merged.Edition = msg.GetEdition()
	}
	names := map[string]string{} // entry in merged → entry in msg
	for oi, s := range msg.GetStatuses() {
		i := slices.IndexFunc(merged.Statuses, func(old *statusdv1.HttpStatus) bool { return old.GetCode() == s.GetCode() })
		if i >= 0 {
			merged.Statuses[i] = s
		} else {
			i = len(merged.Statuses)
			merged.Statuses = append(merged.Statuses, s)
		}
		names[statusEntry(i, s)] = "overlay " + statusEntry(oi, s)
	}
	for oi, p := range msg.GetProfiles() {
		i := slices.IndexFunc(merged.Profiles, func(old *statusdv1.Profile) bool { return old.GetId() == p.GetId() })
		if i >= 0 {
			merged.Profiles[i] = p
		} else {
			i = len(merged.Profiles)
			merged.Profiles = append(merged.Profiles, p)
		}
		names[profileEntry(i, p)] = "overlay " + profileEntry(oi, p)
	}
	out, err := NewCatalog(merged)
	var cerr *CatalogError
	if errors.As(err, &cerr) {
		entry, ok := names[cerr.Entry]
		if !ok {
			entry = "base catalog " + cerr.Entry
		}
		return nil, catalogErr(entry, cerr.Problem)
	}
	return out, err
}

// checkOverlayEntries checks each entry of an overlay on its own, and that
// no code or id comes twice (the later one would silently win).
func checkOverlayEntries(msg *statusdv1.Catalog) error {
	codes := map[int32]int{}
	for i, s := range msg.GetStatuses() {
		if err := checkStatus(statusEntry(i, s), s); err != nil {
			return err
		}
		if j, dup := codes[s.GetCode()]; dup {
			return catalogErr(statusEntry(i, s), fmt.Sprintf("duplicate status (also statuses[%d])", j))
		}
		codes[s.GetCode()] = i
	}
	ids := map[string]int{}
	for i, p := range msg.GetProfiles() {
		if err := checkProfile(profileEntry(i, p), p); err != nil {
			return err
		}
		if j, dup := ids[p.GetId()]; dup {
			return catalogErr(profileEntry(i, p), fmt.Sprintf("duplicate profile id (also profiles[%d])", j))
		}
		ids[p.GetId()] = i
	}
	return nil
}

// ParseCatalogMessage parses a catalog message in protobuf JSON (if its first
// non-blank byte is '{') or text format, without validating it: for
// overlays, which are validated once laid over a base.
func ParseCatalogMessage(data []byte) (*statusdv1.Catalog, error) {
	msg := &statusdv1.Catalog{}
	var err error
	if trimmed := strings.TrimSpace(string(data)); strings.HasPrefix(trimmed, "{") {
		err = protojson.Unmarshal(data, msg)
	} else {
		err = prototext.Unmarshal(data, msg)
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: parse: %w", err)
	}
	return msg, nil
}

// Proto returns the catalog message. It is shared: do not modify it.
func (c *Catalog) Proto() *statusdv1.Catalog { return c.msg }

// Status returns the entry of an HTTP status, or false if the catalog has
// none (an unregistered code, or one outside 100-599).
func (c *Catalog) Status(code int) (*statusdv1.HttpStatus, bool) {
	if code < MinStatus || code > MaxStatus {
		return nil, false
	}
	s := c.statuses[code]
	return s, s != nil
}

// Statuses returns every entry in ascending code order. The slice is shared:
// do not modify it.
func (c *Catalog) Statuses() []*statusdv1.HttpStatus { return c.sorted }

// Profiles returns every profile, mixin and pattern role in catalog order.
// The slice is shared: do not modify it.
func (c *Catalog) Profiles() []*statusdv1.Profile { return c.msg.GetProfiles() }

// Profile resolves a profile identifier: a short id ("form", "entity",
// "list#list-resource"), a canonical URI, its http:// form, or a legacy URI
// such as https://level3.rest/profiles/root. Surrounding angle brackets, as
// in a profile header, are accepted. legacy reports that the identifier is
// an outdated spelling of the profile.
func (c *Catalog) Profile(id string) (profile *statusdv1.Profile, legacy bool, ok bool) {
	id = trimProfileID(id)
	ref, ok := c.profileKeys.get(id)
	if !ok && strings.HasSuffix(id, "/") {
		ref, ok = c.profileKeys.get(id[:len(id)-1])
	}
	return ref.profile, ref.legacy, ok
}

func (c *Catalog) indexProfiles() error {
	for i, p := range c.msg.GetProfiles() {
		entry := profileEntry(i, p)
		if err := checkProfile(entry, p); err != nil {
			return err
		}
		if err := c.addProfileKey(entry, p.GetId(), p, false); err != nil {
			return err
		}
		for _, uri := range append([]string{p.GetUri()}, p.GetLegacyUris()...) {
			legacy := uri != p.GetUri()
			if err := c.addProfileKey(entry, uri, p, legacy); err != nil {
				return err
			}
			if rest, ok := strings.CutPrefix(uri, "https://"); ok {
				if err := c.addProfileKey(entry, "http://"+rest, p, true); err != nil {
					return err
				}
			}
		}
	}
	c.profileKeys = newProfileKeys(c.profiles)
	// References are checked once every profile is known.
	for i, p := range c.msg.GetProfiles() {
		entry := profileEntry(i, p)
		for _, m := range p.GetMixins() {
			ref, ok := c.profiles[m]
			if !ok || ref.profile.GetKind() != statusdv1.ProfileKind_PROFILE_KIND_MIXIN {
				return catalogErr(entry, fmt.Sprintf("mixins: %q is not a mixin of this catalog", m))
			}
		}
		for _, id := range p.GetPresents() {
			if _, ok := c.profiles[id]; !ok {
				return catalogErr(entry, fmt.Sprintf("presents: unknown profile %q", id))
			}
		}
	}
	return nil
}

func (c *Catalog) addProfileKey(entry, key string, p *statusdv1.Profile, legacy bool) error {
	if prev, dup := c.profiles[key]; dup {
		return catalogErr(entry, fmt.Sprintf("identifier %q is already used by profile %q", key, prev.profile.GetId()))
	}
	c.profiles[key] = profileRef{profile: p, legacy: legacy}
	return nil
}

func profileEntry(i int, p *statusdv1.Profile) string {
	return fmt.Sprintf("profiles[%d] (id %q)", i, p.GetId())
}

func statusEntry(i int, s *statusdv1.HttpStatus) string {
	return fmt.Sprintf("statuses[%d] (code %d)", i, s.GetCode())
}

// checkProfile checks what a profile entry must hold on its own.
func checkProfile(entry string, p *statusdv1.Profile) error {
	if p.GetId() == "" {
		return catalogErr(entry, "missing id")
	}
	if p.GetUri() == "" {
		return catalogErr(entry, "missing uri")
	}
	for i, uri := range p.GetLegacyUris() {
		if strings.TrimSpace(uri) == "" {
			return catalogErr(entry, fmt.Sprintf("legacy_uris[%d] is empty", i))
		}
	}
	if p.GetKind() == statusdv1.ProfileKind_PROFILE_KIND_UNSPECIFIED {
		return catalogErr(entry, "missing kind")
	}
	return checkProfileStatuses(entry, p)
}

// checkStatus checks what a status entry must hold on its own.
func checkStatus(entry string, s *statusdv1.HttpStatus) error {
	code := s.GetCode()
	if code < MinStatus || code > MaxStatus {
		return catalogErr(entry, fmt.Sprintf("status is outside %d-%d", MinStatus, MaxStatus))
	}
	if s.GetReason() == "" {
		return catalogErr(entry, "missing reason")
	}
	if want := statusdv1.StatusClass(code / 100); s.GetStatusClass() != want {
		return catalogErr(entry, fmt.Sprintf("status_class is %s, want %s", s.GetStatusClass(), want))
	}
	return nil
}

func checkProfileStatuses(entry string, p *statusdv1.Profile) error {
	for _, o := range p.GetOutcomes() {
		if o.GetMethod() == "" || o.GetMethod() != strings.ToUpper(o.GetMethod()) {
			return catalogErr(entry, fmt.Sprintf("outcomes: method %q must be upper case and not empty", o.GetMethod()))
		}
		for _, s := range o.GetStatuses() {
			if s < MinStatus || s > MaxStatus {
				return catalogErr(entry, fmt.Sprintf("outcomes[%s]: status %d is outside %d-%d", o.GetMethod(), s, MinStatus, MaxStatus))
			}
		}
	}
	for _, e := range p.GetErrors() {
		if e.GetStatus() < 400 || e.GetStatus() > MaxStatus {
			return catalogErr(entry, fmt.Sprintf("errors: status %d is outside 400-%d", e.GetStatus(), MaxStatus))
		}
	}
	for _, hs := range [][]*statusdv1.HeaderRule{p.GetRequestHeaders(), p.GetResponseHeaders()} {
		for _, h := range hs {
			if h.GetName() == "" || h.GetName() != strings.ToLower(h.GetName()) {
				return catalogErr(entry, fmt.Sprintf("headers: name %q must be lower case and not empty", h.GetName()))
			}
		}
	}
	return nil
}

func (c *Catalog) indexStatuses() error {
	for i, s := range c.msg.GetStatuses() {
		code := s.GetCode()
		entry := statusEntry(i, s)
		if err := checkStatus(entry, s); err != nil {
			return err
		}
		if c.statuses[code] != nil {
			return catalogErr(entry, "duplicate status")
		}
		for _, id := range s.GetProfiles() {
			if _, ok := c.profiles[id]; !ok {
				return catalogErr(entry, fmt.Sprintf("profiles: unknown profile %q", id))
			}
		}
		c.statuses[code] = s
	}
	for _, s := range c.statuses {
		if s != nil {
			c.sorted = append(c.sorted, s)
		}
	}
	c.sorted = slices.Clip(c.sorted)
	return nil
}

// CatalogError reports an invalid catalog entry.
type CatalogError struct {
	// Entry names the entry at fault, such as `statuses[3] (code 412)`.
	Entry string
	// Problem says what is wrong with it.
	Problem string
}

func (e *CatalogError) Error() string { return "catalog: " + e.Entry + ": " + e.Problem }

func catalogErr(entry, problem string) error { return &CatalogError{Entry: entry, Problem: problem} }

// UsesStatus reports whether profile p uses status st: the Level 3 status
// table lists it for p (or for all profiles, which pattern roles are not),
// or p's own outcomes or errors name it.
func UsesStatus(p *statusdv1.Profile, st *statusdv1.HttpStatus) bool {
	if st.GetAllProfiles() && p.GetKind() != statusdv1.ProfileKind_PROFILE_KIND_PATTERN_ROLE {
		return true
	}
	if slices.Contains(st.GetProfiles(), p.GetId()) {
		return true
	}
	for _, o := range p.GetOutcomes() {
		if slices.Contains(o.GetStatuses(), st.GetCode()) {
			return true
		}
	}
	for _, e := range p.GetErrors() {
		if e.GetStatus() == st.GetCode() {
			return true
		}
	}
	return false
}
