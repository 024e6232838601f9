package mapping

import (
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
)

// The baselines are plain switches, the way connect-go writes its tables
// (connectCodeToHTTP, httpToCode). Each lookup benchmark is compared with
// them in the same run.

var (
	sinkInt  int
	sinkCode statusdv1.Code
	sinkTr   Translation
)

// benchStatuses cycles through every status 100-599 (and a few outside),
// so no single branch is always predicted.
var benchStatuses = func() []int {
	out := make([]int, 0, 512)
	for s := MinStatus; len(out) < 512; s++ {
		if s > MaxStatus {
			s = 0
		}
		out = append(out, s)
	}
	return out
}()

var benchCodes = func() []statusdv1.Code {
	out := make([]statusdv1.Code, 64)
	for i := range out {
		out[i] = statusdv1.Code((i * 7) % numCodes)
	}
	return out
}()

func switchCodeToHTTP(code statusdv1.Code) int {
	switch code {
	case canceled:
		return 499
	case unknown:
		return 500
	case invalidArgument:
		return 400
	case deadlineExceeded:
		return 504
	case notFound:
		return 404
	case alreadyExists:
		return 409
	case permissionDenied:
		return 403
	case resourceExhausted:
		return 429
	case failedPrecondition:
		return 400
	case aborted:
		return 409
	case outOfRange:
		return 400
	case unimplemented:
		return 501
	case internal:
		return 500
	case unavailable:
		return 503
	case dataLoss:
		return 500
	case unauthenticated:
		return 401
	default:
		return 500
	}
}

func switchHTTPToCode(status int) statusdv1.Code {
	switch status {
	case 400:
		return internal
	case 401:
		return unauthenticated
	case 403:
		return permissionDenied
	case 404:
		return unimplemented
	case 429:
		return unavailable
	case 502, 503, 504:
		return unavailable
	default:
		return unknown
	}
}

func BenchmarkCodeToHTTP(b *testing.B) {
	b.Run("switch", func(b *testing.B) {
		n := 0
		for i := 0; b.Loop(); i++ {
			n += switchCodeToHTTP(benchCodes[i&63])
		}
		sinkInt = n
	})
	b.Run("StatusForCode", func(b *testing.B) {
		n := 0
		for i := 0; b.Loop(); i++ {
			n += StatusForCode(statusdv1.Dialect_DIALECT_CONNECT, benchCodes[i&63])
		}
		sinkInt = n
	})
	b.Run("CodeToHTTP", func(b *testing.B) {
		n := 0
		for i := 0; b.Loop(); i++ {
			tr, _ := CodeToHTTP(statusdv1.Dialect_DIALECT_CONNECT, benchCodes[i&63], Context{})
			n += tr.HTTPStatus
		}
		sinkInt = n
	})
}

func BenchmarkHTTPToCode(b *testing.B) {
	b.Run("switch", func(b *testing.B) {
		n := 0
		for i := 0; b.Loop(); i++ {
			n += int(switchHTTPToCode(benchStatuses[i&511]))
		}
		sinkInt = n
	})
	b.Run("CodeForStatus", func(b *testing.B) {
		n := 0
		for i := 0; b.Loop(); i++ {
			n += int(CodeForStatus(statusdv1.Dialect_DIALECT_CONNECT, benchStatuses[i&511]))
		}
		sinkInt = n
	})
	b.Run("HTTPToCode", func(b *testing.B) {
		n := 0
		for i := 0; b.Loop(); i++ {
			tr, _ := HTTPToCode(statusdv1.Dialect_DIALECT_CONNECT, benchStatuses[i&511], Context{})
			n += int(tr.Code)
		}
		sinkInt = n
	})
}

// BenchmarkLevel3Context measures the context-aware dialect with two
// profiles and request headers, the case a gateway hits on every response.
func BenchmarkLevel3Context(b *testing.B) {
	cat := DefaultCatalog()
	data, _, _ := cat.Profile("data")
	entity, _, _ := cat.Profile("entity")
	ctx := Context{
		Method:   "PATCH",
		Profiles: []*statusdv1.Profile{data, entity},
		Headers: []*statusdv1.Header{
			{Name: "Content-Type", Value: "application/merge-patch+json"},
			{Name: "If-Match", Value: `"v7"`},
			{Name: "Prefer", Value: "return=minimal"},
		},
	}
	b.Run("CodeToHTTP", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for i := 0; b.Loop(); i++ {
			tr, _ := CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, benchCodes[i&63], ctx)
			n += tr.HTTPStatus
		}
		sinkInt = n
	})
	b.Run("HTTPToCode", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for i := 0; b.Loop(); i++ {
			tr, _ := HTTPToCode(statusdv1.Dialect_DIALECT_LEVEL3, benchStatuses[i&511], ctx)
			n += int(tr.Code)
		}
		sinkInt = n
	})
}

// TestLookupsDoNotAllocate pins the zero-allocation promise that the
// benchmarks report.
func TestLookupsDoNotAllocate(t *testing.T) {
	cat := DefaultCatalog()
	form, _, _ := cat.Profile("form")
	async, _, _ := cat.Profile("async")
	ctx := Context{Method: "POST", Profiles: []*statusdv1.Profile{form, async},
		Headers: []*statusdv1.Header{{Name: "Prefer", Value: "respond-async; wait=10"}}}
	for name, f := range map[string]func(){
		"StatusForCode":     func() { sinkInt = StatusForCode(statusdv1.Dialect_DIALECT_TWIRP, 9) },
		"CodeForStatus":     func() { sinkCode = CodeForStatus(statusdv1.Dialect_DIALECT_GRPC, 431) },
		"CodeToHTTP level3": func() { sinkTr, _ = CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, 0, ctx) },
		"HTTPToCode level3": func() { sinkTr, _ = HTTPToCode(statusdv1.Dialect_DIALECT_LEVEL3, 403, ctx) },
		"CodeToHTTP level3 405": func() {
			sinkTr, _ = CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_UNIMPLEMENTED, Context{Method: "PATCH", Profiles: ctx.Profiles})
		},
		"CodeToHTTP level3 error": func() {
			sinkTr, _ = CodeToHTTP(statusdv1.Dialect_DIALECT_LEVEL3, statusdv1.Code_CODE_FAILED_PRECONDITION, ctx)
		},
		"HTTPToCode envoy": func() { sinkTr, _ = HTTPToCode(statusdv1.Dialect_DIALECT_ENVOY, 700, Context{}) },
		"CodeToHTTP bad":   func() { sinkTr, _ = CodeToHTTP(statusdv1.Dialect_DIALECT_CONNECT, 17, Context{}) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %.0f times", name, n)
		}
	}
}
