package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

// DefaultCacheBytes is the answer cache's memory cap unless
// CacheConfig.MaxBytes says otherwise.
const DefaultCacheBytes = 16 << 20

// maxKeyBytes bounds the request bytes a key is made of: larger requests
// (long Validate exchanges) are answered by connect-go every time.
const maxKeyBytes = 8 << 10

// CacheConfig configures Cacheable.
type CacheConfig struct {
	// MaxAge is the max-age of cacheable Connect GET answers.
	MaxAge time.Duration
	// MaxBytes caps the memory the stored answers take; 0 means
	// DefaultCacheBytes.
	MaxBytes int
	// Build names the build in validators; empty means BuildID().
	Build string
	// HandlerOptions configure the Connect handler that answers misses
	// (read limits, compression), as for NewHandler.
	HandlerOptions []connect.HandlerOption
	// Observe, if set, is called once for every call the cache stands in
	// front of, whether connect-go or the cache answered it: the cache's
	// Connect handler has no interceptor of its own for this.
	Observe func(context.Context, CallOutcome)
}

// CallOutcome is what the cache reports of one Connect unary call.
type CallOutcome struct {
	Procedure  string
	Peer       string
	Code       connect.Code // 0 for ok, 304 and 412 included
	HTTPStatus int
	Cache      string // "hit", "miss" (answered by connect-go) or "bypass" (not storable)
	Duration   time.Duration
}

// AnswerCache stands in front of the Connect unary calls of StatusService
// (Connect protocol, GET, HEAD and POST) and serves each request's answer
// from memory once connect-go has given it: a catalog edition is immutable,
// so under one edition and one build the answer to the same request bytes
// never changes. Everything else (gRPC, gRPC-Web, streams, other services)
// goes to next untouched. A GET answer carries a validator and
// cache-control, and conditional GETs are evaluated as RFC 9110 section 13
// says: only a request whose answer would be 200 gets 304 or 412.
type AnswerCache struct {
	svc          *Service
	next         http.Handler
	connect      http.Handler
	cfg          CacheConfig
	cacheControl string
	unary        map[string]bool
	table        atomic.Pointer[answers]
	keys         sync.Pool

	hits, misses, bypasses   atomic.Uint64
	notModified, failedMatch atomic.Uint64
	evictions                atomic.Uint64
}

// Cacheable returns an AnswerCache in front of next, answering misses with
// its own Connect handler of s (built with cfg.HandlerOptions).
func (s *Service) Cacheable(next http.Handler, cfg CacheConfig) *AnswerCache {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultCacheBytes
	}
	if cfg.Build == "" {
		cfg.Build = BuildID()
	}
	_, inner := NewHandler(s, cfg.HandlerOptions...)
	c := &AnswerCache{
		svc: s, next: next, connect: inner, cfg: cfg,
		cacheControl: "public, max-age=" + strconv.Itoa(int(cfg.MaxAge/time.Second)),
		unary:        unaryProcedures(),
	}
	c.keys.New = func() any { b := make([]byte, 0, 512); return &b }
	return c
}

// unaryProcedures lists StatusService's unary procedures, from the proto.
func unaryProcedures() map[string]bool {
	sd := statusdv1.File_statusd_v1_status_service_proto.Services().ByName("StatusService")
	m := map[string]bool{}
	for i := range sd.Methods().Len() {
		md := sd.Methods().Get(i)
		if !md.IsStreamingClient() && !md.IsStreamingServer() {
			m["/"+string(sd.FullName())+"/"+string(md.Name())] = true
		}
	}
	return m
}

// fronts reports whether r is a Connect unary call of StatusService.
func (c *AnswerCache) fronts(r *http.Request) bool {
	if !c.unary[r.URL.Path] {
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		mt = strings.TrimSpace(mt)
		return mt == "application/json" || mt == "application/proto"
	}
	return false
}

// answersFor returns the store of cat, replacing the store of an earlier
// catalog.
func (c *AnswerCache) answersFor(cat *mapping.Catalog) *answers {
	t := c.table.Load()
	if t != nil && t.catalog == cat {
		return t
	}
	n := newAnswers(cat, c.cfg.Build, c.cfg.MaxBytes, &c.evictions)
	if c.table.CompareAndSwap(t, n) {
		return n
	}
	if t = c.table.Load(); t.catalog == cat {
		return t
	}
	return n
}

func (c *AnswerCache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.unary[r.URL.Path] && r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		// connect-go's 405 lists GET and POST; HEAD is served here too
		// (RFC 9110 10.2.1: allow lists what the resource supports).
		w.Header().Set("Allow", "GET, HEAD, POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if !c.fronts(r) {
		c.next.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	tab := c.answersFor(c.svc.Catalog())
	kb := c.keys.Get().(*[]byte)
	key, storable, body := requestKey((*kb)[:0], r)
	out := CallOutcome{Procedure: r.URL.Path, Peer: r.RemoteAddr}
	var ans *answer
	if storable {
		ans = tab.get(key)
	}
	switch {
	case ans != nil:
		out.Cache = "hit"
		c.hits.Add(1)
		out.HTTPStatus = c.write(w, r, ans)
	default:
		out.Cache = "bypass"
		if storable {
			out.Cache = "miss"
		}
		out.HTTPStatus, out.Code = c.miss(w, body.restore(r, key), tab, key, storable)
		if r.Context().Err() != nil && out.Code != 0 {
			out.Code = connect.CodeCanceled // the client went away (as observe counts it)
		}
	}
	if cap(key) <= 4*maxKeyBytes {
		*kb = key
		c.keys.Put(kb)
	}
	if c.cfg.Observe != nil {
		out.Duration = time.Since(start)
		c.cfg.Observe(r.Context(), out)
	}
}

// miss has connect-go answer r, stores the answer if it is a storable 200,
// and writes it (or the 304 or 412 it turns into).
func (c *AnswerCache) miss(w http.ResponseWriter, r *http.Request, tab *answers, key []byte, storable bool) (int, connect.Code) {
	if storable {
		c.misses.Add(1)
	} else {
		c.bypasses.Add(1)
	}
	inner := r.WithContext(withCatalog(r.Context(), tab.catalog))
	if r.Method == http.MethodHead {
		inner.Method = http.MethodGet // answered as GET, without content (RFC 9110 9.3.2)
	}
	rec := &recorder{header: http.Header{}}
	c.connect.ServeHTTP(rec, inner)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.status != http.StatusOK || hasTrailers(rec.header) {
		return c.writeError(w, r, rec), errorCode(rec)
	}
	ans := &answer{header: rec.header, body: rec.body.Bytes()}
	if r.Method != http.MethodPost {
		ans.etag = tab.etagFor(rec.header.Get("Content-Encoding"))
		ans.header.Set("Etag", ans.etag)
		ans.header.Set("Cache-Control", c.cacheControl)
	}
	for k, v := range ans.header {
		ans.header[k] = slices.Clip(v) // an append by a later writer copies
	}
	if storable {
		tab.put(string(key), ans)
	}
	return c.write(w, r, ans), 0
}

// write sends a 200 answer, or what the request's preconditions make of it.
func (c *AnswerCache) write(w http.ResponseWriter, r *http.Request, ans *answer) int {
	h := w.Header()
	if ans.etag != "" {
		if status := evaluatePreconditions(r, ans.etag); status != 0 {
			if status == http.StatusNotModified {
				c.notModified.Add(1)
				// RFC 9110 15.4.5: the fields a 200 would have carried
				// that describe the cache entry, Vary among them.
				h["Etag"] = ans.header["Etag"]
				h["Cache-Control"] = ans.header["Cache-Control"]
				mergeValues(h, "Vary", ans.header["Vary"])
			} else {
				c.failedMatch.Add(1)
				h.Set("Cache-Control", "no-store")
			}
			w.WriteHeader(status)
			return status
		}
	}
	for k, v := range ans.header {
		mergeValues(h, k, v)
	}
	if r.Method == http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(len(ans.body)))
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ans.body)
	return http.StatusOK
}

// writeError passes on an answer that is not stored, as connect-go wrote
// it; an error answer to a GET is marked not storable by caches either.
func (c *AnswerCache) writeError(w http.ResponseWriter, r *http.Request, rec *recorder) int {
	h := w.Header()
	for k, v := range rec.header {
		mergeValues(h, k, v)
	}
	if r.Method != http.MethodPost && rec.status != http.StatusOK {
		h.Set("Cache-Control", "no-store")
	}
	if r.Method == http.MethodHead {
		h.Set("Content-Length", strconv.Itoa(rec.body.Len()))
		w.WriteHeader(rec.status)
		return rec.status
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
	return rec.status
}

// mergeValues appends vs to h[k], keeping what an outer handler (CORS) set.
func mergeValues(h http.Header, k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	if old := h[k]; len(old) > 0 {
		h[k] = append(slices.Clip(old), vs...)
		return
	}
	h[k] = vs
}

// hasTrailers reports whether connect-go announced HTTP trailers, which
// the stored answer would not replay.
func hasTrailers(h http.Header) bool {
	if _, ok := h["Trailer"]; ok {
		return true
	}
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			return true
		}
	}
	return false
}

// errorCode reads the Connect error code of an error answer.
func errorCode(rec *recorder) connect.Code {
	if rec.status == http.StatusOK {
		return 0
	}
	var e struct {
		Code connect.Code `json:"code"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &e); err != nil || e.Code == 0 {
		return connect.CodeUnknown
	}
	return e.Code
}

// requestKey appends the bytes that decide r's answer to key: the method
// family, the path, the query or body, and the header fields connect-go
// reads for a unary call. storable is false when the request has a field
// that changes the answer per call (a timeout) or is too large to key. The
// body bytes read into key are given back to connect-go by body.restore
// on a miss; a hit needs no copy of them.
func requestKey(key []byte, r *http.Request) (_ []byte, storable bool, body bodyRead) {
	if r.Header.Get("Connect-Timeout-Ms") != "" {
		return key, false, body
	}
	field := func(name string) {
		for i, v := range r.Header[name] {
			if i > 0 {
				key = append(key, ',')
			}
			key = append(key, v...)
		}
		key = append(key, 0)
	}
	if r.Method != http.MethodPost {
		key = append(key, 'G')
		key = append(key, r.URL.Path...)
		key = append(key, '?')
		key = append(key, r.URL.RawQuery...)
		key = append(key, 0)
		field("Accept-Encoding")
		field("Connect-Protocol-Version")
		return key, len(key) <= maxKeyBytes, body
	}
	if r.ContentLength > maxKeyBytes {
		return key, false, body
	}
	key = append(key, 'P')
	key = append(key, r.URL.Path...)
	key = append(key, 0)
	field("Content-Type")
	field("Content-Encoding")
	field("Accept-Encoding")
	field("Connect-Protocol-Version")
	start := len(key)
	if start >= maxKeyBytes {
		return key, false, body
	}
	key = slices.Grow(key, maxKeyBytes+1-start)
	n, err := io.ReadFull(r.Body, key[start:maxKeyBytes+1])
	key = key[:start+n]
	body = bodyRead{read: true, start: start, err: err}
	// io.ReadFull's EOFs mean the whole body is in the key; no error means
	// it may be longer than a key may be.
	return key, err == io.ErrUnexpectedEOF || err == io.EOF, body
}

// bodyRead is what requestKey read of a POST body.
type bodyRead struct {
	read  bool
	start int   // where the body starts in the key
	err   error // io.ReadFull's
}

// restore returns r with its body readable from the start again: the bytes
// in key, then the rest of the body (or the error reading it stopped at).
// key must stay unchanged until connect-go has read them.
func (b bodyRead) restore(r *http.Request, key []byte) *http.Request {
	if !b.read {
		return r
	}
	read := bytes.NewReader(key[b.start:])
	r2 := *r
	switch b.err {
	case io.EOF, io.ErrUnexpectedEOF:
		r2.Body = readCloser{read, r.Body}
	case nil:
		r2.Body = readCloser{io.MultiReader(read, r.Body), r.Body}
	default:
		r2.Body = readCloser{io.MultiReader(read, errReader{b.err}), r.Body}
	}
	return &r2
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// recorder keeps what connect-go writes for a unary call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// The cache's metrics, next to the RPC metrics at /metrics.
var (
	cacheCallsDesc = prometheus.NewDesc("statusd_answer_cache_calls_total",
		"Connect unary calls the answer cache stood in front of, by how they were answered.", []string{"result"}, nil)
	conditionalDesc = prometheus.NewDesc("statusd_conditional_answers_total",
		"Conditional GETs answered 304 or 412.", []string{"status"}, nil)
	evictionsDesc = prometheus.NewDesc("statusd_answer_cache_evictions_total",
		"Answers evicted to stay under the memory cap.", nil, nil)
	answersDesc = prometheus.NewDesc("statusd_answer_cache_answers",
		"Answers stored for the current catalog.", nil, nil)
	cacheBytesDesc = prometheus.NewDesc("statusd_answer_cache_bytes",
		"Bytes the stored answers count for (used), and the cap (max).", []string{"kind"}, nil)
)

// Describe implements prometheus.Collector.
func (c *AnswerCache) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheCallsDesc, conditionalDesc, evictionsDesc, answersDesc, cacheBytesDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *AnswerCache) Collect(ch chan<- prometheus.Metric) {
	n, size := 0, 0
	if t := c.table.Load(); t != nil {
		n, size = t.stats()
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	counter(cacheCallsDesc, c.hits.Load(), "hit")
	counter(cacheCallsDesc, c.misses.Load(), "miss")
	counter(cacheCallsDesc, c.bypasses.Load(), "bypass")
	counter(conditionalDesc, c.notModified.Load(), "304")
	counter(conditionalDesc, c.failedMatch.Load(), "412")
	counter(evictionsDesc, c.evictions.Load())
	gauge(answersDesc, n)
	gauge(cacheBytesDesc, size, "used")
	gauge(cacheBytesDesc, c.cfg.MaxBytes, "max")
}
