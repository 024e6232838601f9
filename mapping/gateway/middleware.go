package gateway

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"
)

// Middleware wraps an http.Handler that serves Connect (connect-go handlers,
// usually with Interceptor) so that the HTTP status of a Connect unary error
// response speaks the Translator's dialect: the status of the error's
// HttpStatusDetail if it has one, otherwise the status its code maps to.
// curl, browsers, caches and REST proxies then see 412 or 422 where the
// Connect protocol's fixed table says 409 or 400. Connect clients are not
// affected: they read the code from the body, which is kept. A request that
// accepts application/problem+json (and not application/json) gets an RFC
// 9457 problem instead of the Connect body.
//
// gRPC, gRPC-Web and streaming responses (always HTTP 200) pass through
// untouched, as does an error body over 64 KiB.
func (t *Translator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &captureWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		if cw.capturing {
			t.rewrite(w, r, cw)
		}
	})
}

// rewrite sends the captured Connect error with the translated status.
func (t *Translator) rewrite(w http.ResponseWriter, r *http.Request, cw *captureWriter) {
	wire, ok := parseConnectError(cw.body.Bytes())
	code, known := connectCode(wire.Code)
	if !ok || !known {
		// Not a Connect error we can read: send it as it was.
		w.WriteHeader(cw.status)
		_, _ = w.Write(cw.body.Bytes())
		return
	}
	cerr := connect.NewError(code, errString(wire.Message))
	for _, d := range wire.details() {
		cerr.AddDetail(d)
	}
	status := t.StatusOf(cerr, r.Method, headersOf(r.Header))
	if wantsProblem(r.Header.Get("Accept")) {
		t.writeProblem(w, status, cerr)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(cw.body.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(cw.body.Bytes())
}

type errString string

func (e errString) Error() string { return string(e) }

// wantsProblem reports whether an Accept header asks for a problem document
// and not for JSON.
func wantsProblem(accept string) bool {
	problem, plainJSON := false, false
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/problem+json":
			problem = true
		case "application/json":
			plainJSON = true
		}
	}
	return problem && !plainJSON
}

// captureWriter holds back a non-200 application/json response (a Connect
// unary error) so that Middleware can rewrite its status; everything else
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
	c.wroteHeader = true
	if status != http.StatusOK && status >= 400 && mediaType(c.Header().Get("Content-Type")) == "application/json" {
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
