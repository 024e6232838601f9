package conformance

import (
	"testing"

	"github.com/statusd/statusd/mapping"
)

// typicalExchange is a conforming GET on a Data resource with Entity, the
// profiles read from the response, with the headers a real server sends.
var typicalExchange = exchange("GET", 200,
	[]string{"accept: application/json", "accept-encoding: gzip", "user-agent: curl/8.5.0", `if-none-match: "v6"`},
	[]string{"profile: <https://level3.rest/profiles/data>, <https://level3.rest/profiles/mixins/entity>",
		"allow: HEAD, GET, PUT, DELETE", "content-type: application/json", `etag: "v7"`,
		"last-modified: Tue, 24 Nov 2026 10:00:00 GMT", "content-length: 512", "date: Wed, 25 Nov 2026 10:00:00 GMT",
		"cache-control: no-cache", "link: </orders>; rel=\"up\""}, 512)

func BenchmarkCheckTypicalExchange(b *testing.B) {
	cat := mapping.DefaultCatalog()
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Check(cat, typicalExchange, nil)
		if err != nil || !rep.Conforms() || len(rep.Findings) != 0 || len(rep.Profiles()) != 2 {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}

// TestTypicalExchangeAllocations pins the allocation budget the benchmark
// reports: none (the checker, its bounded readers and the rules stay on
// the stack).
func TestTypicalExchangeAllocations(t *testing.T) {
	cat := mapping.DefaultCatalog()
	n := testing.AllocsPerRun(200, func() { _, _ = Check(cat, typicalExchange, nil) })
	if n != 0 {
		t.Errorf("Check allocates %.0f times per exchange, want none", n)
	}
}
