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
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping/gateway"
)

// A Connect handler in front of a REST upstream turns the upstream's error
// response into a Connect error that remembers the exact status.
func ExampleTranslator_ErrorFromResponse() {
	tr, err := gateway.New(gateway.WithProfiles("data", "entity"))
	if err != nil {
		panic(err)
	}
	upstream := &http.Response{
		StatusCode: http.StatusPreconditionFailed,
		Status:     "412 Precondition Failed",
		Header:     http.Header{"Content-Type": {"application/problem+json"}},
		Body:       io.NopCloser(strings.NewReader(`{"title":"Stale","detail":"order 42 changed since v7"}`)),
	}
	err = tr.ErrorFromResponse(upstream)
	status, _ := gateway.HTTPStatus(err)
	fmt.Println(connect.CodeOf(err), status)
	fmt.Println(err)
	// Output:
	// aborted 412
	// aborted: order 42 changed since v7
}

// A REST front end answers an RPC error with the status its code means for
// the resource's profiles, as an RFC 9457 problem.
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
	// Output:
	// 403 application/problem+json
	// {"type":"about:blank","title":"Forbidden","status":403,"detail":"room 12 is taken","code":"failed_precondition"}
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
