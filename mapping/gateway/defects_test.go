package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/loopback"
	"github.com/statusd/statusd/mapping"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"
)

// The tests of this file reproduce the defects of issue 17, one each.

// rawDetailError is an error carrying a detail with any status, as a
// careless or hostile upstream could send.
func rawDetailError(code connect.Code, status int, headers ...*statusdv1.Header) *connect.Error {
	cerr := connect.NewError(code, errors.New("m"))
	cerr.AddDetail(statusDetail(&statusdv1.HttpStatusDetail{HttpStatus: int32(status), Headers: headers}))
	return cerr
}

// Defect 1: an error is never answered with a non-error status, whatever
// its detail says, on any path.
func TestErrorNeverBecomesSuccess(t *testing.T) {
	tr := mustNew(t)
	var status int
	srv := startConnect(t, func(context.Context, *statusdv1.LookupRequest, http.Header) error {
		return rawDetailError(connect.CodeUnknown, status)
	}, tr.Middleware)
	for _, s := range []int{101, 103, 200, 204, 304} {
		status = s
		// NewError with a success status is still an error, answered 500.
		if got := tr.StatusOf(tr.NewError(s, "GET", "x"), "", nil); got != 500 {
			t.Errorf("NewError(%d): status %d", s, got)
		}
		w := httptest.NewRecorder()
		tr.WriteError(w, nil, rawDetailError(connect.CodeUnknown, s))
		if w.Code != 500 {
			t.Errorf("WriteError, detail %d: %d", s, w.Code)
		}
		for name, opts := range map[string][]connect.ClientOption{"json": {connect.WithProtoJSON()}, "binary": nil} {
			_, err := unaryClient(srv, opts...).CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{}))
			if connect.CodeOf(err) != connect.CodeUnknown || err == nil {
				t.Errorf("Middleware, detail %d, %s client: %v", s, name, err)
			}
		}
		resp, body := postJSON(t, srv.URL+unaryPath, `{}`, "")
		if resp.StatusCode != 500 || !strings.Contains(body, `"code":"unknown"`) {
			t.Errorf("Middleware, detail %d: %d %s", s, resp.StatusCode, body)
		}
	}
}

func postJSON(t *testing.T, url, body, accept string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// Defect 2: every 2xx is a success in every dialect; 1xx is an error; 3xx
// is an error unless the dialect calls it an outcome.
func TestErrorFromResponseSuccessInEveryDialect(t *testing.T) {
	for _, d := range mapping.Dialects() {
		tr := mustNew(t, WithDialect(d))
		for status := 100; status <= 599; status++ {
			err := tr.ErrorFromResponse(response(status, "", ""))
			switch {
			case status/100 == 2 && err != nil:
				t.Errorf("%v %d: %v", d, status, err)
			case status/100 == 1 && err == nil:
				t.Errorf("%v %d: no error", d, status)
			case status >= 400 && err == nil:
				t.Errorf("%v %d: no error", d, status)
			case status/100 == 3:
				wantNil := d == statusdv1.Dialect_DIALECT_LEVEL3 && status == 304
				if (err == nil) != wantNil {
					t.Errorf("%v %d: %v", d, status, err)
				}
			}
			if err != nil {
				want := status
				if !errorStatus(status) {
					want = 502
				}
				if got := tr.StatusOf(err, "", nil); got != want {
					t.Errorf("%v %d: answered %d, want %d", d, status, got, want)
				}
			}
		}
	}
}

// Defect 3: a shared error value is never modified, and concurrent first
// use is no race (run with -race).
func TestInterceptorDoesNotMutate(t *testing.T) {
	errConflict := connect.NewError(connect.CodeAborted, errors.New("version clash"))
	tr := mustNew(t, WithProfiles("data", "entity"))
	wrapped := tr.Interceptor().WrapUnary(func(context.Context, connect.AnyRequest) (connect.AnyResponse, error) {
		return nil, errConflict
	})
	call := func(ifMatch string) error {
		req := connect.NewRequest(&statusdv1.LookupRequest{})
		if ifMatch != "" {
			req.Header().Set("If-Match", ifMatch)
		}
		_, err := wrapped(context.Background(), req)
		return err
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if s, _ := HTTPStatus(call(`"v1"`)); s != 412 {
				t.Errorf("with if-match: %d", s)
			}
		})
	}
	wg.Wait()
	if len(errConflict.Details()) != 0 {
		t.Errorf("the shared error got %d details", len(errConflict.Details()))
	}
	err := call("")
	if s, _ := HTTPStatus(err); s != 409 {
		t.Errorf("without if-match after: %d", s)
	}
	if !errors.Is(err, errConflict) && asConnect(err).Message() != "version clash" {
		t.Errorf("copy lost the message: %v", err)
	}
}

// Defect 4: a nil *connect.Error in an error interface is success
// everywhere, and nothing dereferences it.
func TestTypedNil(t *testing.T) {
	tr := mustNew(t)
	var typedNil *connect.Error
	var err error = typedNil
	if got := tr.StatusOf(err, "", nil); got != 200 {
		t.Errorf("StatusOf: %d", got)
	}
	if _, ok := HTTPStatus(err); ok {
		t.Error("HTTPStatus of a typed nil")
	}
	if _, ok := HTTPStatusDetail(fmt.Errorf("w: %w", err)); ok {
		t.Error("HTTPStatusDetail of a wrapped typed nil")
	}
	w := httptest.NewRecorder()
	tr.WriteError(w, nil, err)
	if w.Code != 500 {
		t.Errorf("WriteError: %d", w.Code)
	}
	if WithHTTPStatus(err, 404, nil) != nil {
		t.Error("WithHTTPStatus of a typed nil")
	}
	// ErrorFromResponse returns a plain nil on success.
	if err := tr.ErrorFromResponse(response(200, "", "")); err != nil {
		t.Errorf("ErrorFromResponse: %#v", err)
	}
	// Through a server: the handler's typed nil is a success.
	mux := http.NewServeMux()
	mux.Handle(unaryPath, connect.NewUnaryHandler(unaryPath,
		func(context.Context, *connect.Request[statusdv1.LookupRequest]) (*connect.Response[statusdv1.LookupResponse], error) {
			return connect.NewResponse(&statusdv1.LookupResponse{}), typedNil
		}, connect.WithInterceptors(tr.Interceptor())))
	srv := loopback.Serve(t, mux)
	for name, opts := range protocols {
		if _, err := unaryClient(srv, opts...).CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{})); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A typed nil with no response is an internal error, not a crash.
	wrapped := tr.Interceptor().WrapUnary(func(context.Context, connect.AnyRequest) (connect.AnyResponse, error) {
		return nil, typedNil
	})
	if _, err := wrapped(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{})); connect.CodeOf(err) != connect.CodeInternal {
		t.Errorf("no response, typed nil: %v", err)
	}
}

// Defect 5: grpc-go status errors are read, details included.
func TestGRPCStatusErrors(t *testing.T) {
	tr := mustNew(t)
	if got := tr.StatusOf(grpcstatus.Error(codes.Unauthenticated, "who?"), "", nil); got != 401 {
		t.Errorf("Unauthenticated: %d", got)
	}
	a, _ := anypb.New(&statusdv1.HttpStatusDetail{HttpStatus: 407})
	st := grpcstatus.New(codes.Unauthenticated, "proxy").Proto()
	st.Details = append(st.Details, a)
	gerr := grpcstatus.ErrorProto(st)
	if got := tr.StatusOf(fmt.Errorf("wrapped: %w", gerr), "", nil); got != 407 {
		t.Errorf("407 detail: %d", got)
	}
	w := httptest.NewRecorder()
	tr.WriteError(w, nil, gerr)
	var p problemDoc
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != 407 || p.Code != "unauthenticated" || p.Detail != "proxy" || w.Header().Get("Proxy-Authenticate") == "" {
		t.Errorf("WriteError: %d %+v %v", w.Code, p, w.Header())
	}
	// Through the Connect interceptor: the code and detail survive.
	srv := startConnect(t, func(context.Context, *statusdv1.LookupRequest, http.Header) error {
		return gerr
	}, nil, connect.WithInterceptors(tr.Interceptor()))
	_, err := unaryClient(srv).CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{}))
	if s, _ := HTTPStatus(err); connect.CodeOf(err) != connect.CodeUnauthenticated || s != 407 {
		t.Errorf("interceptor: %v %d", err, s)
	}
}

// Defect 6: the Middleware's Connect answer carries the detail's headers.
func TestMiddlewareCarriesHeaders(t *testing.T) {
	tr := mustNew(t)
	cases := []struct {
		status  int
		headers http.Header
	}{
		{401, http.Header{"Www-Authenticate": {`Basic realm="orders"`}}},
		{407, http.Header{"Proxy-Authenticate": {`Basic realm="proxy"`}}},
		{405, http.Header{"Allow": {"GET, HEAD"}}},
		{416, http.Header{"Content-Range": {"bytes */1000"}}},
		{503, http.Header{"Retry-After": {"120"}}},
		{412, http.Header{"Etag": {`"v2"`}}},
		{409, http.Header{"Location": {"/orders/7"}}},
	}
	var i int
	srv := startConnect(t, func(context.Context, *statusdv1.LookupRequest, http.Header) error {
		c := cases[i]
		return WithHTTPStatus(connect.NewError(tr.CodeForStatus(c.status, "", nil), errors.New("m")), c.status, c.headers)
	}, tr.Middleware)
	for i = range cases {
		c := cases[i]
		resp, body := postJSON(t, srv.URL+unaryPath, `{}`, "")
		if resp.StatusCode != c.status {
			t.Errorf("%d: answered %d %s", c.status, resp.StatusCode, body)
		}
		for name, values := range c.headers {
			if got := resp.Header.Values(name); len(got) != 1 || got[0] != values[0] {
				t.Errorf("%d: %s %q, want %q", c.status, name, got, values)
			}
		}
	}
	// The optional list is configurable; framing fields are refused.
	noETag := mustNew(t, WithCarriedHeaders("Link"))
	w := httptest.NewRecorder()
	noETag.WriteError(w, nil, WithHTTPStatus(connect.NewError(connect.CodeAborted, nil), 412,
		http.Header{"Etag": {`"v2"`}, "Link": {"</a>; rel=x"}, "Retry-After": {"3"}}))
	if w.Header().Get("Etag") != "" || w.Header().Get("Link") == "" || w.Header().Get("Retry-After") != "3" {
		t.Errorf("WithCarriedHeaders(Link): %v", w.Header())
	}
	for _, bad := range []string{"Content-Length", "transfer-encoding", "Connection", "a b", ""} {
		if _, err := New(WithCarriedHeaders(bad)); err == nil {
			t.Errorf("WithCarriedHeaders(%q) accepted", bad)
		}
	}
	// A value that is not a field value is not sent.
	w = httptest.NewRecorder()
	tr.WriteError(w, nil, rawDetailError(connect.CodeUnavailable, 503, &statusdv1.Header{Name: "retry-after", Value: "1\r\nSet-Cookie: a=b"}))
	if len(w.Header().Values("Retry-After")) != 0 {
		t.Errorf("CRLF value sent: %q", w.Header().Values("Retry-After"))
	}
}

// Defect 7: under profile data, an unimplemented RPC is the same status
// with Middleware alone and with the Interceptor.
func TestMiddlewareAgreesWithInterceptor(t *testing.T) {
	tr := mustNew(t, WithProfiles("data"))
	handler := func(context.Context, *statusdv1.LookupRequest, http.Header) error {
		return connect.NewError(connect.CodeUnimplemented, errors.New("not yet"))
	}
	alone := startConnect(t, handler, tr.Middleware)
	both := startConnect(t, handler, tr.Middleware, connect.WithInterceptors(tr.Interceptor()))
	r1, _ := postJSON(t, alone.URL+unaryPath, `{}`, "")
	r2, _ := postJSON(t, both.URL+unaryPath, `{}`, "")
	if r1.StatusCode != r2.StatusCode || r1.StatusCode != 501 {
		t.Errorf("Middleware alone %d, with Interceptor %d; want 501", r1.StatusCode, r2.StatusCode)
	}
}

// Defect 8: problem+json keeps the backend's problem, titles every status,
// leaks no Go error string, honours q-values and sends retry-after once.
func TestProblemDetails(t *testing.T) {
	tr := mustNew(t)
	upstream := response(409, "application/problem+json",
		`{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","status":409,`+
			`"detail":"Your current balance is 30, but that costs 50.","instance":"/account/12345/msgs/abc","balance":30,"accounts":["/account/12345"]}`)
	err := tr.ErrorFromResponse(upstream)
	// Across a Connect hop.
	srv := startConnect(t, func(context.Context, *statusdv1.LookupRequest, http.Header) error { return err }, nil)
	_, err = unaryClient(srv).CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{}))
	w := httptest.NewRecorder()
	tr.WriteError(w, nil, err)
	var got map[string]any
	if jerr := json.Unmarshal(w.Body.Bytes(), &got); jerr != nil {
		t.Fatal(jerr)
	}
	want := map[string]any{"type": "https://example.com/probs/out-of-credit", "title": "You do not have enough credit.",
		"status": 409.0, "detail": "Your current balance is 30, but that costs 50.", "instance": "/account/12345/msgs/abc",
		"balance": 30.0, "accounts": []any{"/account/12345"}, "code": "aborted"}
	if fmt.Sprint(got) != fmt.Sprint(want) || w.Code != 409 {
		t.Errorf("problem %d\n got %v\nwant %v", w.Code, got, want)
	}
	// Titles.
	for status, title := range map[int]string{499: "Client Closed Request", 520: "Server Error", 599: "Server Error",
		418: "I'm a teapot", 404: "Not Found", 460: "Client Error"} {
		if got := tr.title(status); got != title {
			t.Errorf("title(%d) = %q, want %q", status, got, title)
		}
	}
	for status := 100; status <= 599; status++ {
		if tr.title(status) == "" || strings.HasPrefix(tr.title(status), "(") {
			t.Errorf("title(%d) = %q", status, tr.title(status))
		}
	}
	// No Go error string, and a redaction hook for the rest.
	goErr := fmt.Errorf("query orders: dial tcp 10.1.2.3:5432: connection refused")
	w = httptest.NewRecorder()
	tr.WriteError(w, nil, connect.NewError(connect.CodeUnknown, nil))
	tr.WriteError(httptest.NewRecorder(), nil, goErr)
	w = httptest.NewRecorder()
	tr.WriteError(w, nil, goErr)
	if strings.Contains(w.Body.String(), "10.1.2.3") {
		t.Errorf("Go error string leaked: %s", w.Body)
	}
	redacting := mustNew(t, WithRedaction(func(err error, status int) string { return fmt.Sprintf("internal error (%d)", status) }))
	w = httptest.NewRecorder()
	redacting.WriteError(w, nil, connect.NewError(connect.CodeInternal, goErr))
	if strings.Contains(w.Body.String(), "10.1.2.3") || !strings.Contains(w.Body.String(), `"detail":"internal error (500)"`) {
		t.Errorf("redaction: %s", w.Body)
	}
	w = httptest.NewRecorder()
	redacting.WriteError(w, nil, connect.NewError(connect.CodeNotFound, errors.New("order 7")))
	if !strings.Contains(w.Body.String(), `"detail":"order 7"`) {
		t.Errorf("4xx redacted: %s", w.Body)
	}
	// Retry-After once, from the detail or else the metadata.
	both := WithHTTPStatus(connect.NewError(connect.CodeUnavailable, nil), 503, http.Header{"Retry-After": {"5", "6"}})
	asConnect(both).Meta().Set("Retry-After", "7")
	w = httptest.NewRecorder()
	tr.WriteError(w, nil, both)
	if got := w.Header().Values("Retry-After"); len(got) != 1 || got[0] != "5" {
		t.Errorf("retry-after %q", got)
	}
}

func TestWantsProblem(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                         false,
		"application/problem+json": true,
		"application/json;q=0, application/problem+json":         true,
		"application/problem+json, application/json":             false,
		"application/problem+json;q=0.9, application/json;q=0.8": true,
		"application/problem+json;q=0.8, application/json":       false,
		"application/problem+json;q=0":                           false,
		"*/*":                                                    false,
		"application/*;q=0.5, application/problem+json":          true,
		"application/problem+json;q=2":                           false,
		"application/problem+json;q=0.1234":                      false,
		"application/problem+json;q=1.000":                       true,
		"APPLICATION/PROBLEM+JSON; Q=0.5":                        true,
		"text/html, application/problem+json;q=0.1":              true,
	} {
		if got := wantsProblem([]string{accept}); got != want {
			t.Errorf("%q: %v, want %v", accept, got, want)
		}
	}
}

func FuzzWantsProblem(f *testing.F) {
	for _, s := range []string{"application/problem+json;q=0.5, application/json;q=0.4", "*/*;q=0", ";;,,q=", "a/b;q=1."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		got := wantsProblem([]string{accept})
		// Adding application/json at full quality never makes problem win.
		if wantsProblem([]string{accept, "application/json"}) && !got {
			t.Errorf("%q: adding application/json chose problem", accept)
		}
	})
}

// Defect 9: a REST handler's JSON error behind Middleware is not a Connect
// error, even if it has a "code" member.
func TestMiddlewareLeavesRESTErrors(t *testing.T) {
	tr := mustNew(t)
	srv := httptest.NewServer(tr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"code":"not_found","message":"field x"}`))
	})))
	defer srv.Close()
	resp, body := postJSON(t, srv.URL, `{}`, "")
	if resp.StatusCode != 400 || body != `{"code":"not_found","message":"field x"}` {
		t.Errorf("REST error rewritten: %d %s", resp.StatusCode, body)
	}
}
