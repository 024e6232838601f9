package mapping_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/statusd/statusd/mapping"
)

// TestDerivedOncePerCatalog: a Derived value is built on first use, kept
// for its catalog, and built again for another catalog; asking about two
// catalogs in turn allocates nothing; concurrent first uses agree on one
// value.
func TestDerivedOncePerCatalog(t *testing.T) {
	var builds atomic.Int32
	d := mapping.NewDerived(func(c *mapping.Catalog) *string {
		builds.Add(1)
		s := c.Hash()
		return &s
	})
	def := mapping.DefaultCatalog()
	other, err := mapping.NewCatalog(def.Proto())
	if err != nil {
		t.Fatal(err)
	}
	first := d.Of(def)
	if d.Of(def) != first || builds.Load() != 1 {
		t.Fatalf("second use built again (%d builds)", builds.Load())
	}
	if d.Of(other) == first {
		t.Fatal("another catalog got the first catalog's value")
	}
	if n := testing.AllocsPerRun(100, func() { d.Of(def); d.Of(other) }); n != 0 {
		t.Errorf("alternating catalogs: %v allocations", n)
	}
	fresh, _ := mapping.NewCatalog(def.Proto())
	var wg sync.WaitGroup
	got := make([]*string, 8)
	for i := range got {
		wg.Go(func() { got[i] = d.Of(fresh) })
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatal("concurrent first uses got different values")
		}
	}
}
