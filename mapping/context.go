package mapping

import (
	"slices"
	"strings"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/header"
)

// Context is what the Level 3 dialect knows about the exchange a status
// answers. Other dialects ignore it. The zero Context means "nothing known".
//
// What the request carries is three-valued: a header is present (it is in
// Headers), absent (it is named in Absent, or HeadersComplete is set), or
// not said. A catalog rule that needs a header's absence, such as Data's
// 428 for a PATCH without content-type, applies only when the header is
// known to be absent.
type Context struct {
	// Method is the request method, such as "PATCH"; matched
	// case-insensitively. Empty: not said, and rules for any method apply.
	Method string
	// Profiles are the resource's Level 3 profiles, resolved with
	// Catalog.Profile. A pattern role counts as the profiles it presents.
	Profiles []*statusdv1.Profile
	// Headers are request headers the request carries, such as if-match,
	// expect, range, prefer or content-type. Names match
	// case-insensitively; a header may repeat.
	Headers []*statusdv1.Header
	// Absent names headers the request is known not to carry.
	Absent []string
	// HeadersComplete says that Headers are all the request's headers, so
	// that any other header is absent (a validator or a gateway that holds
	// the whole request sets it).
	HeadersComplete bool
	// Catalog is the catalog Profiles come from: it resolves the profiles
	// a pattern role presents and supplies the status entries rationales
	// cite. Nil means DefaultCatalog().
	Catalog *Catalog
}

// catalog returns the catalog the context's answers come from.
func (c *Context) catalog() *Catalog {
	if c.Catalog != nil {
		return c.Catalog
	}
	return DefaultCatalog()
}

// eachProfile calls f with every profile of the context and every profile
// a pattern role of it presents, until f returns false.
func (c *Context) eachProfile(f func(*statusdv1.Profile) bool) {
	cat := c.catalog()
	for _, p := range c.Profiles {
		if !f(p) {
			return
		}
		for _, id := range p.GetPresents() {
			if q, _, ok := cat.Profile(id); ok && !f(q) {
				return
			}
		}
	}
}

// method reports whether the request method is m, case-insensitively as
// Context says; the exact comparison first is the common case and costs far
// less than EqualFold.
func (c *Context) method(m string) bool { return c.Method == m || strings.EqualFold(c.Method, m) }

// anyMethod reports whether every per-method rule of profile p applies to
// the request: the method is not said, or p does not serve it at all (a
// gateway in front of an RPC sees POST on every resource), so p's
// per-method rules cannot tell it apart. A mixin serves what its profile
// serves, so for a mixin only an unsaid method counts. Callers compute it
// once per profile.
func (c *Context) anyMethod(p *statusdv1.Profile) bool {
	return c.Method == "" || len(p.GetMethods()) > 0 && !c.serves(p)
}

// listed reports whether a rule limited to methods (none: every method)
// names the request method.
func (c *Context) listed(methods []string) bool {
	if len(methods) == 0 {
		return true
	}
	for _, m := range methods {
		if c.method(m) {
			return true
		}
	}
	return false
}

// serves reports whether p lists the request method among its methods.
func (c *Context) serves(p *statusdv1.Profile) bool {
	for _, m := range p.GetMethods() {
		if c.method(m) {
			return true
		}
	}
	for _, m := range p.GetOptionalMethods() {
		if c.method(m) {
			return true
		}
	}
	return false
}

// has reports whether the request is known to meet a catalog condition
// ("range", "prefer: respond-async").
func (c *Context) has(cond string) bool {
	return header.ParseCondition(cond).MetBy(c.Headers)
}

// lacks reports whether the request is known not to meet a condition: it
// does not carry it, and the caller said the header is absent.
func (c *Context) lacks(cond string) bool {
	hc := header.ParseCondition(cond)
	if hc.MetBy(c.Headers) {
		return false
	}
	if c.HeadersComplete {
		return true
	}
	for _, name := range c.Absent {
		if strings.EqualFold(strings.TrimSpace(name), hc.Name) {
			return true
		}
	}
	return false
}

// meets reports whether the request is known to meet a rule's conditions:
// it carries one of has (if any) and lacks every one of lacks.
func (c *Context) meets(has, lacks []string) bool {
	if len(has) > 0 && !slices.ContainsFunc(has, c.has) {
		return false
	}
	for _, cond := range lacks {
		if !c.lacks(cond) {
			return false
		}
	}
	return true
}

// allows reports whether the standalone profiles of the context (and those
// its pattern roles present) allow the request method; known is false when
// no profile lists methods (no profile, only mixins, or Alias, which takes
// its target's methods).
func (c *Context) allows() (allowed, known bool) {
	c.eachProfile(func(p *statusdv1.Profile) bool {
		if len(p.GetMethods()) == 0 {
			return true
		}
		known = true
		allowed = c.serves(p)
		return !allowed
	})
	return allowed, known
}
