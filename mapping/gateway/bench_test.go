package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
)

var sinkStatus int

func benchStatusOf(b *testing.B, err error) {
	tr, _ := New(WithProfiles("data", "entity"))
	b.ReportAllocs()
	for b.Loop() {
		sinkStatus = tr.StatusOf(err, "", nil)
	}
}

// The common path: a handler's *connect.Error, no detail yet.
func BenchmarkStatusOfConnect(b *testing.B) {
	benchStatusOf(b, connect.NewError(connect.CodeFailedPrecondition, errors.New("closed")))
}

// An error back from an RPC hop, with its HttpStatusDetail.
func BenchmarkStatusOfDetail(b *testing.B) {
	benchStatusOf(b, rawDetailError(connect.CodeAborted, 412))
}

func BenchmarkStatusOfWrapped(b *testing.B) {
	benchStatusOf(b, fmt.Errorf("call: %w", connect.NewError(connect.CodeNotFound, nil)))
}

func BenchmarkStatusOfGRPC(b *testing.B) {
	benchStatusOf(b, grpcstatus.Error(codes.NotFound, "gone"))
}

// TestStatusOfAllocations pins the allocation-free common path.
func TestStatusOfAllocations(t *testing.T) {
	tr := mustNew(t, WithProfiles("data", "entity"))
	for name, tc := range map[string]struct {
		err  error
		want float64
	}{
		"connect error": {connect.NewError(connect.CodeFailedPrecondition, errors.New("closed")), 0},
		"nil":           {nil, 0},
		"with a detail": {rawDetailError(connect.CodeAborted, 412), 1},
	} {
		if got := testing.AllocsPerRun(100, func() { sinkStatus = tr.StatusOf(tc.err, "", nil) }); got > tc.want {
			t.Errorf("%s: %v allocations, want at most %v", name, got, tc.want)
		}
	}
}

// BenchmarkMiddlewareError measures one Connect unary error response
// through connect-go with the Interceptor, bare and behind Middleware: the
// difference is Middleware's cost per error response.
func BenchmarkMiddlewareError(b *testing.B) {
	tr, _ := New(WithProfiles("data"))
	mux := http.NewServeMux()
	mux.Handle(unaryPath, connect.NewUnaryHandler(unaryPath,
		func(context.Context, *connect.Request[statusdv1.LookupRequest]) (*connect.Response[statusdv1.LookupResponse], error) {
			return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("closed"))
		}, connect.WithInterceptors(tr.Interceptor())))
	for name, h := range map[string]http.Handler{"bare": mux, "middleware": tr.Middleware(mux)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", unaryPath, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 403 && name == "middleware" {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
