package server

import (
	"net/http"

	"github.com/statusd/statusd/mapping/header"
)

// evaluatePreconditions applies RFC 9110 section 13.2.2 to a GET or HEAD
// whose answer, without preconditions, would be 200 with validator etag
// (the caller never asks otherwise: 13.2.1 says preconditions are ignored
// when the answer would not be 2xx). It returns 412, 304, or 0 to answer
// 200. If-Modified-Since and If-Unmodified-Since are ignored, as 13.1.3 and
// 13.1.4 require when the resource has no modification date (statusd sends
// no Last-Modified); If-Range only matters with Range, which is not served.
func evaluatePreconditions(r *http.Request, etag string) int {
	if values, ok := r.Header["If-Match"]; ok && !anyMatch(values, etag, true) {
		return http.StatusPreconditionFailed // 13.1.1: strong comparison
	}
	if values, ok := r.Header["If-None-Match"]; ok && anyMatch(values, etag, false) {
		return http.StatusNotModified // 13.1.2: weak comparison
	}
	return 0
}

// anyMatch reports whether the field values hold "*" (a current
// representation exists) or an entity tag matching etag, compared strongly
// (both tags strong and equal, RFC 9110 8.8.3.2) or weakly (equal opaque
// tags). A member that is not an entity tag matches nothing.
func anyMatch(values []string, etag string, strong bool) bool {
	want := etag[1 : len(etag)-1]
	for _, v := range values {
		for e := range header.Elements(v) {
			if e == "*" {
				return true
			}
			tag, weak, err := header.ParseETag(e)
			if err == nil && tag == want && !(strong && weak) {
				return true
			}
		}
	}
	return false
}
