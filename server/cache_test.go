package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/internal/loopback"
	"github.com/statusd/statusd/mapping"
	"github.com/statusd/statusd/mapping/conformance"
)

// cacheServer serves svc behind an AnswerCache, as cmd/statusd does, on
// HTTP/1.1 and h2c. Every exchange a test makes through client() is
// checked by statusd's own validator when the test ends (dogfood): no
// answer statusd gives may raise an ERROR finding.
type cacheServer struct {
	*httptest.Server
	cache    *AnswerCache
	mu       sync.Mutex
	outcomes []CallOutcome
}

func newCacheServer(t *testing.T, svc *Service, cfg CacheConfig) *cacheServer {
	t.Helper()
	cs := &cacheServer{}
	mux := http.NewServeMux()
	mux.Handle(NewHandler(svc)) // gRPC, gRPC-Web and streams
	cfg.Observe = func(_ context.Context, o CallOutcome) {
		cs.mu.Lock()
		cs.outcomes = append(cs.outcomes, o)
		cs.mu.Unlock()
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 5 * time.Minute
	}
	cs.cache = svc.Cacheable(mux, cfg)
	cs.Server = loopback.Serve(t, cs.cache)
	return cs
}

func (cs *cacheServer) lastOutcome() CallOutcome {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if len(cs.outcomes) == 0 {
		return CallOutcome{}
	}
	return cs.outcomes[len(cs.outcomes)-1]
}

// dogfood is a RoundTripper that keeps every exchange and, at cleanup, runs
// conformance.Check over each.
type dogfood struct {
	t    *testing.T
	base http.RoundTripper
	mu   sync.Mutex
	seen []*statusdv1.Exchange
}

func newDogfood(t *testing.T, h2c bool) *http.Client {
	tr := &http.Transport{DisableCompression: true, Protocols: new(http.Protocols)}
	if h2c {
		tr.Protocols.SetUnencryptedHTTP2(true)
	} else {
		tr.Protocols.SetHTTP1(true)
	}
	d := &dogfood{t: t, base: tr}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		d.check()
	})
	return &http.Client{Transport: d}
}

func (d *dogfood) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := d.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	ex := &statusdv1.Exchange{Method: r.Method, Target: r.URL.RequestURI(), Status: int32(res.StatusCode)}
	for k, vs := range r.Header {
		for _, v := range vs {
			ex.RequestHeaders = append(ex.RequestHeaders, &statusdv1.Header{Name: k, Value: v})
		}
	}
	if r.ContentLength >= 0 {
		ex.RequestBodySize = &r.ContentLength
	}
	for k, vs := range res.Header {
		for _, v := range vs {
			ex.ResponseHeaders = append(ex.ResponseHeaders, &statusdv1.Header{Name: k, Value: v})
		}
	}
	n := int64(len(body))
	ex.ResponseBodySize = &n
	d.mu.Lock()
	d.seen = append(d.seen, ex)
	d.mu.Unlock()
	return res, nil
}

func (d *dogfood) check() {
	cat := mapping.DefaultCatalog()
	for _, ex := range d.seen {
		rep, err := conformance.Check(cat, ex, nil)
		if err != nil {
			d.t.Errorf("dogfood %s %s: %v", ex.GetMethod(), ex.GetTarget(), err)
			continue
		}
		for _, f := range rep.Findings {
			// A test's own malformed request (if-none-match: garbage) is
			// the client's error, not statusd's answer's.
			if f.Severity == statusdv1.Severity_SEVERITY_ERROR && !conformance.ClientSent(f.Rule) {
				d.t.Errorf("dogfood: statusd's own answer %d to %s %s breaks %s: %s", ex.GetStatus(), ex.GetMethod(), ex.GetTarget(), f.Rule, f.Message)
			}
		}
	}
	if len(d.seen) == 0 {
		d.t.Error("dogfood: no exchange seen")
	}
}

func lookupURL(base, message string) string {
	return base + "/statusd.v1.StatusService/Lookup?encoding=json&message=" + url.QueryEscape(message)
}

func do(t *testing.T, c *http.Client, method, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func TestConditionalGET(t *testing.T) {
	cs := newCacheServer(t, New(mapping.DefaultCatalog()), CacheConfig{Build: "test"})
	c := newDogfood(t, false)
	u := lookupURL(cs.URL, `{"httpStatus":412}`)

	resp, body := do(t, c, "GET", u)
	etag := resp.Header.Get("Etag")
	if resp.StatusCode != 200 || !strings.HasPrefix(etag, `"`) || resp.Header.Get("Cache-Control") != "public, max-age=300" ||
		resp.Header.Get("Vary") == "" || !strings.Contains(body, "aborted") {
		t.Fatalf("first GET: %d etag %q cache-control %q vary %q", resp.StatusCode, etag, resp.Header.Get("Cache-Control"), resp.Header.Get("Vary"))
	}
	if o := cs.lastOutcome(); o.Cache != "miss" || o.HTTPStatus != 200 {
		t.Errorf("first GET outcome %+v", o)
	}
	for _, inm := range []string{etag, `"x", ` + etag, "W/" + etag, "*", `"x",` + etag + `, "y"`} {
		resp, b := do(t, c, "GET", u, "If-None-Match", inm)
		if resp.StatusCode != http.StatusNotModified || b != "" || resp.Header.Get("Etag") != etag ||
			resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("Cache-Control") != "public, max-age=300" {
			t.Errorf("if-none-match %s: %d %q headers %v", inm, resp.StatusCode, b, resp.Header)
		}
		if o := cs.lastOutcome(); o.Cache != "hit" || o.HTTPStatus != 304 || o.Code != 0 {
			t.Errorf("304 outcome %+v", o)
		}
	}
	for _, inm := range []string{`"other"`, `W/"other"`, `garbage`, strings.TrimSuffix(etag, `"`) + `-gzip"`} {
		if resp, _ := do(t, c, "GET", u, "If-None-Match", inm); resp.StatusCode != 200 {
			t.Errorf("if-none-match %s: %d, want 200", inm, resp.StatusCode)
		}
	}
	// If-Match compares strongly; a failed one is 412, and it comes first.
	for inm, want := range map[string]int{etag: 200, "*": 200, "W/" + etag: 412, `"other"`: 412} {
		if resp, _ := do(t, c, "GET", u, "If-Match", inm, "If-None-Match", `"zzz"`); resp.StatusCode != want {
			t.Errorf("if-match %s: %d, want %d", inm, resp.StatusCode, want)
		}
	}
	// Preconditions only apply when the answer would be 200 (RFC 9110 13.2.1).
	for _, target := range []string{
		cs.URL + "/statusd.v1.StatusService/Nope?encoding=json&message={}",
		cs.URL + "/statusd.v1.StatusService/Lookup?encoding=json&message=garbage",
		lookupURL(cs.URL, `{"httpStatus":600}`),
		lookupURL(cs.URL, `{"httpStatus":412,"bogus":1}`), // strict JSON: invalid_argument
	} {
		for _, h := range []string{"If-None-Match", "If-Match"} {
			resp, _ := do(t, c, "GET", target, h, etag)
			if resp.StatusCode < 400 || resp.StatusCode == 412 || resp.Header.Get("Etag") != "" {
				t.Errorf("%s %s: %d etag %q, want the error without precondition", h, target, resp.StatusCode, resp.Header.Get("Etag"))
			}
		}
	}
	resp, _ = do(t, c, "GET", lookupURL(cs.URL, `{"httpStatus":600}`))
	if resp.StatusCode != 400 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("error GET: %d cache-control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if o := cs.lastOutcome(); o.Code != connect.CodeInvalidArgument || o.HTTPStatus != 400 {
		t.Errorf("error outcome %+v", o)
	}
	// POST carries no validator and ignores preconditions.
	req, _ := http.NewRequest("POST", cs.URL+"/statusd.v1.StatusService/Lookup", strings.NewReader(`{"httpStatus":412}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-None-Match", "*")
	post, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != 200 || post.Header.Get("Etag") != "" {
		t.Errorf("POST: %d etag %q", post.StatusCode, post.Header.Get("Etag"))
	}
}

func TestHEADIsGETWithoutContent(t *testing.T) {
	cs := newCacheServer(t, New(mapping.DefaultCatalog()), CacheConfig{Build: "test"})
	c := newDogfood(t, false)
	for _, msg := range []string{`{"httpStatus":404}`, `{"httpStatus":600}`} {
		u := lookupURL(cs.URL, msg)
		for range 2 { // a miss, then a hit (for the 200)
			head, hbody := do(t, c, "HEAD", u)
			get, gbody := do(t, c, "GET", u)
			if head.StatusCode != get.StatusCode || hbody != "" || head.ContentLength != int64(len(gbody)) {
				t.Errorf("HEAD %s: %d length %d; GET %d length %d", msg, head.StatusCode, head.ContentLength, get.StatusCode, len(gbody))
			}
			for _, k := range []string{"Content-Type", "Etag", "Cache-Control", "Vary"} {
				if head.Header.Get(k) != get.Header.Get(k) {
					t.Errorf("HEAD %s: %s %q, GET has %q", msg, k, head.Header.Get(k), get.Header.Get(k))
				}
			}
		}
	}
	resp, _ := do(t, c, "HEAD", lookupURL(cs.URL, `{"httpStatus":404}`), "If-None-Match", "*")
	if resp.StatusCode != 304 {
		t.Errorf("conditional HEAD: %d", resp.StatusCode)
	}
}

func TestETagPerCodingAndBuild(t *testing.T) {
	svc := New(mapping.DefaultCatalog())
	a := newCacheServer(t, svc, CacheConfig{Build: "a", HandlerOptions: []connect.HandlerOption{connect.WithCompressMinBytes(64)}})
	b := newCacheServer(t, svc, CacheConfig{Build: "b"})
	c := newDogfood(t, false)
	u := "/statusd.v1.StatusService/ListStatuses?encoding=json&message=%7B%7D"
	plain, pbody := do(t, c, "GET", a.URL+u)
	gz, gbody := do(t, c, "GET", a.URL+u, "Accept-Encoding", "gzip")
	if gz.Header.Get("Content-Encoding") != "gzip" || pbody == gbody {
		t.Fatalf("no gzip answer: %v", gz.Header)
	}
	if plain.Header.Get("Etag") == gz.Header.Get("Etag") {
		t.Errorf("identity and gzip answers share the strong etag %s", plain.Header.Get("Etag"))
	}
	if resp, _ := do(t, c, "GET", a.URL+u, "Accept-Encoding", "gzip", "If-None-Match", plain.Header.Get("Etag")); resp.StatusCode != 200 {
		t.Errorf("gzip request validated by the identity etag: %d", resp.StatusCode)
	}
	if resp, _ := do(t, c, "GET", a.URL+u, "Accept-Encoding", "gzip", "If-None-Match", gz.Header.Get("Etag")); resp.StatusCode != 304 {
		t.Errorf("gzip request with its own etag: %d", resp.StatusCode)
	}
	other, _ := do(t, c, "GET", b.URL+u)
	if other.Header.Get("Etag") == plain.Header.Get("Etag") {
		t.Errorf("two builds share the etag %s", plain.Header.Get("Etag"))
	}
}

func TestCacheFollowsCatalog(t *testing.T) {
	svc := New(mapping.DefaultCatalog())
	cs := newCacheServer(t, svc, CacheConfig{Build: "test"})
	c := newDogfood(t, false)
	u := lookupURL(cs.URL, `{"httpStatus":412}`)
	resp, _ := do(t, c, "GET", u)
	etag := resp.Header.Get("Etag")
	do(t, c, "GET", u)
	if o := cs.lastOutcome(); o.Cache != "hit" {
		t.Fatalf("second GET: %+v", o)
	}
	overlay, _ := mapping.ParseCatalogMessage([]byte(`edition: "next" statuses { code: 412 reason: "Precondition Failed" status_class: STATUS_CLASS_CLIENT_ERROR meaning: "changed" }`))
	next, err := svc.Catalog().Overlay(overlay)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetCatalog(next)
	resp, body := do(t, c, "GET", u, "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("Etag") == etag || !strings.Contains(body, "changed") {
		t.Errorf("after reload: %d etag %q", resp.StatusCode, resp.Header.Get("Etag"))
	}
	if o := cs.lastOutcome(); o.Cache != "miss" {
		t.Errorf("after reload: %+v", o)
	}
}

func TestAnswerCacheBounded(t *testing.T) {
	const maxBytes = 64 << 10
	cs := newCacheServer(t, New(mapping.DefaultCatalog()), CacheConfig{Build: "test", MaxBytes: maxBytes})
	c := &http.Client{}
	hot := lookupURL(cs.URL, `{"httpStatus":404}`)
	for i := range 600 {
		do(t, c, "GET", hot)
		// Distinct requests: the same lookup with padding the codec ignores.
		do(t, c, "GET", lookupURL(cs.URL, `{"httpStatus":404, "method":"GET"}`+strings.Repeat(" ", i)))
		if n, size := cs.cache.table.Load().stats(); size > maxBytes || n == 0 {
			t.Fatalf("after %d: %d answers, %d bytes, cap %d", i, n, size, maxBytes)
		}
	}
	if cs.cache.evictions.Load() == 0 {
		t.Error("no eviction")
	}
	do(t, c, "GET", hot)
	if o := cs.lastOutcome(); o.Cache != "hit" {
		t.Errorf("the answer used all along was evicted: %+v", o)
	}
	// Too large to key: answered by connect-go every time, correctly.
	big := `{"httpStatus":404,"method":"GET"` + strings.Repeat(" ", maxKeyBytes) + `}`
	for range 2 {
		resp, err := c.Post(cs.URL+"/statusd.v1.StatusService/Lookup", "application/json", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if o := cs.lastOutcome(); resp.StatusCode != 200 || !strings.Contains(string(body), "not_found") || o.Cache != "bypass" {
			t.Errorf("large POST: %d %s %+v", resp.StatusCode, body, o)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(cs.cache)
	rr := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`statusd_answer_cache_calls_total{result="bypass"} 2`, `statusd_answer_cache_bytes{kind="max"} 65536`,
		`statusd_conditional_answers_total{status="304"} 0`} {
		if !strings.Contains(rr.Body.String(), want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, rr.Body.String())
		}
	}
}
