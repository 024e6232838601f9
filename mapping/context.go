package mapping

import (
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// Context is what the Level 3 dialect knows about the exchange a status
// answers. Other dialects ignore it. The zero Context means "nothing known".
type Context struct {
	// Method is the request method, such as "PATCH"; matched
	// case-insensitively.
	Method string
	// Profiles are the resource's Level 3 profiles, resolved with
	// Catalog.Profile. A pattern role counts as the profiles it presents.
	Profiles []*statusdv1.Profile
	// Headers are the request headers that matter: if-match,
	// if-unmodified-since, expect, range, prefer, content-type. Names match
	// case-insensitively; a header may repeat.
	Headers []*statusdv1.Header
}

// is reports whether the context's resource is, or presents, profile id.
func (c *Context) is(id string) bool {
	for _, p := range c.Profiles {
		if p.GetId() == id {
			return true
		}
		for _, presented := range p.GetPresents() {
			if presented == id {
				return true
			}
		}
	}
	return false
}

// isAny reports whether the resource is, or presents, one of ids.
func (c *Context) isAny(ids ...string) bool {
	for _, id := range ids {
		if c.is(id) {
			return true
		}
	}
	return false
}

// method reports whether the request method is one of methods.
func (c *Context) method(methods ...string) bool {
	for _, m := range methods {
		if strings.EqualFold(c.Method, m) {
			return true
		}
	}
	return false
}

// hasHeader reports whether the request carries header name.
func (c *Context) hasHeader(name string) bool {
	for _, h := range c.Headers {
		if strings.EqualFold(h.GetName(), name) {
			return true
		}
	}
	return false
}

// hasToken reports whether a list header (every field line named name,
// comma-separated) holds token, comparing case-insensitively and ignoring
// parameters after ';' ("respond-async; wait=10" holds "respond-async").
func (c *Context) hasToken(name, token string) bool {
	for _, h := range c.Headers {
		if !strings.EqualFold(h.GetName(), name) {
			continue
		}
		rest := h.GetValue()
		for rest != "" {
			var item string
			item, rest, _ = strings.Cut(rest, ",")
			item, _, _ = strings.Cut(item, ";")
			if strings.EqualFold(strings.TrimSpace(item), token) {
				return true
			}
		}
	}
	return false
}

// allows reports whether the standalone profiles of the context allow the
// request method; known is false when no profile lists methods (no
// profile, only mixins, or Alias, which takes its target's methods).
func (c *Context) allows() (allowed, known bool) {
	for _, p := range c.Profiles {
		if len(p.GetMethods()) == 0 {
			continue
		}
		known = true
		for _, list := range [][]string{p.GetMethods(), p.GetOptionalMethods()} {
			for _, m := range list {
				if strings.EqualFold(m, c.Method) {
					return true, true
				}
			}
		}
	}
	return false, known
}
