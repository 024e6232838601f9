package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/statusd/statusd/mapping"
)

func TestCacheableLookups(t *testing.T) {
	svc := New(mapping.DefaultCatalog())
	mux := http.NewServeMux()
	mux.Handle(NewHandler(svc))
	srv := httptest.NewServer(svc.Cacheable(mux, 5*time.Minute))
	defer srv.Close()

	get := func(message, ifNoneMatch string) (*http.Response, string) {
		t.Helper()
		u := srv.URL + "/statusd.v1.StatusService/Lookup?encoding=json&message=" + url.QueryEscape(message)
		req, _ := http.NewRequest("GET", u, nil)
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	resp, body := get(`{"httpStatus":412}`, "")
	etag := resp.Header.Get("Etag")
	if resp.StatusCode != 200 || len(etag) != 34 || resp.Header.Get("Cache-Control") != "public, max-age=300" || !strings.Contains(body, "aborted") {
		t.Fatalf("first GET: %d etag %q cache-control %q", resp.StatusCode, etag, resp.Header.Get("Cache-Control"))
	}
	for _, inm := range []string{etag, `"x", ` + etag, "W/" + etag, "*"} {
		resp, body = get(`{"httpStatus":412}`, inm)
		if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("Etag") != etag {
			t.Errorf("if-none-match %s: %d %q", inm, resp.StatusCode, body)
		}
	}
	if resp, _ = get(`{"httpStatus":412}`, `"other"`); resp.StatusCode != 200 {
		t.Errorf("stale validator: %d", resp.StatusCode)
	}
	// Errors are not cacheable.
	resp, _ = get(`{"httpStatus":600}`, "")
	if resp.StatusCode != 400 || resp.Header.Get("Etag") != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("error GET: %d etag %q cache-control %q", resp.StatusCode, resp.Header.Get("Etag"), resp.Header.Get("Cache-Control"))
	}
	// POST is not cached.
	post, err := http.Post(srv.URL+"/statusd.v1.StatusService/Lookup", "application/json", strings.NewReader(`{"httpStatus":412}`))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != 200 || post.Header.Get("Etag") != "" {
		t.Errorf("POST: %d etag %q", post.StatusCode, post.Header.Get("Etag"))
	}
	// A new catalog changes the validator and the answer.
	overlay, _ := mapping.ParseCatalogMessage([]byte(`edition: "next" statuses { code: 412 reason: "Precondition Failed" status_class: STATUS_CLASS_CLIENT_ERROR meaning: "changed" }`))
	next, err := svc.Catalog().Overlay(overlay)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetCatalog(next)
	resp, body = get(`{"httpStatus":412}`, etag)
	if resp.StatusCode != 200 || resp.Header.Get("Etag") == etag || !strings.Contains(body, "changed") {
		t.Errorf("after reload: %d etag %q", resp.StatusCode, resp.Header.Get("Etag"))
	}
}
