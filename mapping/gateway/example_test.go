package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"connectrpc.com/connect"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/gateway"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
)

// A Connect handler in front of a REST upstream turns the upstream's error
// response into a Connect error that remembers the exact status, and a REST
// front end further on answers with it, problem and all.
func ExampleTranslator_ErrorFromResponse() {
	tr, err := gateway.New(gateway.WithProfiles("data", "entity"))
	if err != nil {
		panic(err)
	}
	upstream := &http.Response{
		StatusCode: http.StatusPreconditionFailed,
		Status:     "412 Precondition Failed",
		Header:     http.Header{"Content-Type": {"application/problem+json"}, "Etag": {`"v8"`}},
		Body: io.NopCloser(strings.NewReader(
			`{"type":"https://example.com/probs/stale","title":"Stale","detail":"order 42 changed since v7","instance":"/orders/42"}`)),
	}
	err = tr.ErrorFromResponse(upstream)
	status, _ := gateway.HTTPStatus(err)
	fmt.Println(connect.CodeOf(err), status)

	w := httptest.NewRecorder()
	tr.WriteError(w, httptest.NewRequest("PUT", "/orders/42", nil), err)
	fmt.Println(w.Code, w.Header().Get("Etag"))
	fmt.Println(w.Body.String())

	// A success is no error, in every dialect.
	fmt.Println(tr.ErrorFromResponse(&http.Response{StatusCode: http.StatusCreated}) == nil)
	// Output:
	// aborted 412
	// 412 "v8"
	// {"type":"https://example.com/probs/stale","title":"Stale","status":412,"detail":"order 42 changed since v7","instance":"/orders/42","code":"aborted"}
	// true
}

// A REST front end answers an RPC error with the status its code means for
// the resource's profiles, as an RFC 9457 problem; grpc-go errors are read
// too.
func ExampleTranslator_WriteError() {
	tr, err := gateway.New(gateway.WithProfiles("form"))
	if err != nil {
		panic(err)
	}
	w := httptest.NewRecorder()
	rpcErr := connect.NewError(connect.CodeFailedPrecondition, errors.New("room 12 is taken"))
	tr.WriteError(w, httptest.NewRequest("POST", "/bookings", nil), rpcErr)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Body.String())

	w = httptest.NewRecorder()
	tr.WriteError(w, nil, grpcstatus.Error(codes.Unauthenticated, "token expired"))
	fmt.Println(w.Code, w.Header().Get("Www-Authenticate"))
	// Output:
	// 403 application/problem+json
	// {"type":"about:blank","title":"Forbidden","status":403,"detail":"room 12 is taken","code":"failed_precondition"}
	// 401 Bearer
}

// Connect handlers get the detail on every error, and their HTTP surface
// speaks the dialect: a curl user sees 403 for a business-rule failure on a
// Form, where the Connect protocol's table says 400.
func ExampleTranslator_Middleware() {
	tr, err := gateway.New(gateway.WithDialect(statusdv1.Dialect_DIALECT_LEVEL3), gateway.WithProfiles("form"))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/bookings.v1.Bookings/Book", connect.NewUnaryHandler("/bookings.v1.Bookings/Book",
		func(ctx context.Context, req *connect.Request[statusdv1.LookupRequest]) (*connect.Response[statusdv1.LookupResponse], error) {
			return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("room 12 is taken"))
		},
		connect.WithInterceptors(tr.Interceptor())))
	handler := tr.Middleware(mux)

	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/bookings.v1.Bookings/Book", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	handler.ServeHTTP(w, req)
	fmt.Println(w.Code)
	// Output:
	// 403
}

// An outbound client whose error responses become Connect errors: a
// handler returns them as they are.
func ExampleTranslator_Transport() {
	tr, err := gateway.New()
	if err != nil {
		panic(err)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer upstream.Close()
	client := &http.Client{Transport: tr.Transport(nil)}
	_, err = client.Get(upstream.URL)
	status, _ := gateway.HTTPStatus(err)
	fmt.Println(connect.CodeOf(err), status)
	// Output:
	// unavailable 503
}

// A grpc-gateway mux whose error responses use the detail the grpc-go
// backend's UnaryServerInterceptor attached.
func ExampleTranslator_ServeMuxOptions() {
	tr, err := gateway.New(gateway.WithProfiles("data"))
	if err != nil {
		panic(err)
	}
	mux := runtime.NewServeMux(tr.ServeMuxOptions()...)
	// What a generated handler does with a backend error:
	backendErr := gateway.WithHTTPStatus(grpcstatus.Error(codes.InvalidArgument, "content-type required"),
		http.StatusPreconditionRequired, nil)
	w := httptest.NewRecorder()
	r := httptest.NewRequest("PATCH", "/v1/orders/7", nil)
	runtime.HTTPError(r.Context(), mux, &runtime.JSONPb{}, w, r, backendErr)
	fmt.Println(w.Code)
	// Output:
	// 428
}

// Profiles per route: one Translator per kind of resource, shared by every
// layer through the request context.
func ExampleNewContext() {
	base, err := gateway.New()
	if err != nil {
		panic(err)
	}
	forms, err := base.ForProfiles("form")
	if err != nil {
		panic(err)
	}
	route := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/bookings") {
				r = r.WithContext(gateway.NewContext(r.Context(), forms))
			}
			next.ServeHTTP(w, r)
		})
	}
	h := route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base.WriteError(w, r, connect.NewError(connect.CodeFailedPrecondition, errors.New("taken")))
	}))
	for _, path := range []string{"/bookings/1", "/reports/1"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", path, nil))
		fmt.Println(path, w.Code)
	}
	// Output:
	// /bookings/1 403
	// /reports/1 400
}
