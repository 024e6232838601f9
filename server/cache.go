package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/statusd/statusd/gen/statusd/v1/statusdv1connect"
	"github.com/statusd/statusd/mapping/header"
)

// Cacheable wraps the service's handler so that Connect GET requests (the
// methods have no side effects, so every one may be a GET) are cacheable: a
// 200 answer carries cache-control and an etag derived from the catalog's
// hash, and a request whose if-none-match holds that etag gets 304 without
// running the method. The catalog is pinned for the request, so the etag
// always describes the answer, even while the catalog is being swapped.
// Other requests pass through untouched (each call reads the catalog once).
func (s *Service) Cacheable(next http.Handler, maxAge time.Duration) http.Handler {
	cacheControl := "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
	prefix := "/" + statusdv1connect.StatusServiceName + "/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, prefix) {
			next.ServeHTTP(w, r)
			return
		}
		cat := s.Catalog()
		r = r.WithContext(withCatalog(r.Context(), cat))
		etag := `"` + cat.Hash()[:32] + `"`
		if matches(r.Header.Values("If-None-Match"), etag) {
			w.Header().Set("Etag", etag)
			w.Header().Set("Cache-Control", cacheControl)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		next.ServeHTTP(&cachingWriter{ResponseWriter: w, etag: etag, cacheControl: cacheControl}, r)
	})
}

// matches reports whether if-none-match field values hold etag (weak
// comparison, RFC 9110 13.1.2) or "*".
func matches(values []string, etag string) bool {
	for _, v := range values {
		for e := range header.Elements(v) {
			if e == "*" {
				return true
			}
			tag, _, err := header.ParseETag(e)
			if err == nil && `"`+tag+`"` == etag {
				return true
			}
		}
	}
	return false
}

// cachingWriter adds the validator and cache-control to a 200 answer; an
// error answer is not cacheable.
type cachingWriter struct {
	http.ResponseWriter
	etag, cacheControl string
	wroteHeader        bool
}

func (c *cachingWriter) WriteHeader(status int) {
	if !c.wroteHeader {
		c.wroteHeader = true
		if status == http.StatusOK {
			c.Header().Set("Etag", c.etag)
			c.Header().Set("Cache-Control", c.cacheControl)
		} else {
			c.Header().Set("Cache-Control", "no-store")
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *cachingWriter) Write(p []byte) (int, error) {
	if !c.wroteHeader {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(p)
}

// Flush passes through.
func (c *cachingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *cachingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
