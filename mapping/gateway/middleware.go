package gateway

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"
)

// Middleware wraps an http.Handler that serves Connect (connect-go handlers,
// usually with Interceptor) so that the HTTP status of a Connect unary error
// response speaks the dialect (of the Translator in the request's context,
// else t): the status of the error's HttpStatusDetail if it has one in
// 400-599, otherwise the status its code maps to for the RPC, exactly as
// Interceptor computes it (the Connect POST is not the resource's method).
// curl, browsers, caches and REST proxies then see 412 or 422 where the
// Connect protocol's fixed table says 409 or 400, with the headers the
// error carries (retry-after, www-authenticate...; see RequiredHeaders).
// Connect clients are not affected: they read the code from the body,
// which is kept. A request whose Accept prefers application/problem+json
// to application/json (q-values count) gets an RFC 9457 problem instead.
//
// Only Connect unary error responses are rewritten, and only to a 4xx or
// 5xx: the request must be a Connect unary call and the response a Connect
// error body whose code is the one a Connect server sends with the
// response's status. A REST handler's own JSON errors, gRPC, gRPC-Web and
// streaming responses (always HTTP 200), successes and error bodies over 64
// KiB pass through untouched.
func (t *Translator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !connectUnary(r) {
			next.ServeHTTP(w, r)
			return
		}
		cw := &captureWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		if cw.capturing {
			t.in(r.Context()).rewrite(w, r, cw)
		}
	})
}

// connectUnary reports whether r is a Connect unary call: a POST whose
// content-type is a codec's (application/json, application/proto...), not
// a streaming or gRPC one, or a Connect GET (with encoding and message).
func connectUnary(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost:
		ct := mediaType(r.Header.Get("Content-Type"))
		return strings.HasPrefix(ct, "application/") && !strings.HasPrefix(ct, "application/grpc") &&
			!strings.HasPrefix(ct, "application/connect+")
	case http.MethodGet:
		q := r.URL.Query()
		return q.Has("encoding") && q.Has("message")
	}
	return false
}

// rewrite sends the captured Connect error with the translated status.
func (t *Translator) rewrite(w http.ResponseWriter, r *http.Request, cw *captureWriter) {
	wire, code, ok := parseConnectError(cw.body.Bytes(), cw.status)
	if !ok {
		// Not a Connect error: send it as it was.
		w.WriteHeader(cw.status)
		_, _ = w.Write(cw.body.Bytes())
		return
	}
	var underlying error
	if wire.Message != "" {
		underlying = errors.New(wire.Message)
	}
	cerr := connect.NewError(code, underlying)
	for _, d := range decodeDetails(wire.Details) {
		cerr.AddDetail(d)
	}
	status := t.statusLazy(cerr, "", r.Header)
	v := inspect(cerr)
	v.meta = w.Header() // connect-go sent the error's metadata as headers
	if wantsProblem(r.Header.Values("Accept")) {
		t.writeProblem(w, status, cerr, v)
		return
	}
	t.setCarried(w.Header(), status, v)
	w.Header().Set("Content-Length", strconv.Itoa(cw.body.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(cw.body.Bytes())
}

// captureWriter holds back a 4xx or 5xx application/json response (maybe
// a Connect unary error) so that Middleware can rewrite it; everything else
// goes straight through.
type captureWriter struct {
	http.ResponseWriter
	wroteHeader bool
	capturing   bool
	status      int
	body        bytes.Buffer
}

func (c *captureWriter) WriteHeader(status int) {
	if c.wroteHeader {
		return
	}
	if status < 200 { // interim responses pass, the final one is still to come
		c.ResponseWriter.WriteHeader(status)
		return
	}
	c.wroteHeader = true
	if errorStatus(status) && mediaType(c.Header().Get("Content-Type")) == "application/json" {
		c.capturing, c.status = true, status
		return
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if !c.wroteHeader {
		c.WriteHeader(http.StatusOK)
	}
	if !c.capturing {
		return c.ResponseWriter.Write(p)
	}
	if c.body.Len()+len(p) > maxErrorBody {
		// Too large for a Connect error: send what was held back, then
		// pass the rest through.
		c.capturing = false
		c.ResponseWriter.WriteHeader(c.status)
		if _, err := c.ResponseWriter.Write(c.body.Bytes()); err != nil {
			return 0, err
		}
		c.body.Reset()
		return c.ResponseWriter.Write(p)
	}
	return c.body.Write(p)
}

// Flush passes through for streams; a held-back error is sent whole later.
func (c *captureWriter) Flush() {
	if c.capturing {
		return
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
