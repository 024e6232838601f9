package mapping

import "sync/atomic"

// Derived is data another package derives from a catalog for its hot path,
// such as the Level 3 rules' plan of each profile in mapping/conformance:
// built on first use, once per catalog, and kept in the catalog, so that a
// swapped catalog (an overlay reloaded) gets its own and the old one is
// freed with the old catalog.
type Derived[T any] struct {
	build func(*Catalog) T
	// last is the catalog asked last and its value: a server asks about
	// one catalog at a time, so most calls end here, before the catalog's
	// map. It holds that one catalog until another is asked about.
	last atomic.Pointer[derivedEntry[T]]
}

type derivedEntry[T any] struct {
	catalog *Catalog
	value   T
}

// NewDerived returns a Derived that build makes. build must treat the
// catalog as read-only and must not fail; it may run more than once for
// one catalog when first calls race, and one result is kept.
func NewDerived[T any](build func(*Catalog) T) *Derived[T] {
	return &Derived[T]{build: build}
}

// Of returns d's value for c, building it on first use. It does not
// allocate once the value is built.
func (d *Derived[T]) Of(c *Catalog) T {
	if e := d.last.Load(); e != nil && e.catalog == c {
		return e.value
	}
	v, ok := c.derived.Load(d)
	if !ok {
		v, _ = c.derived.LoadOrStore(d, &derivedEntry[T]{catalog: c, value: d.build(c)})
	}
	e := v.(*derivedEntry[T])
	d.last.Store(e)
	return e.value
}
