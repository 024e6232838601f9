package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/header"
)

// RequiredHeaders are the response headers an error always carries from
// the HTTP response it came from to the one it ends as, because a status
// needs them to be acted on (RFC 9110): www-authenticate on 401 (§15.5.2,
// MUST), proxy-authenticate on 407 (§15.5.8, MUST), allow on 405 (§15.5.6,
// MUST), content-range on 416 (§15.5.17, SHOULD), retry-after on 503, 429
// and 413 (§10.2.3, RFC 6585 §4). Upgrade, which a 426 needs, is a
// hop-by-hop field (§7.8): each front end sends its own.
var RequiredHeaders = []string{"Www-Authenticate", "Proxy-Authenticate", "Allow", "Content-Range", "Retry-After"}

// DefaultCarriedHeaders are the optional headers carried unless
// WithCarriedHeaders says otherwise: the current validator of a 412
// (etag), the existing resource of a 409 or a 3xx turned error (location),
// and what a 415 accepts (accept-patch, RFC 5789 §2.2; accept-post).
var DefaultCarriedHeaders = []string{"Etag", "Location", "Accept-Patch", "Accept-Post"}

// notCarried are the fields that describe one message or one connection,
// never the outcome: carrying them would corrupt the response they land in.
var notCarried = []string{"Connection", "Content-Encoding", "Content-Length", "Content-Type", "Keep-Alive",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// Bounds on what an error carries, so that no upstream can make a detail,
// or the response it ends as, grow without limit.
const (
	maxValuesPerHeader = 8
	maxHeaderValue     = 8192 // HttpStatusDetail's own limit on a value
	maxCarried         = 64
)

func checkCarried(name string) error {
	if name == "" || !header.IsToken(name) {
		return fmt.Errorf("gateway: %q is not a header name", name)
	}
	if slices.Contains(notCarried, http.CanonicalHeaderKey(name)) {
		return fmt.Errorf("gateway: %s describes one message or connection and cannot be carried", http.CanonicalHeaderKey(name))
	}
	return nil
}

// carriedList is the required headers followed by the optional ones, in
// canonical form, without repeats.
func carriedList(optional []string) []string {
	out := slices.Clone(RequiredHeaders)
	for _, name := range optional {
		if c := http.CanonicalHeaderKey(name); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Headers converts an http.Header for mapping.Context and the Translator's
// CodeOf and StatusOf (names as given, one entry per value).
func Headers(h http.Header) []*statusdv1.Header {
	n := 0
	for _, values := range h {
		n += len(values)
	}
	if n == 0 {
		return nil
	}
	out := make([]*statusdv1.Header, 0, n)
	for name, values := range h {
		for _, v := range values {
			out = append(out, &statusdv1.Header{Name: name, Value: v})
		}
	}
	return out
}

// headerList converts the fields of h named in names (all but the
// non-carried ones if names is nil) for an HttpStatusDetail, lower-case,
// bounded, dropping values that are not valid field values.
func headerList(h http.Header, names []string) []*statusdv1.Header {
	var out []*statusdv1.Header
	add := func(name string, values []string) {
		if len(values) > maxValuesPerHeader {
			values = values[:maxValuesPerHeader]
		}
		for _, v := range values {
			if len(out) < maxCarried && validValue(v) {
				out = append(out, &statusdv1.Header{Name: strings.ToLower(name), Value: v})
			}
		}
	}
	if names == nil {
		keys := make([]string, 0, len(h))
		for k := range h {
			if checkCarried(k) == nil {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			add(k, h[k])
		}
		return out
	}
	for _, name := range names {
		add(name, h.Values(name))
	}
	return out
}

// validValue reports whether v may be sent as a field value: bounded, no
// CR, LF, NUL or other control characters but tab (RFC 9110 §5.5).
func validValue(v string) bool {
	if len(v) > maxHeaderValue {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// setCarried sets on h the carried headers of an error answered with
// status: for each carried name h does not have yet, the values from the
// error's detail, else from its metadata; retry-after once. Then the
// fields the status cannot go without: a challenge on 401 and 407 (Bearer
// when the error carries none) and allow on 405 from the profiles' methods
// when they list any.
func (t *Translator) setCarried(h http.Header, status int, v errorView) {
	for _, name := range t.carried {
		if len(h.Values(name)) > 0 {
			continue
		}
		n := 0
		for _, dh := range v.detail.GetHeaders() {
			if n < maxValuesPerHeader && strings.EqualFold(dh.GetName(), name) && validValue(dh.GetValue()) {
				h.Add(name, dh.GetValue())
				n++
			}
		}
		if n == 0 {
			for _, mv := range v.meta.Values(name) {
				if n < maxValuesPerHeader && validValue(mv) {
					h.Add(name, mv)
					n++
				}
			}
		}
		if name == "Retry-After" && n > 1 {
			h.Set(name, h.Get(name)) // a single value (RFC 9110 §10.2.3)
		}
	}
	t.setRequired(h, status)
}

// setRequired adds the fields status MUST have when nothing supplied them.
func (t *Translator) setRequired(h http.Header, status int) {
	switch status {
	case http.StatusUnauthorized:
		if h.Get("Www-Authenticate") == "" {
			h.Set("Www-Authenticate", "Bearer")
		}
	case http.StatusProxyAuthRequired:
		if h.Get("Proxy-Authenticate") == "" {
			h.Set("Proxy-Authenticate", "Bearer")
		}
	case http.StatusMethodNotAllowed:
		if len(h.Values("Allow")) == 0 {
			if allow := t.allowed(); allow != "" {
				h.Set("Allow", allow)
			}
		}
	}
}

// allowed lists the methods the profiles always allow, if they list any.
func (t *Translator) allowed() string {
	var methods []string
	for _, p := range t.profiles {
		for _, m := range p.GetMethods() {
			if m = strings.ToUpper(m); !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
	}
	return strings.Join(methods, ", ")
}
