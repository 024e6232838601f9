package mapping

import (
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
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
