package gateway

import (
	"context"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	grpcstatus "google.golang.org/grpc/status"
)

// GatewayErrorHandler is a grpc-gateway error handler
// (runtime.WithErrorHandler) that answers with the status StatusOfRequest
// gives for the REST request: the HttpStatusDetail's status when the gRPC
// backend's error carries one (UnaryServerInterceptor attaches it), else the
// code's status in the dialect (of the Translator in the request's context,
// else t) for the request's method and headers, where grpc-gateway's own
// table ignores both. The body stays grpc-gateway's (the status message,
// through the mux's marshaler and response rewriter), or is an RFC 9457
// problem when the Accept header prefers one; the carried headers are sent
// (a 401's www-authenticate is the backend's challenge, not the error
// message grpc-gateway would put there).
func (t *Translator) GatewayErrorHandler(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if _, _, isErr := classify(err); !isErr {
		err = grpcstatus.Error(codes.Unknown, "gateway: error handler called without an error")
	}
	t = t.in(ctx)
	var method string
	var headers []*statusdv1.Header
	if r != nil {
		method, headers = r.Method, Headers(r.Header)
		if wantsProblem(r.Header.Values("Accept")) {
			t.writeProblem(w, t.StatusOf(err, method, headers), err, inspect(err))
			return
		}
	}
	status := t.StatusOf(err, method, headers)
	v := inspect(err)
	if message := t.clientMessage(err, v, status); message != v.message || asConnect(err) != nil {
		// grpc-gateway reads grpc-go statuses only: give it one, with the
		// message the client may see.
		p := grpcstatus.New(grpcCode(v.code), message).Proto()
		if cerr := asConnect(err); cerr != nil {
			for _, d := range cerr.Details() {
				p.Details = append(p.Details, detailAny(d))
			}
		} else {
			p.Details = grpcDetails(err)
		}
		err = grpcstatus.ErrorProto(p)
	}
	hw := &headerWriter{ResponseWriter: w, fix: func(h http.Header) {
		h.Del("Www-Authenticate")
		t.setCarried(h, status, v)
	}}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, hw, r, &runtime.HTTPStatusError{HTTPStatus: status, Err: err})
}

// ServeMuxOptions returns the grpc-gateway mux options that make the round
// trip exact: GatewayErrorHandler, and the REST method forwarded to the
// backend in metadata, so that UnaryServerInterceptor computes the status
// for the same method and headers as the error handler.
func (t *Translator) ServeMuxOptions() []runtime.ServeMuxOption {
	return []runtime.ServeMuxOption{
		runtime.WithErrorHandler(t.GatewayErrorHandler),
		runtime.WithMetadata(func(_ context.Context, r *http.Request) metadata.MD {
			return metadata.Pairs(methodMetadata, r.Method)
		}),
	}
}

// headerWriter fixes the response headers just before they are sent.
type headerWriter struct {
	http.ResponseWriter
	fix   func(http.Header)
	fixed bool
}

func (h *headerWriter) WriteHeader(status int) {
	if !h.fixed {
		h.fixed = true
		h.fix(h.Header())
	}
	h.ResponseWriter.WriteHeader(status)
}

func (h *headerWriter) Write(p []byte) (int, error) {
	if !h.fixed {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (h *headerWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }
