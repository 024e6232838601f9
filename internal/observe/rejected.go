package observe

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
)

// connect-go decodes a unary request before it calls any interceptor, and
// checks every request's protocol first, so a request it rejects
// (malformed or oversized message, unsupported codec or compression, a
// bidirectional stream over HTTP/1.1) never reaches Interceptor. Rejections records those from the
// response, so that they are counted and logged like the rest.

type recordedKey struct{}

// markRecorded tells Rejections that the interceptor saw the call.
func markRecorded(ctx context.Context) {
	if seen, ok := ctx.Value(recordedKey{}).(*bool); ok {
		*seen = true
	}
}

// Rejections wraps next (a mux of Connect handlers) and records, through
// rec, the calls to the procedures in known that next answered without
// calling the interceptor. Only known procedures are recorded, so a client
// cannot grow the metrics with made-up paths.
func Rejections(next http.Handler, rec *Recorder, known map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !known[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		seen := new(bool)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), recordedKey{}, seen)))
		if *seen {
			return
		}
		rec.Record(r.Context(), Call{Procedure: r.URL.Path, Protocol: protocolOf(r), Peer: r.RemoteAddr,
			Code: sw.code(), Duration: time.Since(start)})
	})
}

// protocolOf names the protocol of a request as connect.Peer does.
func protocolOf(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/grpc-web"):
		return connect.ProtocolGRPCWeb
	case strings.HasPrefix(ct, "application/grpc"):
		return connect.ProtocolGRPC
	default:
		return connect.ProtocolConnect
	}
}

// errorBodyPrefix is how much of an error body is kept to read its code.
const errorBodyPrefix = 256

// statusWriter keeps the status and the start of an error body.
type statusWriter struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (s *statusWriter) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	if s.status >= 400 && len(s.body) < errorBodyPrefix {
		s.body = append(s.body, p[:min(len(p), errorBodyPrefix-len(s.body))]...)
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// code is the Connect code of the response: gRPC's grpc-status (header or
// trailer), a Connect error body's code, or else one from the HTTP status
// as the Connect protocol maps it.
func (s *statusWriter) code() connect.Code {
	h := s.Header()
	for _, v := range []string{h.Get("Grpc-Status"), h.Get(http.TrailerPrefix + "Grpc-Status")} {
		if n, err := strconv.Atoi(v); err == nil {
			return connect.Code(n)
		}
	}
	// connect-go writes the code first: {"code":"invalid_argument",...}
	if rest, ok := bytes.CutPrefix(s.body, []byte(`{"code":"`)); ok {
		var c connect.Code
		if name, _, ok := bytes.Cut(rest, []byte(`"`)); ok && c.UnmarshalText(name) == nil {
			return c
		}
	}
	switch s.status {
	case 0, http.StatusOK:
		return 0
	case http.StatusBadRequest:
		return connect.CodeInvalidArgument
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return connect.CodeResourceExhausted
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType, http.StatusHTTPVersionNotSupported:
		return connect.CodeUnimplemented // 505: a bidirectional stream over HTTP/1.1
	default:
		return connect.CodeUnknown
	}
}
