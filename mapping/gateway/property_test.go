package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"
)

// case_ is one random input: an error (or none) with the expectations
// derived from how it was built.
type case_ struct {
	desc     string
	err      error
	isErr    bool
	typedNil bool
	code     connect.Code
	status   int         // the first detail status in 400-599, 0 if none
	carried  http.Header // the headers of that detail
}

var (
	headerNames  = []string{"Retry-After", "Www-Authenticate", "Proxy-Authenticate", "Allow", "Content-Range", "Etag", "Location", "Set-Cookie", "Content-Length", "X-Other"}
	headerValues = []string{"1", `Basic realm="x"`, "GET, HEAD", "bytes */5", `"v9"`, "/a", "a\r\nb", "", strings.Repeat("v", 9000)}
)

func randomDetails(r *rand.Rand, c *case_) []*statusdv1.HttpStatusDetail {
	var out []*statusdv1.HttpStatusDetail
	for range r.IntN(3) {
		d := &statusdv1.HttpStatusDetail{HttpStatus: int32(100 + r.IntN(500))}
		if r.IntN(20) == 0 {
			d.HttpStatus = int32(r.IntN(2000) - 500)
		}
		h := http.Header{}
		for range r.IntN(4) {
			name, value := headerNames[r.IntN(len(headerNames))], headerValues[r.IntN(len(headerValues))]
			d.Headers = append(d.Headers, &statusdv1.Header{Name: strings.ToLower(name), Value: value})
			h.Add(name, value)
		}
		if c.status == 0 && errorStatus(int(d.HttpStatus)) {
			c.status, c.carried = int(d.HttpStatus), h
		}
		out = append(out, d)
	}
	return out
}

func randomCase(r *rand.Rand) case_ {
	var c case_
	switch kind := r.IntN(8); kind {
	case 0:
		c.desc = "nil"
	case 1:
		var e *connect.Error
		c.err, c.typedNil, c.desc = e, true, "typed nil"
	case 4:
		c.err, c.isErr, c.code, c.desc = errors.New("plain: 10.0.0.1"), true, connect.CodeUnknown, "plain"
	case 3:
		code := codes.Code(1 + r.IntN(16))
		p := grpcstatus.New(code, "grpc m").Proto()
		for _, d := range randomDetails(r, &c) {
			a, _ := anypb.New(d)
			p.Details = append(p.Details, a)
		}
		c.err, c.isErr, c.code, c.desc = grpcstatus.ErrorProto(p), true, connect.Code(code), fmt.Sprintf("grpc %v %.300v", code, p.Details)
	default:
		code := connect.Code(r.IntN(18)) // OK and an undefined code included
		cerr := connect.NewError(code, errors.New("connect m"))
		details := randomDetails(r, &c)
		for _, d := range details {
			cerr.AddDetail(statusDetail(d))
		}
		if r.IntN(3) == 0 {
			cerr.Meta().Set("Retry-After", "77")
		}
		c.err, c.isErr, c.code, c.desc = cerr, true, code, fmt.Sprintf("connect %d %.300v", code, details)
		switch kind {
		case 5:
			c.err = fmt.Errorf("wrapped: %w", cerr)
		case 6:
			c.err = &url.Error{Op: "Get", URL: "http://x", Err: cerr}
		}
	}
	return c
}

func randomTranslator(t *testing.T, r *rand.Rand) (*Translator, string) {
	dialects := mapping.Dialects()
	d := dialects[r.IntN(len(dialects))]
	var profiles []string
	for _, p := range []string{"data", "entity", "form", "action", "content", "alias"} {
		if r.IntN(3) == 0 {
			profiles = append(profiles, p)
		}
	}
	return mustNew(t, WithDialect(d), WithProfiles(profiles...)), fmt.Sprintf("%v %v", d, profiles)
}

// checkAnswer asserts what every error answer must satisfy.
func checkAnswer(t *testing.T, where string, c case_, status int, h http.Header) {
	t.Helper()
	if !errorStatus(status) {
		t.Fatalf("%s: %s answered %d", where, c.desc, status)
	}
	if c.status != 0 && status != c.status {
		t.Fatalf("%s: %s: detail %d answered %d", where, c.desc, c.status, status)
	}
	if status == 401 && h.Get("Www-Authenticate") == "" || status == 407 && h.Get("Proxy-Authenticate") == "" {
		t.Fatalf("%s: %s: %d without a challenge", where, c.desc, status)
	}
	if len(h.Values("Retry-After")) > 1 || h.Get("Set-Cookie") != "" {
		t.Fatalf("%s: %s: headers %v", where, c.desc, h)
	}
	for _, name := range RequiredHeaders {
		for _, v := range c.carried.Values(name) {
			if validValue(v) && len(h.Values(name)) == 0 {
				t.Fatalf("%s: %s: carried %s %q lost: %v", where, c.desc, name, v, h)
			}
		}
	}
}

// TestProperties drives random errors, details and dialects through
// WriteError, Interceptor, Middleware and ErrorFromResponse.
func TestProperties(t *testing.T) {
	seed := rand.Uint64()
	if s, err := strconv.ParseUint(os.Getenv("GATEWAY_PROPERTY_SEED"), 10, 64); err == nil {
		seed = s // to replay a failure
	}
	t.Logf("seed %d (replay with GATEWAY_PROPERTY_SEED)", seed)
	r := rand.New(rand.NewPCG(seed, 17))
	n := 1500
	if testing.Short() {
		n = 200
	}
	for range n {
		tr, trDesc := randomTranslator(t, r)
		c := randomCase(r)
		where := func(path string) string { return path + " [" + trDesc + "]" }

		// WriteError.
		w := httptest.NewRecorder()
		tr.WriteError(w, httptest.NewRequest("POST", "/x", nil), c.err)
		checkAnswer(t, where("WriteError"), c, w.Code, w.Header())
		var p problemDoc
		if json.Unmarshal(w.Body.Bytes(), &p) != nil || p.Status != w.Code || strings.Contains(w.Body.String(), "10.0.0.1") {
			t.Fatalf("WriteError: %s: body %s", c.desc, w.Body)
		}

		// StatusOf agrees.
		if got := tr.StatusOf(c.err, "", nil); c.isErr && got != tr.StatusOf(c.err, "", nil) || !c.isErr && got != 200 {
			t.Fatalf("StatusOf: %s: %d", c.desc, got)
		}

		// Interceptor.
		res := connect.AnyResponse(connect.NewResponse(&statusdv1.LookupResponse{}))
		wrapped := tr.Interceptor().WrapUnary(func(context.Context, connect.AnyRequest) (connect.AnyResponse, error) {
			return res, c.err
		})
		_, out := wrapped(context.Background(), connect.NewRequest(&statusdv1.LookupRequest{}))
		if !c.isErr {
			if out != nil {
				t.Fatalf("Interceptor: success %s became %v", c.desc, out)
			}
		} else {
			s, ok := HTTPStatus(out)
			want := c.code
			if !validCode(want) {
				want = connect.CodeUnknown
			}
			if !ok || !errorStatus(s) || (c.status != 0 && s != c.status) || connect.CodeOf(out) != want {
				t.Fatalf("Interceptor: %s: %v, detail %d", c.desc, out, s)
			}
		}

		// Middleware, with and without the Interceptor, against the same
		// handler without it: Connect clients must read the same body.
		withInterceptor := r.IntN(2) == 0
		if !withInterceptor && c.typedNil {
			withInterceptor = true // connect-go itself panics on a typed nil
		}
		accept := []string{"", "application/problem+json", "application/json;q=0.5, application/problem+json"}[r.IntN(3)]
		checkMiddleware(t, tr, c, withInterceptor, accept, where("Middleware"))

		// ErrorFromResponse, then WriteError.
		checkResponse(t, tr, r, where("ErrorFromResponse"))
	}
}

func connectMux(tr *Translator, c case_, intercept bool) http.Handler {
	var opts []connect.HandlerOption
	if intercept {
		opts = append(opts, connect.WithInterceptors(tr.Interceptor()))
	}
	mux := http.NewServeMux()
	mux.Handle(unaryPath, connect.NewUnaryHandler(unaryPath,
		func(context.Context, *connect.Request[statusdv1.LookupRequest]) (*connect.Response[statusdv1.LookupResponse], error) {
			if c.err == nil {
				return connect.NewResponse(&statusdv1.LookupResponse{HttpStatus: 200}), nil
			}
			return connect.NewResponse(&statusdv1.LookupResponse{HttpStatus: 200}), c.err
		}, opts...))
	return mux
}

func checkMiddleware(t *testing.T, tr *Translator, c case_, intercept bool, accept, where string) {
	t.Helper()
	serve := func(h http.Handler) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", unaryPath, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	plain := serve(connectMux(tr, c, intercept))
	w := serve(tr.Middleware(connectMux(tr, c, intercept)))
	if !c.isErr {
		if w.Code != 200 || w.Body.String() != plain.Body.String() {
			t.Fatalf("%s: success %s became %d %s", where, c.desc, w.Code, w.Body)
		}
		return
	}
	cc := c
	if plain.Body.Len() > maxErrorBody {
		// Documented: an error body over 64 KiB passes through as it is.
		if w.Code != plain.Code || w.Body.String() != plain.Body.String() {
			t.Fatalf("%s: %s: large error body changed", where, c.desc)
		}
		return
	}
	if _, isGRPC := c.err.(interface{ GRPCStatus() *grpcstatus.Status }); !intercept && (!validCode(c.code) || isGRPC) {
		// Without the Interceptor, connect-go itself sends unknown for a
		// grpc-go error, and no Connect error for OK or an undefined code.
		cc.status, cc.carried = 0, nil
	}
	checkAnswer(t, where, cc, w.Code, w.Header())
	if mediaType(w.Header().Get("Content-Type")) == "application/json" && w.Body.String() != plain.Body.String() {
		t.Fatalf("%s: %s: Connect body changed:\n%s\n%s", where, c.desc, plain.Body, w.Body)
	}
}

var bodies = []struct{ contentType, body string }{
	{"", ""},
	{"application/problem+json", `{"type":"https://e.com/p","title":"T","detail":"d","instance":"/i","x":1}`},
	{"application/json", `{"code":"not_found","message":"rest"}`},
	{"application/json", `{"code":5,"message":"gw"}`},
	{"application/json", `{"error":{"code":404,"message":"aip","status":"NOT_FOUND"}}`},
	{"text/plain", "short"},
	{"application/json", `{`},
}

func checkResponse(t *testing.T, tr *Translator, r *rand.Rand, where string) {
	t.Helper()
	status := 100 + r.IntN(500)
	b := bodies[r.IntN(len(bodies))]
	resp := response(status, b.contentType, b.body)
	upstream := http.Header{}
	for range r.IntN(4) {
		name, value := headerNames[r.IntN(len(headerNames))], headerValues[r.IntN(len(headerValues))]
		resp.Header.Add(name, value)
		upstream.Add(name, value)
	}
	err := tr.ErrorFromResponse(resp)
	isErr := !(status >= 200 && status < 300) && !(status/100 == 3 && tr.CodeForStatus(status, "", nil) == 0)
	desc := fmt.Sprintf("%d %s %.300v", status, b.body, upstream)
	if (err != nil) != isErr {
		t.Fatalf("%s: %s: error %v", where, desc, err)
	}
	if err == nil {
		return
	}
	want := status
	if !errorStatus(status) {
		want = 502
	}
	c := case_{desc: desc, err: err, isErr: true, status: want, carried: upstream}
	w := httptest.NewRecorder()
	tr.WriteError(w, nil, err)
	checkAnswer(t, where+" → WriteError", c, w.Code, w.Header())
	if errorStatus(status) && b.contentType == "application/problem+json" && !strings.Contains(w.Body.String(), `"instance":"/i"`) {
		t.Fatalf("%s: %s: problem lost: %s", where, desc, w.Body)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
}
