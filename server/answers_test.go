package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/mapping"
)

// captured is one request a connect-go client made, kept as bytes.
type captured struct {
	method, path, query string
	header              http.Header
	body                []byte
	h2c                 bool
}

// capture records every request and forwards it to base.
type capture struct {
	base http.RoundTripper
	h2c  bool
	mu   sync.Mutex
	reqs []captured
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, captured{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body, c.h2c})
	c.mu.Unlock()
	r2 := r.Clone(r.Context()) // a RoundTripper must not change the request
	r2.Body = io.NopCloser(bytes.NewReader(body))
	return c.base.RoundTrip(r2)
}

func transport(h2c bool) *http.Transport {
	tr := &http.Transport{DisableCompression: true, Protocols: new(http.Protocols)}
	if h2c {
		tr.Protocols.SetUnencryptedHTTP2(true)
	} else {
		tr.Protocols.SetHTTP1(true)
	}
	return tr
}

// corpus makes every call below with connect-go clients of every protocol
// and codec against plain, and returns the requests they sent.
func corpus(t *testing.T, plain string) []captured {
	t.Helper()
	h1 := &capture{base: transport(false)}
	h2 := &capture{base: transport(true), h2c: true}
	type client struct {
		name string
		c    statusdv1connect.StatusServiceClient
	}
	var clients []client
	for _, p := range []struct {
		name string
		hc   *capture
		opts []connect.ClientOption
	}{
		{"connect json POST", h1, []connect.ClientOption{connect.WithProtoJSON()}},
		{"connect proto POST", h1, nil},
		{"connect json GET", h1, []connect.ClientOption{connect.WithProtoJSON(), connect.WithHTTPGet()}},
		{"connect proto GET", h1, []connect.ClientOption{connect.WithHTTPGet()}},
		{"connect json POST gzip", h1, []connect.ClientOption{connect.WithProtoJSON(), connect.WithSendGzip()}},
		{"connect json GET gzip", h1, []connect.ClientOption{connect.WithProtoJSON(), connect.WithHTTPGet(), connect.WithSendGzip()}},
		{"connect json h2c", h2, []connect.ClientOption{connect.WithProtoJSON()}},
		{"grpc", h2, []connect.ClientOption{connect.WithGRPC()}},
		{"grpc json", h2, []connect.ClientOption{connect.WithGRPC(), connect.WithProtoJSON()}},
		{"grpc-web", h1, []connect.ClientOption{connect.WithGRPCWeb()}},
		{"grpc-web json", h1, []connect.ClientOption{connect.WithGRPCWeb(), connect.WithProtoJSON()}},
	} {
		clients = append(clients, client{p.name, statusdv1connect.NewStatusServiceClient(&http.Client{Transport: p.hc}, plain, p.opts...)})
	}
	exchange := &statusdv1.Exchange{Method: "GET", Target: "/orders/42", Status: 200,
		RequestHeaders:  []*statusdv1.Header{{Name: "Accept", Value: "application/json"}},
		ResponseHeaders: []*statusdv1.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "ETag", Value: `"v1"`}}}
	ctx := context.Background()
	for _, cl := range clients {
		for _, req := range []*statusdv1.LookupRequest{
			{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 404}},
			{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 412}, Dialect: statusdv1.Dialect_DIALECT_GRPC},
			{Key: &statusdv1.LookupRequest_Code{Code: statusdv1.Code_CODE_ABORTED}, Method: "PATCH", Profiles: []string{"data", "entity"}},
			{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 600}},                             // invalid_argument
			{Key: &statusdv1.LookupRequest_HttpStatus{HttpStatus: 404}, Profiles: []string{"nope"}}, // unknown profile
		} {
			_, _ = cl.c.Lookup(ctx, req)
		}
		_, _ = cl.c.ListStatuses(ctx, &statusdv1.ListStatusesRequest{IncludeMappings: true})
		_, _ = cl.c.ListProfiles(ctx, &statusdv1.ListProfilesRequest{})
		_, _ = cl.c.Validate(ctx, &statusdv1.ValidateRequest{Exchange: exchange})
		_, _ = cl.c.Validate(ctx, &statusdv1.ValidateRequest{})
		if cl.name == "connect json h2c" || cl.name == "grpc" {
			s, err := cl.c.ValidateStream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_ = s.Send(&statusdv1.ValidateStreamRequest{Request: &statusdv1.ValidateRequest{Exchange: exchange}})
			_ = s.CloseRequest() // capture reads the whole request body first
			_, _ = s.Receive()
			_ = s.CloseResponse()
		}
	}
	return append(h1.reqs, h2.reqs...)
}

type answerBytes struct {
	status          int
	header, trailer http.Header
	body            []byte
}

func replay(t *testing.T, clients map[bool]*http.Client, base string, c captured) answerBytes {
	t.Helper()
	req, err := http.NewRequest(c.method, base+c.path+"?"+c.query, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.query == "" {
		req.URL.RawQuery = ""
	}
	req.Header = c.header.Clone()
	resp, err := clients[c.h2c].Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Header.Del("Date")
	return answerBytes{resp.StatusCode, resp.Header, resp.Trailer, body}
}

// TestAnswersAreConnectGos replays every request of the corpus to
// connect-go alone and, twice (a miss, then a hit), to the cache in front
// of it: status, header fields, body bytes and trailers must be the same,
// the cache adding only the validator and cache-control of a GET 200 and
// no-store on a GET error.
func TestAnswersAreConnectGos(t *testing.T) {
	svc := New(mapping.DefaultCatalog())
	mux := http.NewServeMux()
	mux.Handle(NewHandler(svc))
	plain := httptest.NewUnstartedServer(mux)
	plain.Config.Protocols = new(http.Protocols)
	plain.Config.Protocols.SetHTTP1(true)
	plain.Config.Protocols.SetUnencryptedHTTP2(true)
	plain.Start()
	defer plain.Close()
	cs := newCacheServer(t, svc, CacheConfig{Build: "test"})

	reqs := corpus(t, plain.URL)
	kinds := map[string]int{}
	// Every answer, of every protocol, goes through statusd's own validator
	// too (dogfood): HTTP/1.1 and h2c.
	clients := map[bool]*http.Client{false: newDogfood(t, false), true: newDogfood(t, true)}
	for _, c := range reqs {
		want := replay(t, clients, plain.URL, c)
		for _, pass := range []string{"first", "second"} {
			got := replay(t, clients, cs.URL, c)
			name := c.method + " " + c.path + " " + c.header.Get("Content-Type") + " " + pass
			if c.method == http.MethodGet {
				if got.status == 200 && (got.header.Get("Etag") == "" || got.header.Get("Cache-Control") == "") {
					t.Errorf("%s: no validator", name)
				}
				if got.status != 200 && got.header.Get("Cache-Control") != "no-store" {
					t.Errorf("%s: error without no-store", name)
				}
				got.header.Del("Etag")
				got.header.Del("Cache-Control")
			}
			if got.status != want.status || !bytes.Equal(got.body, want.body) || !sameHeader(got.header, want.header) || !sameHeader(got.trailer, want.trailer) {
				t.Errorf("%s: cache answered\n%d %v %v %q\nconnect-go answered\n%d %v %v %q", name,
					got.status, got.header, got.trailer, got.body, want.status, want.header, want.trailer, want.body)
			}
		}
		if o := cs.lastOutcome(); o.Procedure == c.path {
			kinds[o.Cache]++
		}
		kinds[c.method+" "+strings.SplitN(c.header.Get("Content-Type"), "+", 2)[0]]++
	}
	// The corpus must have exercised each path: hits, bypasses of other
	// protocols (no outcome recorded), each request shape.
	for _, k := range []string{"hit", "GET ", "POST application/json", "POST application/proto", "POST application/grpc", "POST application/grpc-web", "POST application/connect"} {
		if kinds[k] == 0 {
			t.Errorf("corpus has no %q: %v", k, kinds)
		}
	}
}

func sameHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// nopWriter is a ResponseWriter that keeps nothing, so that the benchmark
// measures the cache and not a recorder.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) WriteHeader(int)             {}
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkAnswerCacheHit is the cost of answering from the cache, GET and
// POST, without the network.
func BenchmarkAnswerCacheHit(b *testing.B) {
	svc := New(mapping.DefaultCatalog())
	c := svc.Cacheable(http.NotFoundHandler(), CacheConfig{Build: "bench"})
	for _, method := range []string{"GET", "POST"} {
		b.Run(method, func(b *testing.B) {
			newReq := func() *http.Request {
				if method == "GET" {
					return httptest.NewRequest("GET", lookupURL("", `{"httpStatus":404}`), nil)
				}
				r := httptest.NewRequest("POST", "/statusd.v1.StatusService/Lookup", strings.NewReader(`{"httpStatus":404}`))
				r.Header.Set("Content-Type", "application/json")
				return r
			}
			c.ServeHTTP(&nopWriter{h: http.Header{}}, newReq())
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				reqs[i] = newReq()
			}
			w := &nopWriter{h: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				clear(w.h)
				c.ServeHTTP(w, reqs[i])
			}
		})
	}
}
