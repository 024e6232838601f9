package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/loopback"
	"github.com/statusd/statusd/mapping"
)

// The test service has one unary and one server-streaming procedure, both
// taking a LookupRequest. Its behaviour is set per test.
const (
	unaryPath  = "/test.v1.Test/Unary"
	streamPath = "/test.v1.Test/Stream"
)

type handlerFunc func(ctx context.Context, req *statusdv1.LookupRequest, header http.Header) error

// startConnect serves the test procedures on a loopback port with HTTP/1.1
// and h2c. wrap, if set, wraps the whole mux (for Middleware).
func startConnect(t *testing.T, h handlerFunc, wrap func(http.Handler) http.Handler, opts ...connect.HandlerOption) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(unaryPath, connect.NewUnaryHandler(unaryPath,
		func(ctx context.Context, req *connect.Request[statusdv1.LookupRequest]) (*connect.Response[statusdv1.LookupResponse], error) {
			if err := h(ctx, req.Msg, req.Header()); err != nil {
				return nil, err
			}
			return connect.NewResponse(&statusdv1.LookupResponse{HttpStatus: 200}), nil
		}, opts...))
	mux.Handle(streamPath, connect.NewServerStreamHandler(streamPath,
		func(ctx context.Context, req *connect.Request[statusdv1.LookupRequest], stream *connect.ServerStream[statusdv1.LookupResponse]) error {
			if err := stream.Send(&statusdv1.LookupResponse{HttpStatus: 100}); err != nil {
				return err
			}
			return h(ctx, req.Msg, req.Header())
		}, opts...))
	var handler http.Handler = mux
	if wrap != nil {
		handler = wrap(mux)
	}
	return loopback.Serve(t, handler)
}

var h2c = loopback.H2CClient

// protocols are the three wire protocols with connect-go clients.
var protocols = map[string][]connect.ClientOption{
	"connect":  nil,
	"grpc":     {connect.WithGRPC()},
	"grpc-web": {connect.WithGRPCWeb()},
}

func unaryClient(srv *httptest.Server, opts ...connect.ClientOption) *connect.Client[statusdv1.LookupRequest, statusdv1.LookupResponse] {
	return connect.NewClient[statusdv1.LookupRequest, statusdv1.LookupResponse](h2c(), srv.URL+unaryPath, opts...)
}

func mustNew(t *testing.T, opts ...Option) *Translator {
	t.Helper()
	tr, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestRoundTripEveryErrorStatus: HTTP status → Connect error (with detail)
// → HTTP status is the identity for every status 400-599, over Connect,
// gRPC and gRPC-Web.
func TestRoundTripEveryErrorStatus(t *testing.T) {
	tr := mustNew(t)
	srv := startConnect(t, func(_ context.Context, req *statusdv1.LookupRequest, _ http.Header) error {
		return tr.NewError(int(req.GetHttpStatus()), "", "upstream said no")
	}, nil)
	for name, opts := range protocols {
		client := unaryClient(srv, opts...)
		for status := 400; status <= 599; status++ {
			req := &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: int32(status)}}
			_, err := client.CallUnary(context.Background(), connect.NewRequest(req))
			if got := tr.StatusOf(err, "", nil); got != status {
				t.Errorf("%s: HTTP %d came back as %d (%v)", name, status, got, err)
			}
			if want := tr.CodeForStatus(status, "", nil); connect.CodeOf(err) != want {
				t.Errorf("%s: HTTP %d: code %v, want %v", name, status, connect.CodeOf(err), want)
			}
		}
	}
}

// TestGatewayChain follows a REST upstream's error through a Connect hop to a
// REST front end: the front end answers with the upstream's exact status,
// message and retry headers.
func TestGatewayChain(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.Header().Set("Content-Type", "application/problem+json")
		if status == 503 || status == 429 {
			w.Header().Set("Retry-After", "7")
		}
		if status == 401 {
			w.Header().Set("WWW-Authenticate", `Basic realm="orders"`)
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"type":"about:blank","title":"t","status":%d,"detail":"order 42: status %d"}`, status, status)
	}))
	defer upstream.Close()

	tr := mustNew(t, WithProfiles("data", "entity"))
	// The Connect service proxies to the REST upstream.
	backend := startConnect(t, func(ctx context.Context, req *statusdv1.LookupRequest, _ http.Header) error {
		resp, err := http.Get(fmt.Sprintf("%s/?status=%d", upstream.URL, req.GetHttpStatus()))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return tr.ErrorFromResponse(resp)
	}, nil)
	for name, opts := range protocols {
		client := unaryClient(backend, opts...)
		// The REST front end calls the Connect service.
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, _ := strconv.Atoi(r.URL.Query().Get("status"))
			req := &statusdv1.LookupRequest{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: int32(status)}}
			if _, err := client.CallUnary(r.Context(), connect.NewRequest(req)); err != nil {
				tr.WriteError(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		for _, status := range []int{401, 403, 404, 409, 412, 422, 428, 429, 500, 503} {
			resp, err := http.Get(fmt.Sprintf("%s/?status=%d", front.URL, status))
			if err != nil {
				t.Fatal(err)
			}
			var p problemDoc
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("%s %d: %v: %s", name, status, err, body)
			}
			if resp.StatusCode != status || p.Status != status || p.Detail != fmt.Sprintf("order 42: status %d", status) {
				t.Errorf("%s: upstream %d reached the front end as %d %+v", name, status, resp.StatusCode, p)
			}
			if resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %d: content-type %q", name, status, resp.Header.Get("Content-Type"))
			}
			if (status == 503 || status == 429) && resp.Header.Get("Retry-After") != "7" {
				t.Errorf("%s %d: retry-after %q", name, status, resp.Header.Get("Retry-After"))
			}
			if status == 401 && resp.Header.Get("WWW-Authenticate") != `Basic realm="orders"` {
				t.Errorf("%s 401: www-authenticate %q", name, resp.Header.Get("WWW-Authenticate"))
			}
		}
		front.Close()
	}
}

func response(status int, contentType, body string) *http.Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestErrorFromResponse(t *testing.T) {
	tr := mustNew(t)
	for _, tc := range []struct {
		name    string
		resp    *http.Response
		code    connect.Code
		message string
	}{
		{"problem detail", response(422, "application/problem+json", `{"title":"Bad","detail":"name is empty"}`), connect.CodeInvalidArgument, "name is empty"},
		{"problem title", response(409, "application/problem+json; charset=utf-8", `{"title":"Version clash"}`), connect.CodeAborted, "Version clash"},
		{"broken problem", response(409, "application/problem+json", `{"title":`), connect.CodeAborted, "409 Conflict"},
		{"connect error body", response(400, "application/json", `{"code":"out_of_range","message":"page 9 of 3"}`), connect.CodeOutOfRange, "page 9 of 3"},
		{"connect body with bad code", response(400, "application/json", `{"code":"teapot","message":"m"}`), connect.CodeInvalidArgument, "m"},
		{"REST body with a code name", response(400, "application/json", `{"code":"not_found","message":"no such field"}`), connect.CodeInvalidArgument, "no such field"},
		{"grpc-gateway body", response(404, "application/json", `{"code":5,"message":"order 7 not found","details":[]}`), connect.CodeNotFound, "order 7 not found"},
		{"grpc-gateway body, other status", response(400, "application/json", `{"code":5,"message":"m"}`), connect.CodeInvalidArgument, "m"},
		{"AIP-193 body", response(409, "application/json", `{"error":{"code":409,"message":"etag mismatch","status":"ABORTED"}}`), connect.CodeAborted, "etag mismatch"},
		{"AIP-193 body, other status", response(403, "application/json", `{"error":{"code":403,"message":"no","status":"NOT_FOUND"}}`), connect.CodePermissionDenied, "no"},
		{"json that is not an error", response(404, "application/json", `[1,2]`), connect.CodeNotFound, "404 Not Found"},
		{"text", response(503, "text/plain", "  maintenance until 3pm\n"), connect.CodeUnavailable, "maintenance until 3pm"},
		{"multi-line text", response(503, "text/plain", "a\nb"), connect.CodeUnavailable, "503 Service Unavailable"},
		{"html", response(502, "text/html", "<h1>Bad Gateway</h1>"), connect.CodeUnavailable, "502 Bad Gateway"},
		{"bad content-type", response(500, "%%%", "x"), connect.CodeInternal, "500 Internal Server Error"},
		{"no body", &http.Response{StatusCode: 429, Header: http.Header{}}, connect.CodeResourceExhausted, "429 Too Many Requests"},
	} {
		cerr := asConnect(tr.ErrorFromResponse(tc.resp))
		if cerr == nil {
			t.Errorf("%s: nil error", tc.name)
			continue
		}
		if cerr.Code() != tc.code || cerr.Message() != tc.message {
			t.Errorf("%s: %v %q, want %v %q", tc.name, cerr.Code(), cerr.Message(), tc.code, tc.message)
		}
		if s, ok := HTTPStatus(cerr); !ok || s != tc.resp.StatusCode {
			t.Errorf("%s: detail %d %v", tc.name, s, ok)
		}
	}

	// Success and Level 3 redirects are no errors.
	if err := tr.ErrorFromResponse(response(201, "", "")); err != nil {
		t.Errorf("201: %v", err)
	}
	action := mustNew(t, WithProfiles("action"))
	if err := action.ErrorFromResponse(response(303, "", "")); err != nil {
		t.Errorf("Action 303: %v", err)
	}
	if err := tr.ErrorFromResponse(response(303, "", "")); err == nil || connect.CodeOf(err) != connect.CodeUnknown {
		t.Errorf("303 outside Action: %v", err)
	}

	// The request's method and headers are context: Level 3 maps 403 on a
	// Form to failed_precondition.
	form := mustNew(t, WithProfiles("form"))
	resp := response(403, "", "")
	resp.Request = httptest.NewRequest("POST", "/orders", nil)
	if err := form.ErrorFromResponse(resp); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Errorf("Form 403: %v", connect.CodeOf(err))
	}

	// A Connect upstream's details survive, and the body read is bounded.
	detail, _ := connect.NewErrorDetail(&statusdv1.HttpStatusDetail{HttpStatus: 418})
	body := fmt.Sprintf(`{"code":"aborted","message":"m","details":[{"type":%q,"value":%q},{"type":"x","value":"!!"}]}`,
		detail.Type(), encodeDetail(t, detail))
	cerr := asConnect(tr.ErrorFromResponse(response(409, "application/json", body)))
	if s, _ := HTTPStatus(cerr); s != 418 || len(cerr.Details()) != 1 {
		t.Errorf("upstream detail: status %d, %d details", s, len(cerr.Details()))
	}
	big := response(500, "text/plain", strings.Repeat("x", 3*maxErrorBody))
	if cerr := asConnect(tr.ErrorFromResponse(big)); cerr.Message() != "500 Internal Server Error" {
		t.Errorf("big body: %q", cerr.Message())
	}
	if rest, _ := io.ReadAll(big.Body); len(rest) != 2*maxErrorBody {
		t.Errorf("read %d bytes of the body, want %d", 3*maxErrorBody-len(rest), maxErrorBody)
	}
}

func encodeDetail(t *testing.T, d *connect.ErrorDetail) string {
	// connect-go's own JSON error encoding, read back from a real response.
	w := httptest.NewRecorder()
	cerr := connect.NewError(connect.CodeAborted, errors.New("m"))
	cerr.AddDetail(d)
	if err := connect.NewErrorWriter().Write(w, httptest.NewRequest("POST", "/x", nil), cerr); err != nil {
		t.Fatal(err)
	}
	var wire struct {
		Details []struct{ Value string } `json:"details"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &wire); err != nil || len(wire.Details) != 1 {
		t.Fatalf("%v: %s", err, w.Body.String())
	}
	return wire.Details[0].Value
}

func TestWriteError(t *testing.T) {
	tr := mustNew(t, WithProfiles("form"))
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		auth   string
	}{
		{"business rule on Form", connect.NewError(connect.CodeFailedPrecondition, errors.New("room taken")), 403, "failed_precondition", ""},
		{"detail wins", WithHTTPStatus(connect.NewError(connect.CodeInvalidArgument, errors.New("x")), 422, nil), 422, "invalid_argument", ""},
		{"401 gets a challenge", connect.NewError(connect.CodeUnauthenticated, errors.New("who?")), 401, "unauthenticated", "Bearer"},
		{"plain error", errors.New("boom: dial tcp 10.0.0.7:5432"), 500, "unknown", ""},
		{"nil error", nil, 500, "unknown", ""},
	} {
		w := httptest.NewRecorder()
		tr.WriteError(w, httptest.NewRequest("POST", "/rooms", nil), tc.err)
		var p problemDoc
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if w.Code != tc.status || p.Status != tc.status || p.Code != tc.code || p.Title == "" || strings.Contains(w.Body.String(), "10.0.0.7") {
			t.Errorf("%s: %d %+v, want %d %s", tc.name, w.Code, p, tc.status, tc.code)
		}
		if got := w.Header().Get("WWW-Authenticate"); got != tc.auth {
			t.Errorf("%s: www-authenticate %q, want %q", tc.name, got, tc.auth)
		}
		if w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
			t.Errorf("%s: content-length %q for %d bytes", tc.name, w.Header().Get("Content-Length"), w.Body.Len())
		}
	}
	w := httptest.NewRecorder()
	tr.WriteError(w, nil, connect.NewError(connect.CodeNotFound, errors.New("gone")))
	if w.Code != 404 {
		t.Errorf("nil request: %d", w.Code)
	}

	// Headers pass from the error's metadata or its detail, and only the
	// ones a REST client needs to act on the status.
	withMeta := connect.NewError(connect.CodeUnavailable, errors.New("busy"))
	withMeta.Meta().Set("Retry-After", "30")
	withMeta.Meta().Set("Set-Cookie", "a=b")
	withDetail := WithHTTPStatus(connect.NewError(connect.CodeResourceExhausted, errors.New("slow down")), 429,
		http.Header{"Retry-After": {"5"}, "Set-Cookie": {"a=b"}})
	for want, err := range map[string]error{"30": withMeta, "5": withDetail} {
		w := httptest.NewRecorder()
		tr.WriteError(w, nil, err)
		if got := w.Header().Values("Retry-After"); len(got) != 1 || got[0] != want || w.Header().Get("Set-Cookie") != "" {
			t.Errorf("retry-after %q (set-cookie %q), want %q", got, w.Header().Get("Set-Cookie"), want)
		}
	}
}

func TestInterceptor(t *testing.T) {
	tr := mustNew(t, WithProfiles("data", "entity"))
	srv := startConnect(t, func(_ context.Context, req *statusdv1.LookupRequest, _ http.Header) error {
		switch req.GetMethod() {
		case "aborted":
			return connect.NewError(connect.CodeAborted, errors.New("stale etag"))
		case "plain":
			return errors.New("boom")
		case "has-detail":
			return WithHTTPStatus(connect.NewError(connect.CodeAborted, errors.New("x")), 409, nil)
		case "wrapped":
			return fmt.Errorf("wrapped: %w", connect.NewError(connect.CodeFailedPrecondition, errors.New("closed")))
		}
		return nil
	}, nil, connect.WithInterceptors(tr.Interceptor()))
	for _, tc := range []struct {
		method  string
		ifMatch string
		status  int
		code    connect.Code
	}{
		{"aborted", `"v1"`, 412, connect.CodeAborted}, // Entity + if-match
		{"aborted", "", 409, connect.CodeAborted},
		{"plain", "", 500, connect.CodeUnknown},
		{"has-detail", `"v1"`, 409, connect.CodeAborted},
		{"wrapped", "", 403, connect.CodeFailedPrecondition}, // Data business rule
	} {
		for name, opts := range protocols {
			req := connect.NewRequest(&statusdv1.LookupRequest{Method: tc.method})
			if tc.ifMatch != "" {
				req.Header().Set("If-Match", tc.ifMatch)
			}
			_, err := unaryClient(srv, opts...).CallUnary(context.Background(), req)
			s, ok := HTTPStatus(err)
			if !ok || s != tc.status || connect.CodeOf(err) != tc.code {
				t.Errorf("%s %s: detail %d %v, code %v; want %d %v", name, tc.method, s, ok, connect.CodeOf(err), tc.status, tc.code)
			}
			// Streams get the detail too.
			stream, err := connect.NewClient[statusdv1.LookupRequest, statusdv1.LookupResponse](h2c(), srv.URL+streamPath, opts...).
				CallServerStream(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{Method: tc.method}))
			if err != nil {
				t.Fatal(err)
			}
			for stream.Receive() {
			}
			if s, ok := HTTPStatus(stream.Err()); !ok || (tc.ifMatch == "" && s != tc.status) {
				t.Errorf("%s stream %s: detail %d %v (%v)", name, tc.method, s, ok, stream.Err())
			}
		}
	}
	// Successful calls pass through.
	if _, err := unaryClient(srv).CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{})); err != nil {
		t.Errorf("success: %v", err)
	}
}

func TestMiddleware(t *testing.T) {
	tr := mustNew(t, WithProfiles("data"))
	srv := startConnect(t, func(_ context.Context, req *statusdv1.LookupRequest, _ http.Header) error {
		switch req.GetMethod() {
		case "patch-type":
			return WithHTTPStatus(connect.NewError(connect.CodeInvalidArgument, errors.New("content-type required")), 428, nil)
		case "rule":
			return connect.NewError(connect.CodeFailedPrecondition, errors.New("closed"))
		case "huge":
			return connect.NewError(connect.CodeInternal, errors.New(strings.Repeat("x", 2*maxErrorBody)))
		}
		return nil
	}, tr.Middleware)
	post := func(method, accept string) (*http.Response, string) {
		return postJSON(t, srv.URL+unaryPath, fmt.Sprintf(`{"method":%q}`, method), accept)
	}
	for _, tc := range []struct {
		method, accept string
		status         int
		contentType    string
		bodyHas        string
	}{
		{"patch-type", "", 428, "application/json", `"code":"invalid_argument"`},
		{"rule", "", 403, "application/json", `"message":"closed"`}, // Connect says 400
		{"rule", "application/problem+json", 403, "application/problem+json", `"detail":"closed"`},
		{"rule", "application/problem+json, application/json", 403, "application/json", `"code":"failed_precondition"`},
		{"huge", "", 500, "application/json", `"code":"internal"`},
		{"", "", 200, "application/json", `"httpStatus":200`},
	} {
		resp, body := post(tc.method, tc.accept)
		if resp.StatusCode != tc.status || mediaType(resp.Header.Get("Content-Type")) != tc.contentType || !strings.Contains(body, tc.bodyHas) {
			t.Errorf("%s (accept %q): %d %s %.120s", tc.method, tc.accept, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// Connect clients still get the code and the detail; gRPC and gRPC-Web
	// are untouched.
	for name, opts := range protocols {
		_, err := unaryClient(srv, opts...).CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{Method: "patch-type"}))
		if s, _ := HTTPStatus(err); connect.CodeOf(err) != connect.CodeInvalidArgument || s != 428 {
			t.Errorf("%s client: %v (detail %d)", name, err, s)
		}
		_, err = unaryClient(srv, opts...).CallUnary(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{Method: "huge"}))
		if connect.CodeOf(err) != connect.CodeInternal {
			t.Errorf("%s client, huge error: %v", name, connect.CodeOf(err))
		}
	}
	// A non-Connect JSON error passes as it was.
	plain := httptest.NewServer(tr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(502)
		_, _ = w.Write([]byte(`{"error":"upstream down"}`))
	})))
	defer plain.Close()
	resp, err := http.Get(plain.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || string(body) != `{"error":"upstream down"}` {
		t.Errorf("plain JSON error: %d %s", resp.StatusCode, body)
	}
}

func TestNewOptions(t *testing.T) {
	if _, err := New(WithProfiles("form", "nope")); err == nil || !strings.Contains(err.Error(), `unknown profile "nope"`) {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := New(WithDialect(42)); err == nil || !strings.Contains(err.Error(), "dialect 42") {
		t.Errorf("bad dialect: %v", err)
	}
	if _, err := New(WithCatalog(nil)); err == nil {
		t.Error("nil catalog accepted")
	}
	cat, err := mapping.NewCatalog(&statusdv1.Catalog{Profiles: []*statusdv1.Profile{
		{Id: "orders", Uri: "https://example.com/profiles/orders", Kind: statusdv1.ProfileKind_PROFILE_KIND_RESOURCE},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(WithCatalog(cat), WithProfiles("orders")); err != nil {
		t.Errorf("custom catalog profile: %v", err)
	}
	twirp := mustNew(t, WithDialect(statusdv1.Dialect_DIALECT_TWIRP))
	if got := twirp.StatusOf(connect.NewError(connect.CodeFailedPrecondition, nil), "", nil); got != 412 {
		t.Errorf("Twirp failed_precondition: %d", got)
	}
	if got := twirp.StatusOf(nil, "", nil); got != 200 {
		t.Errorf("nil error: %d", got)
	}
	if got := twirp.NewError(200, "", ""); got.Code() != connect.CodeUnknown || got.Message() != "HTTP 200" {
		t.Errorf("NewError(200): %v", got)
	}
}

// problemDoc is an RFC 9457 problem as tests read it.
type problemDoc struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	Code     string `json:"code"`
}
