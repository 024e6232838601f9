package ui

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	statusdv1 "github.com/statusd/statusd/gen/statusd/v1"
	"github.com/statusd/statusd/mapping"
)

func get(t *testing.T, h http.Handler, method, path string, headers ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIndex(t *testing.T) {
	h := Handler()
	resp := get(t, h, "GET", "/")
	page := body(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, directive := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, directive) {
			t.Errorf("CSP %q lacks %q", csp, directive)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline script: %q", csp)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index cache-control %q, want no-cache (revalidate: it names the current assets)", cc)
	}
	// No inline script: every script element loads a file of this origin.
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(m, `src="/ui/`) {
			t.Errorf("inline or foreign script: %s", m)
		}
	}
	if strings.Contains(page, " style=") || strings.Contains(page, "<style") {
		t.Error("index.html has inline style, which the CSP blocks")
	}
	// Everything it loads is hashed and served.
	refs := regexp.MustCompile(`(?:href|src)="(/ui/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("index references %d assets", len(refs))
	}
	for _, r := range refs {
		if resp := get(t, h, "GET", r[1]); resp.StatusCode != 200 {
			t.Errorf("%s: %d", r[1], resp.StatusCode)
		}
	}
}

func TestAssetsCachedForever(t *testing.T) {
	s, err := build(embedded)
	if err != nil {
		t.Fatal(err)
	}
	path := AssetPrefix + s.Hash() + "/app.js"
	resp := get(t, s, "GET", path)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != immutable ||
		resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: %d %q %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	// Another hash (an old release's page) or an unknown name is 404, so a
	// cache never keeps the wrong bytes under a hashed name.
	for _, p := range []string{AssetPrefix + "0000000000000000/app.js", AssetPrefix + s.Hash() + "/nope.js", "/nope", "/ui/", "/index.html"} {
		if resp := get(t, s, "GET", p); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestHashFollowsContent(t *testing.T) {
	a, err := build(embedded)
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := fs.Sub(embedded, "assets")
	changed := fstestMap(t, sub)
	changed["assets/style.css"] = append(changed["assets/style.css"], []byte("\n/* changed */\n")...)
	b, err := build(mapFS(changed))
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() == b.Hash() {
		t.Error("changing a stylesheet kept the asset hash")
	}
	same, err := build(mapFS(fstestMap(t, sub)))
	if err != nil {
		t.Fatal(err)
	}
	if same.Hash() != a.Hash() {
		t.Error("the same assets gave another hash")
	}
}

func TestConditionalAndEncoding(t *testing.T) {
	h := Handler()
	plain := get(t, h, "GET", "/")
	zipped := get(t, h, "GET", "/", "Accept-Encoding", "br, gzip;q=0.8")
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip not negotiated: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if string(unzipped) != body(t, plain) {
		t.Error("gzip body differs from the plain one")
	}
	if plain.Header.Get("Etag") == zipped.Header.Get("Etag") {
		t.Error("gzip and identity share an etag")
	}
	if get(t, h, "GET", "/", "Accept-Encoding", "gzip;q=0").Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}
	if resp := get(t, h, "GET", "/", "If-None-Match", plain.Header.Get("Etag")); resp.StatusCode != 304 {
		t.Errorf("if-none-match with the etag: %d, want 304", resp.StatusCode)
	}
	head := get(t, h, "HEAD", "/")
	if head.StatusCode != 200 || body(t, head) != "" || head.Header.Get("Content-Length") != plain.Header.Get("Content-Length") {
		t.Errorf("HEAD /: %d, length %s", head.StatusCode, head.Header.Get("Content-Length"))
	}
	post := get(t, h, "POST", "/")
	if post.StatusCode != 405 || post.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d allow %q", post.StatusCode, post.Header.Get("Allow"))
	}
}

// TestMountShadowsNothing: beside other routes, the explorer takes only GET
// and HEAD of its own paths.
func TestMountShadowsNothing(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	Mount(mux)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/", 200}, {"HEAD", "/", 200}, {"POST", "/", 405}, {"DELETE", "/", 405},
		{"POST", "/metrics", 405}, {"GET", "/metrics", 200}, {"POST", "/api/x", 299}, {"GET", "/api/x", 299},
		{"GET", "/elsewhere", 404}, {"GET", "/ui/0/app.js", 404},
	} {
		resp := get(t, mux, tc.method, tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		if tc.status == 405 && tc.path == "/" && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /: allow %q", tc.method, resp.Header.Get("Allow"))
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"gzip": true, "GZIP": true, "br, gzip": true, "gzip;q=0.5": true, "gzip; q=1": true,
		"gzip;q=0": false, "gzip;q=0.0": false, "gzip;q=0.000": false, "gzip;q=0.001": true,
		"br": false, "": false, "x-gzip": false, "*": false,
	} {
		if got := acceptsGzip([]string{in}); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestOffline: nothing the page loads comes from elsewhere (the CSP would
// block it anyway, and the browser test fails on the violation).
func TestOffline(t *testing.T) {
	foreign := regexp.MustCompile(`(?i)(@import|url\(\s*['"]?(https?:)?//|(src|href)=["']?(https?:)?//|import\s*\(?\s*['"](https?:)?//)`)
	err := fs.WalkDir(embedded, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := fs.ReadFile(embedded, p)
		if m := foreign.Find(data); m != nil {
			t.Errorf("%s loads from elsewhere: %s", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVocabularyFromProtos: the page's enums are the protos' and the
// dialects are package mapping's.
func TestVocabularyFromProtos(t *testing.T) {
	src := string(vocabModule())
	var v vocab
	_, data, _ := strings.Cut(src, "export default ")
	if err := json.Unmarshal([]byte(strings.TrimSuffix(data, ";\n")), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Codes) != len(statusdv1.Code_name) {
		t.Errorf("%d codes, the proto has %d", len(v.Codes), len(statusdv1.Code_name))
	}
	for i, c := range v.Codes {
		code := statusdv1.Code(statusdv1.Code_value[c.ID])
		if int(code) != i || (code != 0 && c.Label != mapping.ConnectName(code)) {
			t.Errorf("code %d: %+v", i, c)
		}
	}
	if len(v.Dialects) != len(mapping.Dialects()) {
		t.Errorf("%d dialects, mapping has %d", len(v.Dialects), len(mapping.Dialects()))
	}
	for _, d := range v.Dialects {
		if d.Label == "" {
			t.Errorf("dialect %s has no display name", d.ID)
		}
	}
	if len(v.Classes) != len(statusdv1.StatusClass_name)-1 || len(v.Severities) != len(statusdv1.Severity_name)-1 {
		t.Errorf("classes %d, severities %d", len(v.Classes), len(v.Severities))
	}
}

// TestDialectNamesMatchREADME: the page heads its columns as the README's
// generated dialect tables do.
func TestDialectNamesMatchREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range mapping.Dialects() {
		want = append(want, mapping.DialectTitle(d))
	}
	row := "| HTTP | " + strings.Join(want, " | ") + " |"
	if !bytes.Contains(readme, []byte(row)) {
		t.Errorf("README has no dialect table headed %q", row)
	}
}
